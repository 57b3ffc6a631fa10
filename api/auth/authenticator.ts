import type { Request } from 'express';
import type { ApiKeyRepository } from '../../activities/pg/api-key-repository.ts';
import type { UserRepository } from '../../activities/pg/user-repository.ts';
import { ROLES, SCOPES, type Principal, type Role, type Scope } from '../permissions.ts';
import { hashSecret, SESSION_PREFIX } from './tokens.ts';

export const SESSION_COOKIE = 'fg_session';

export type Authentication =
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'ok'; principal: Principal; via: 'bearer' | 'cookie'; sessionHash?: Buffer };

export interface AuthenticatorDeps {
  keys: ApiKeyRepository;
  users: UserRepository;
  /** How long a looked-up API key is trusted without asking the database again (revocation delay across processes). */
  keyCacheMs: number;
  sessionIdleSeconds: number;
  now?: () => number;
}

/** Reads the bearer from `Authorization: Bearer …`, else the session cookie. */
export function credentialOf(req: Request): { secret: string; via: 'bearer' | 'cookie' } | { malformed: true } | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? { secret: m[1] as string, via: 'bearer' } : { malformed: true };
  }
  const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
  return cookie ? { secret: cookie, via: 'cookie' } : null;
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

const known = <T extends string>(all: readonly string[], values: readonly string[]) => values.filter((v): v is T => all.includes(v));

/**
 * Who a request comes from. API keys are cached briefly in-process: a decision request must not wait
 * on Postgres each time. Revoking through this process forgets the key at once; other processes
 * stop accepting it within `keyCacheMs`.
 */
export function createAuthenticator(deps: AuthenticatorDeps) {
  const now = deps.now ?? Date.now;
  const keyCache = new Map<string, { principal: Principal & { kind: 'key' }; until: number }>();
  const touched = new Map<string, number>();

  async function byKey(secret: string): Promise<Authentication> {
    const hash = hashSecret(secret);
    const cacheKey = hash.toString('hex');
    const cached = keyCache.get(cacheKey);
    if (cached && cached.until > now()) return { kind: 'ok', principal: cached.principal, via: 'bearer' };
    let record: Awaited<ReturnType<ApiKeyRepository['findActive']>>;
    try {
      record = await deps.keys.findActive(hash);
    } catch (err) {
      // Postgres unreachable: a key this process has verified before keeps deciding (DESIGN.md: decisions
      // are still served while Postgres is down); its revocation takes effect when the database answers.
      // Trusted for another cache period: a database that hangs rather than refuses would otherwise hold
      // every request of the key for its connection timeout.
      if (cached) {
        cached.until = now() + deps.keyCacheMs;
        return { kind: 'ok', principal: cached.principal, via: 'bearer' };
      }
      throw err;
    }
    if (!record) { keyCache.delete(cacheKey); return { kind: 'invalid', reason: 'unknown or revoked API key' }; }
    const principal = { kind: 'key' as const, id: record.id, name: record.name, scopes: known<Scope>(SCOPES, record.scopes), rateLimit: record.rateLimit };
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(cacheKey, { principal, until: now() + deps.keyCacheMs });
    // last_used_at is informational: written at most once a minute per key, never awaited.
    if ((touched.get(record.id) ?? 0) < now() - 60_000) {
      touched.set(record.id, now());
      deps.keys.touch(record.id).catch(() => undefined);
    }
    return { kind: 'ok', principal, via: 'bearer' };
  }

  async function bySession(secret: string, via: 'bearer' | 'cookie'): Promise<Authentication> {
    const sessionHash = hashSecret(secret);
    const user = await deps.users.sessionUser(sessionHash, deps.sessionIdleSeconds);
    if (!user) return { kind: 'invalid', reason: 'the session has ended (signed out, expired, idle too long, or the account is locked): sign in again' };
    return { kind: 'ok', via, sessionHash, principal: { kind: 'user', username: user.username, roles: known<Role>(ROLES, user.roles), totpEnabled: user.totpEnabled } };
  }

  return {
    async authenticate(req: Request): Promise<Authentication> {
      const credential = credentialOf(req);
      if (!credential) return { kind: 'none' };
      if ('malformed' in credential) return { kind: 'invalid', reason: 'the Authorization header must be "Bearer <api key or session token>"' };
      if (credential.secret.startsWith(SESSION_PREFIX)) return bySession(credential.secret, credential.via);
      // Generated keys start with fgk_, but FRAUDGUARD_ADMIN_API_KEY may be any long secret: any other bearer is a key.
      if (credential.via === 'bearer') return byKey(credential.secret);
      return { kind: 'invalid', reason: 'the session cookie is not a session token: sign in again' };
    },

    /** Stops trusting a cached key at once (after revocation through this process). */
    forgetKey(id: string): void {
      for (const [k, v] of keyCache) if (v.principal.id === id) keyCache.delete(k);
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
