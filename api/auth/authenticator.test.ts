import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { createAuthenticator, type AuthenticatorDeps } from './authenticator.ts';

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } }) as unknown as Request;

describe('API key authentication while Postgres does not answer', () => {
  it('keeps a verified key working and asks the database again once per cache period, not per request', async () => {
    let now = 0;
    let down = false;
    let lookups = 0;
    const keys = {
      async findActive() {
        lookups += 1;
        if (down) throw new Error('timeout exceeded when trying to connect');
        return { id: 'key-1', name: 'switch', scopes: ['decide'], rateLimit: null };
      },
      async touch() {},
    } as unknown as AuthenticatorDeps['keys'];
    const auth = createAuthenticator({ keys, users: {} as AuthenticatorDeps['users'], keyCacheMs: 1_000, sessionIdleSeconds: 600, now: () => now });
    assert.equal((await auth.authenticate(bearer('fgk_secret'))).kind, 'ok');
    assert.equal(lookups, 1);

    down = true;
    now += 5_000;
    assert.equal((await auth.authenticate(bearer('fgk_secret'))).kind, 'ok', 'the key verified before');
    for (let i = 0; i < 5; i++) assert.equal((await auth.authenticate(bearer('fgk_secret'))).kind, 'ok');
    assert.equal(lookups, 2, 'one failed lookup, then trusted for the cache period');
    now += 1_500;
    await auth.authenticate(bearer('fgk_secret'));
    assert.equal(lookups, 3, 'asked again after the period');
  });

  it('refuses a key it never verified while the database cannot be asked', async () => {
    const keys = { async findActive() { throw new Error('connect ECONNREFUSED'); }, async touch() {} } as unknown as AuthenticatorDeps['keys'];
    const auth = createAuthenticator({ keys, users: {} as AuthenticatorDeps['users'], keyCacheMs: 1_000, sessionIdleSeconds: 600 });
    await assert.rejects(auth.authenticate(bearer('fgk_other')), /ECONNREFUSED/);
  });
});
