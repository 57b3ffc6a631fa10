import assert from 'node:assert/strict';
import { uniqueName, type TestStack } from './stack.ts';

/** Factories for the people and machines a security test acts as, made through the admin API. */
export const TEST_PASSWORD = 'tidal-orbit-57-kestrel';

export async function aUser(stack: TestStack, roles: string[], opts: { username?: string; password?: string } = {}): Promise<{ username: string; password: string }> {
  const username = opts.username ?? uniqueName(roles[0] ?? 'user').toLowerCase().replaceAll('_', '-');
  const password = opts.password ?? TEST_PASSWORD;
  const res = await stack.post('/v1/admin/users', { username, password, roles });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { username, password };
}

/** Signs in and returns the session token. */
export async function signIn(stack: TestStack, user: { username: string; password: string }, totp?: string): Promise<string> {
  const res = await stack.as(null).post('/v1/auth/login', { username: user.username, password: user.password, ...(totp ? { totp } : {}) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.token as string;
}

export async function anApiKey(stack: TestStack, scopes: string[], rateLimit?: number): Promise<{ id: string; key: string }> {
  const res = await stack.post('/v1/admin/api-keys', { name: `test ${scopes.join('+')}`, scopes, ...(rateLimit ? { rate_limit: rateLimit } : {}) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id as string, key: res.body.key as string };
}
