import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { aUser, anApiKey, signIn } from '../support/principals.ts';

describe('API keys', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('are shown once at creation, listed without the secret, stored only as a hash', async () => {
    const created = await stack.post('/v1/admin/api-keys', { name: 'checkout service', scopes: ['decide', 'read'] });
    assert.equal(created.status, 201);
    assert.match(created.body.key, /^fgk_[A-Za-z0-9_-]{43}$/);
    const listed = await stack.get('/v1/admin/api-keys');
    const row = listed.body.api_keys.find((k: { id: string }) => k.id === created.body.id);
    assert.deepEqual(row.scopes, ['decide', 'read']);
    assert.equal(row.created_by, 'key:key_env_admin');
    assert.ok(!JSON.stringify(listed.body).includes(created.body.key), 'the key never appears again');
    const { rows } = await stack.db.query("SELECT encode(key_hash, 'hex') AS h FROM api_keys WHERE id = $1", [created.body.id]);
    assert.equal(rows[0].h.length, 64);
    assert.ok(!JSON.stringify(rows).includes(created.body.key));
  });

  it('grant only their scopes: a decide key decides but cannot read, label or administer', async () => {
    const { key } = await anApiKey(stack, ['decide']);
    const client = stack.as(key);
    assert.equal((await client.post('/v1/decisions', aTransaction())).status, 200);
    for (const [method, path] of [['GET', '/v1/decisions/x'], ['POST', '/v1/labels'], ['GET', '/v1/admin/api-keys'], ['GET', '/metrics']] as const) {
      const res = await client.request(method, path, method === 'POST' ? { body: {} } : {});
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    const me = await client.get('/v1/auth/me');
    assert.deepEqual({ kind: me.body.kind, scopes: me.body.scopes, permissions: me.body.permissions }, { kind: 'api_key', scopes: ['decide'], permissions: ['decide'] });
  });

  it('stop working the moment they are revoked', async () => {
    const { id, key } = await anApiKey(stack, ['read']);
    assert.equal((await stack.as(key).get('/v1/auth/me')).status, 200);
    const revoked = await stack.request('DELETE', `/v1/admin/api-keys/${id}`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.active, false);
    const after = await stack.as(key).get('/v1/auth/me');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'INVALID_CREDENTIALS');
  });

  it('limit decisions per key with 429 and Retry-After, each key on its own quota', async () => {
    const limited = await anApiKey(stack, ['decide'], 3);
    const other = await anApiKey(stack, ['decide'], 3);
    for (let i = 0; i < 3; i++) assert.equal((await stack.as(limited.key).post('/v1/decisions', aTransaction())).status, 200);
    const refused = await stack.as(limited.key).post('/v1/decisions', aTransaction());
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await stack.as(other.key).post('/v1/decisions', aTransaction())).status, 200, 'another key is not affected');
  });

  it('refuse a scope that does not exist', async () => {
    const res = await stack.post('/v1/admin/api-keys', { name: 'x', scopes: ['everything'] });
    assert.equal(res.status, 400);
  });
});

describe('the first admin credential', () => {
  it('is printed once on the first start of an empty database, works, and is never printed again', async () => {
    const first = await startStack({ FRAUDGUARD_ADMIN_API_KEY: '' });
    try {
      assert.equal(first.announced.length, 1);
      const key = /(fgk_\S+)/.exec(first.announced[0] as string)?.[1] as string;
      assert.ok(key);
      assert.equal((await first.as(key).get('/v1/admin/api-keys')).status, 200);
      assert.equal((await first.as(null).get('/v1/admin/api-keys')).status, 401);
      await first.stop();
      const again = await startStack({ FRAUDGUARD_ADMIN_API_KEY: '', DATABASE_SCHEMA: first.schema, TEMPORAL_TASK_QUEUE: first.taskQueue });
      try {
        assert.deepEqual(again.announced, []);
        assert.equal((await again.as(key).get('/v1/auth/me')).status, 200);
      } finally { await again.stop(); }
    } finally { await first.stop().catch(() => undefined); await first.dropSchema(); }
  });

  it('comes from FRAUDGUARD_ADMIN_API_KEY when set, which replaces the previous one at the next start', async () => {
    const first = await startStack({ FRAUDGUARD_ADMIN_API_KEY: 'first-admin-key-of-thirty-chars' });
    try {
      assert.deepEqual(first.announced, []);
      assert.equal((await first.as('first-admin-key-of-thirty-chars').get('/v1/admin/users')).status, 200);
      await first.stop();
      const second = await startStack({ FRAUDGUARD_ADMIN_API_KEY: 'second-admin-key-of-thirty-chars', DATABASE_SCHEMA: first.schema, TEMPORAL_TASK_QUEUE: first.taskQueue });
      try {
        assert.equal((await second.as('second-admin-key-of-thirty-chars').get('/v1/admin/users')).status, 200);
        assert.equal((await second.as('first-admin-key-of-thirty-chars').get('/v1/admin/users')).status, 401);
      } finally { await second.stop(); }
    } finally { await first.stop().catch(() => undefined); await first.dropSchema(); }
  });
});

describe('people', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack({ LOGIN_MAX_FAILURES: '3', LOGIN_RATE_LIMIT_PER_ACCOUNT: '6', LOGIN_RATE_LIMIT_PER_IP: '1000' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('get passwords that follow the rules', async () => {
    for (const [password, reason] of [['short-one', /at least 12/], ['Password1234', /most common/], ['rita-rules-2026!', /username/]] as const) {
      const res = await stack.post('/v1/admin/users', { username: 'rita', password, roles: ['viewer'] });
      assert.equal(res.status, 400, password);
      assert.match(JSON.stringify(res.body.error.fields), reason);
    }
    const { rows } = await stack.db.query("SELECT password_hash FROM users WHERE username = 'rita'");
    assert.equal(rows.length, 0);
  });

  it('sign in for a session usable as a bearer token or cookie, see who they are, and sign out', async () => {
    const user = await aUser(stack, ['analyst', 'viewer']);
    const login = await stack.as(null).post('/v1/auth/login', { username: user.username, password: user.password });
    assert.equal(login.status, 200);
    assert.match(login.body.token, /^fgs_/);
    const cookie = login.headers.get('set-cookie') as string;
    assert.match(cookie, /^fg_session=fgs_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    const me = await stack.as(login.body.token).get('/v1/auth/me');
    assert.deepEqual({ username: me.body.username, roles: me.body.roles }, { username: user.username, roles: ['analyst', 'viewer'] });
    assert.ok(me.body.permissions.includes('cases:work'));
    const viaCookie = await stack.as(null).get('/v1/auth/me', { cookie: cookie.split(';')[0] as string });
    assert.equal(viaCookie.body.username, user.username);
    const { rows } = await stack.db.query('SELECT password_hash FROM users WHERE username = $1', [user.username]);
    assert.match(rows[0].password_hash, /^\$argon2id\$/);
    assert.equal((await stack.as(login.body.token).post('/v1/auth/logout', {})).status, 204);
    assert.equal((await stack.as(login.body.token).get('/v1/auth/me')).status, 401);
  });

  it('are locked out after repeated wrong passwords, with a clear message, until an admin unlocks them', async () => {
    const user = await aUser(stack, ['viewer']);
    const wrong = () => stack.as(null).post('/v1/auth/login', { username: user.username, password: 'not-the-password-123' });
    assert.equal((await wrong()).body.error.code, 'INVALID_LOGIN');
    assert.equal((await wrong()).status, 401);
    const third = await wrong();
    assert.equal(third.status, 423);
    assert.equal(third.body.error.code, 'ACCOUNT_LOCKED');
    assert.match(third.body.error.message, /locked after 3 failed sign-ins.*unlock/);
    const rightButLocked = await stack.as(null).post('/v1/auth/login', user);
    assert.equal(rightButLocked.status, 423, 'even the right password is refused while locked');
    const listed = await stack.get('/v1/admin/users');
    assert.equal(listed.body.users.find((u: { username: string }) => u.username === user.username).locked, true);

    const unlocked = await stack.post(`/v1/admin/users/${user.username}/unlock`, {});
    assert.equal(unlocked.status, 200);
    assert.equal(unlocked.body.locked, false);
    await signIn(stack, user);
  });

  it('are throttled per account before the password is checked, with Retry-After', async () => {
    const user = await aUser(stack, ['viewer']);
    await signIn(stack, user);
    // 6 attempts per account and window: the sign-in above and five more.
    for (let i = 0; i < 5; i++) assert.equal((await stack.as(null).post('/v1/auth/login', user)).status, 200);
    const refused = await stack.as(null).post('/v1/auth/login', user);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const wrongPassword = await stack.as(null).post('/v1/auth/login', { username: user.username, password: 'anything-at-all-42' });
    assert.equal(wrongPassword.status, 429, 'refused before the password is looked at: no failure counted');
    const { rows } = await stack.db.query('SELECT failed_logins FROM users WHERE username = $1', [user.username]);
    assert.equal(rows[0].failed_logins, 0);
  });

  it('change roles through the admin API, and the change applies to their open session', async () => {
    const user = await aUser(stack, ['viewer']);
    const token = await signIn(stack, user);
    assert.equal((await stack.as(token).post('/v1/admin/users', {})).status, 403);
    const patched = await stack.request('PATCH', `/v1/admin/users/${user.username}`, { body: { roles: ['admin'] } });
    assert.deepEqual(patched.body.roles, ['admin']);
    assert.equal((await stack.as(token).get('/v1/admin/users')).status, 200);
  });

  it('can add a TOTP second factor, which sign-in then requires, and a code works only once', async () => {
    const user = await aUser(stack, ['viewer']);
    const token = await signIn(stack, user);
    const enrol = await stack.as(token).post('/v1/auth/totp/enrol', { password: user.password });
    assert.equal(enrol.status, 200);
    assert.match(enrol.body.otpauth_uri, /^otpauth:\/\/totp\/FraudGuard:/);
    assert.equal((await stack.as(token).post('/v1/auth/totp/verify', { totp: '000000' })).status, 400);
    const code = await generate({ secret: enrol.body.secret });
    assert.equal((await stack.as(token).post('/v1/auth/totp/verify', { totp: code })).status, 200);

    const withoutCode = await stack.as(null).post('/v1/auth/login', user);
    assert.equal(withoutCode.status, 401);
    assert.equal(withoutCode.body.error.code, 'TOTP_REQUIRED');
    const replayed = await stack.as(null).post('/v1/auth/login', { ...user, totp: code });
    assert.equal(replayed.body.error.code, 'INVALID_TOTP', 'the code used to turn TOTP on cannot sign in');
    await stack.post(`/v1/admin/users/${user.username}/unlock`, {});
    const next = await generate({ secret: enrol.body.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const ok = await stack.as(null).post('/v1/auth/login', { ...user, totp: next });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.totp_enabled, true);
  });

  it('change their own password, which ends their other sessions', async () => {
    const user = await aUser(stack, ['viewer']);
    const elsewhere = await signIn(stack, user);
    const here = await signIn(stack, user);
    const changed = await stack.as(here).post('/v1/auth/password', { current_password: user.password, new_password: 'brand-new-passphrase-9' });
    assert.equal(changed.status, 204);
    assert.equal((await stack.as(here).get('/v1/auth/me')).status, 200);
    assert.equal((await stack.as(elsewhere).get('/v1/auth/me')).status, 401);
    assert.equal((await stack.as(null).post('/v1/auth/login', user)).status, 401);
    await signIn(stack, { username: user.username, password: 'brand-new-passphrase-9' });
  });
});

describe('four-eyes approvals', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('need an approver other than the author, and are used once', async () => {
    const author = stack.as(await signIn(stack, await aUser(stack, ['rule_author'])));
    const approverUser = await aUser(stack, ['rule_approver']);
    const approver = stack.as(await signIn(stack, approverUser));
    const fourEyes = stack.security?.fourEyes;
    assert.ok(fourEyes?.enabled);
    const me = (await author.get('/v1/auth/me')).body.username as string;
    const change = { action: 'ruleset.publish' as const, subject: 'default@7', author: me, actor: me };
    await assert.rejects(fourEyes.require(change), /needs four-eyes approval/);

    const requested = await author.post('/v1/approvals', { action: 'ruleset.publish', subject: 'default@7' });
    assert.equal(requested.status, 201);
    const self = await author.post(`/v1/approvals/${requested.body.id}/approve`, {});
    assert.equal(self.status, 403, 'an author may not approve (rule_author lacks approvals:grant)');
    const approved = await approver.post(`/v1/approvals/${requested.body.id}/approve`, {});
    assert.equal(approved.status, 200);
    assert.equal(approved.body.decided_by, approverUser.username);

    const used = await fourEyes.require(change);
    assert.equal(used?.id, requested.body.id);
    await assert.rejects(fourEyes.require(change), /needs four-eyes approval/, 'an approval is used once');
  });

  it('refuse an approver approving their own request', async () => {
    const approverA = stack.as(await signIn(stack, await aUser(stack, ['rule_approver'])));
    const requested = await approverA.post('/v1/approvals', { action: 'deployment.change', subject: 'sha256:abc' });
    const self = await approverA.post(`/v1/approvals/${requested.body.id}/approve`, {});
    assert.equal(self.status, 403);
    assert.equal(self.body.error.code, 'FOUR_EYES');
  });
});

describe('sign-in throttling per client address', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack({ LOGIN_RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'true' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('refuses an address that tries too many accounts, and only that address', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++) {
      const res = await stack.as(null).post('/v1/auth/login', { username: `guess${i}`, password: 'guessing-passwords-1' }, from('203.0.113.7'));
      assert.equal(res.status, 401);
    }
    const refused = await stack.as(null).post('/v1/auth/login', { username: 'guess9', password: 'guessing-passwords-1' }, from('203.0.113.7'));
    assert.equal(refused.status, 429);
    assert.match(refused.body.error.message, /from this address/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const elsewhere = await stack.as(null).post('/v1/auth/login', { username: 'guess9', password: 'guessing-passwords-1' }, from('198.51.100.1'));
    assert.equal(elsewhere.status, 401);
  });
});
