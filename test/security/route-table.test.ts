import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { examplePath, indexRoutes, type ServedRoute } from '../../api/route-index.ts';
import { permissionsOf, ROLES, ROUTE_PERMISSIONS, SCOPES, type Principal } from '../../api/permissions.ts';
import { startStack, type StackClient, type TestStack } from '../support/stack.ts';
import { aUser, anApiKey, signIn } from '../support/principals.ts';

/** The routes the real app serves, read from express's router stack (every router start() wires). */
function servedRoutes(app: Express): ServedRoute[] {
  const router = (app as unknown as { router: Parameters<typeof indexRoutes>[0][number] }).router;
  return [...indexRoutes([router]).routes];
}

describe('the route table', () => {
  let stack: TestStack;
  let routes: ServedRoute[];
  before(async () => {
    stack = await startStack({ LOGIN_RATE_LIMIT_PER_IP: '1000' });
    routes = servedRoutes(stack.app as Express);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('declares a permission for every route the app serves', () => {
    assert.ok(routes.length > 20, `walked ${routes.length} routes`);
    const missing = routes.map((r) => r.key).filter((k) => !(k in ROUTE_PERMISSIONS));
    assert.deepEqual(missing, [], `add these to ROUTE_PERMISSIONS in api/permissions.ts: ${missing.join(', ')}`);
  });

  it('asks for credentials on every route but the public ones (/healthz, sign-in, the web application)', async () => {
    for (const r of routes) {
      const res = await stack.as(null).request(r.method, examplePath(r.pattern), r.method === 'GET' ? {} : { body: {} });
      if (ROUTE_PERMISSIONS[r.key] === 'public') assert.notEqual(res.status, 401, `${r.key} is public`);
      else assert.equal(res.status, 401, `${r.key} without credentials: ${JSON.stringify(res.body)}`);
    }
  });

  it('gives each role and each API-key scope exactly the routes its permissions name: 403 otherwise', async () => {
    const callers: { name: string; principal: Principal; client: StackClient }[] = [];
    for (const role of ROLES) {
      const user = await aUser(stack, [role]);
      callers.push({ name: `role ${role}`, principal: { kind: 'user', username: user.username, roles: [role], totpEnabled: false }, client: stack.as(await signIn(stack, user)) });
    }
    for (const scope of SCOPES) {
      const { id, key } = await anApiKey(stack, [scope]);
      callers.push({ name: `key scope ${scope}`, principal: { kind: 'key', id, name: scope, scopes: [scope], rateLimit: null }, client: stack.as(key) });
    }
    // Signing out ends the session the rest of the matrix uses: last.
    const ordered = [...routes].sort((a, b) => Number(a.key === 'POST /v1/auth/logout') - Number(b.key === 'POST /v1/auth/logout'));
    const problems: string[] = [];
    for (const r of ordered) {
      const need = ROUTE_PERMISSIONS[r.key];
      for (const c of callers) {
        const res = await c.client.request(r.method, examplePath(r.pattern), r.method === 'GET' ? {} : { body: {} });
        const refused = res.status === 403 && res.body?.error?.code === 'FORBIDDEN';
        const allowed = need === 'public' || need === 'authenticated' || (need !== undefined && permissionsOf(c.principal).has(need));
        if (res.status === 401) problems.push(`${c.name} ${r.key}: 401 ${JSON.stringify(res.body)}`);
        else if (allowed && refused) problems.push(`${c.name} ${r.key}: refused but its permissions include ${need}`);
        else if (!allowed && !refused) problems.push(`${c.name} ${r.key}: ${res.status} but it lacks ${need}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
