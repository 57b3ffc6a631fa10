import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Router } from 'express';
import { pino } from 'pino';
import { createApp } from '../../api/app.ts';
import { actorOf } from '../../api/actor.ts';
import type { Authentication, Authenticator } from '../../api/auth/authenticator.ts';
import { createGuard } from '../../api/auth/guard.ts';
import type { Principal, Requirement } from '../../api/permissions.ts';
import { createMemoryRateLimiter } from '../../api/rate-limit.ts';
import { clientFor, type StackClient } from '../support/stack.ts';

// Bearer values stand for principals; the real authenticator is exercised against Postgres elsewhere.
const PRINCIPALS: Record<string, Principal> = {
  reader: { kind: 'key', id: 'k1', name: 'reader', scopes: ['read'], rateLimit: null },
  decider: { kind: 'key', id: 'k2', name: 'decider', scopes: ['decide'], rateLimit: 2 },
  admin: { kind: 'key', id: 'k3', name: 'admin', scopes: ['admin'], rateLimit: null },
  viewer: { kind: 'user', username: 'vera', roles: ['viewer'], totpEnabled: false },
};
const authenticator = {
  async authenticate(req): Promise<Authentication> {
    const header = req.headers.authorization;
    const cookie = /fg_session=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
    const name = header?.replace('Bearer ', '') ?? cookie;
    if (!name) return { kind: 'none' };
    const principal = PRINCIPALS[name];
    return principal ? { kind: 'ok', principal, via: header ? 'bearer' : 'cookie' } : { kind: 'invalid', reason: 'unknown' };
  },
  forgetKey() {},
} as Authenticator;

const TABLE: Record<string, Requirement> = {
  'GET /open': 'public',
  'GET /things/:id': 'read',
  'POST /things': 'admin',
  'POST /decide': 'decide',
  'GET /static{/*path}': 'public',
};

describe('the guard', () => {
  let server: Server;
  let as: (credential: string | null) => StackClient;
  let reached: string[] = [];
  before(async () => {
    const routes = Router();
    const reply = (name: string) => (req: import('express').Request, res: import('express').Response) => { reached.push(name); res.json({ route: name, actor: actorOf(req) }); };
    routes.get('/open', reply('open'));
    routes.get('/things/:id', reply('thing'));
    routes.post('/things', reply('create'));
    routes.post('/decide', reply('decide'));
    routes.get('/forgotten', reply('forgotten'));
    routes.use('/static', (_req, res) => { reached.push('static'); res.send('asset'); });
    const app = createApp({
      log: pino({ level: 'silent' }), routers: [routes],
      guard: (index) => [createGuard({ routes: index, table: TABLE, authenticator, decisionLimiter: createMemoryRateLimiter(), decisionLimit: 0, decisionWindowMs: 60_000 })],
    });
    server = createServer(app);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    as = (credential) => clientFor(`http://127.0.0.1:${port}`, credential);
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  it('lets anyone reach a public route', async () => {
    assert.equal((await as(null).get('/open')).status, 200);
    assert.equal((await as(null).get('/static/app.js')).body, 'asset');
  });

  it('answers 401 without credentials and with unknown ones, before the route runs', async () => {
    reached = [];
    const none = await as(null).get('/things/1');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="fraudguard"');
    assert.equal((await as('nobody').get('/things/1')).body.error.code, 'INVALID_CREDENTIALS');
    assert.deepEqual(reached, []);
  });

  it('answers 403 without the permission and lets the holder through with its identity', async () => {
    const refused = await as('reader').post('/things', {});
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /"admin" permission/);
    const allowed = await as('reader').get('/things/1');
    assert.deepEqual(allowed.body, { route: 'thing', actor: 'key:k1' });
    assert.equal((await as('admin').post('/things', {})).status, 200);
  });

  it('refuses a served route the table does not list to everyone, admin included (fail closed)', async () => {
    reached = [];
    const res = await as('admin').get('/forgotten');
    assert.equal(res.status, 403);
    assert.match(res.body.error.message, /declares no permission/);
    assert.deepEqual(reached, []);
  });

  it('leaves unknown paths to the 404 handler without asking for credentials or reading the body', async () => {
    const res = await as(null).post('/nowhere', '{not json');
    assert.equal(res.status, 404);
  });

  it('answers 405 with the methods it serves for a path served under other methods', async () => {
    const res = await as(null).request('DELETE', '/things/7');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.deepEqual(res.body.error, { code: 'METHOD_NOT_ALLOWED', message: '/things/7 answers GET, HEAD, not DELETE.' });
    assert.equal((await as('admin').request('PUT', '/things')).headers.get('allow'), 'POST');
    assert.deepEqual(reached, [], 'no route ran');
  });

  it('limits decision requests per key and says when to retry', async () => {
    assert.equal((await as('decider').post('/decide', {})).status, 200);
    assert.equal((await as('decider').post('/decide', {})).status, 200);
    const limited = await as('decider').post('/decide', {});
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });

  it('refuses a cookie-signed change from another site', async () => {
    const res = await as(null).post('/things', {}, { cookie: 'fg_session=admin', origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'CROSS_SITE_REQUEST');
  });
});
