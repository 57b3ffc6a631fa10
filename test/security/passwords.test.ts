import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblems, verifyPassword } from '../../api/auth/passwords.ts';
import { redactSecrets } from '../../observability/redact.ts';

describe('passwords', () => {
  it('stores an argon2id hash that verifies the password and nothing else', async () => {
    const hash = await hashPassword('a long enough passphrase');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, 'a long enough passphrase'), true);
    assert.equal(await verifyPassword(hash, 'a long enough passphrasE'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
  });

  it('refuses short passwords, the username, common passwords and near-constant ones', () => {
    assert.deepEqual(passwordProblems('tidal-orbit-57-kestrel', 'alice'), []);
    assert.match(passwordProblems('short1', 'alice').join(), /at least 12/);
    assert.match(passwordProblems('alice-is-here-2026', 'alice').join(), /username/);
    assert.match(passwordProblems('Password1234', 'alice').join(), /most common/);
    assert.match(passwordProblems('aaaaaaaaaaab', 'bob').join(), /different characters/);
  });
});

describe('audit body redaction', () => {
  it('hides secret-looking fields at any depth and keeps the rest', () => {
    assert.deepEqual(redactSecrets({ username: 'a', password: 'p', nested: { new_password: 'x', api_key: 'k', totp: '123456', keep: 1 }, list: [{ token: 't' }] }),
      { username: 'a', password: '[REDACTED]', nested: { new_password: '[REDACTED]', api_key: '[REDACTED]', totp: '[REDACTED]', keep: 1 }, list: [{ token: '[REDACTED]' }] });
  });
});
