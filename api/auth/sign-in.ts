import type { UserRepository } from '../../activities/pg/user-repository.ts';
import { ApiError } from '../errors.ts';
import { ROLES, type Role } from '../permissions.ts';
import { retryAfterSeconds, type RateLimiter, type RateVerdict } from '../rate-limit.ts';
import { spendVerification, verifyPassword } from './passwords.ts';
import { newSecret, hashSecret, SESSION_PREFIX } from './tokens.ts';
import { checkTotp } from './totp.ts';

export interface SignInPolicy {
  maxFailures: number;
  perIp: number;
  perAccount: number;
  windowMs: number;
  sessionTtlSeconds: number;
}

export interface SignInDeps {
  users: UserRepository;
  limiter: RateLimiter;
  policy: SignInPolicy;
  onFailure?: (reason: 'rate_limited_ip' | 'rate_limited_account' | 'bad_password' | 'unknown_user' | 'locked' | 'bad_totp' | 'totp_required') => void;
  /** Called when failures lock an account (the route records it in the audit trail). */
  onLocked?: (username: string) => void;
}

export interface SignedIn {
  token: string;
  expiresAt: string;
  user: { username: string; roles: Role[]; totpEnabled: boolean };
}

const wrong = () => new ApiError(401, 'INVALID_LOGIN', 'The username or password is incorrect.');
const locked = (username: string, max: number) => new ApiError(423, 'ACCOUNT_LOCKED',
  `The account "${username}" is locked after ${max} failed sign-ins. Ask an administrator to unlock it (POST /v1/admin/users/${username}/unlock).`);

function throttled(v: RateVerdict, what: string): ApiError {
  return new ApiError(429, 'RATE_LIMITED', `Too many sign-in attempts ${what}; retry after ${retryAfterSeconds(v)} s.`, undefined, { retry_after: retryAfterSeconds(v) });
}

/**
 * Sign-in: throttled per client address and per account before any password is checked (argon2 is
 * deliberately costly), locked after `maxFailures` wrong passwords or codes in a row, and asking for
 * the TOTP code when the account has enrolled one.
 */
export function createSignIn(deps: SignInDeps) {
  const { policy } = deps;
  return async function signIn(input: { username: string; password: string; totp?: string | undefined }, ip: string): Promise<SignedIn> {
    const username = input.username.toLowerCase();
    const byIp = await deps.limiter.hit(`login:ip:${ip}`, policy.perIp, policy.windowMs);
    if (!byIp.allowed) { deps.onFailure?.('rate_limited_ip'); throw throttled(byIp, 'from this address'); }
    const byAccount = await deps.limiter.hit(`login:account:${username}`, policy.perAccount, policy.windowMs);
    if (!byAccount.allowed) { deps.onFailure?.('rate_limited_account'); throw throttled(byAccount, `for "${username}"`); }

    const user = await deps.users.credentials(username);
    if (!user) { await spendVerification(input.password); deps.onFailure?.('unknown_user'); throw wrong(); }
    if (user.lockedAt) { deps.onFailure?.('locked'); throw locked(username, policy.maxFailures); }

    const fail = async (reason: 'bad_password' | 'bad_totp', error: ApiError) => {
      deps.onFailure?.(reason);
      const after = await deps.users.recordFailure(username, policy.maxFailures);
      if (after?.locked) { deps.onLocked?.(username); return locked(username, policy.maxFailures); }
      return error;
    };
    if (!(await verifyPassword(user.passwordHash, input.password))) throw await fail('bad_password', wrong());

    if (user.totpEnabled && user.totpSecret) {
      if (!input.totp) {
        deps.onFailure?.('totp_required');
        throw new ApiError(401, 'TOTP_REQUIRED', 'This account uses a second factor: send the 6-digit code from the authenticator app as "totp".');
      }
      const step = await checkTotp(user.totpSecret, input.totp);
      if (step === null || !(await deps.users.acceptTotpStep(username, step))) {
        throw await fail('bad_totp', new ApiError(401, 'INVALID_TOTP', 'The authenticator code is wrong or was already used; wait for the next one.'));
      }
    }

    await deps.users.recordSuccess(username);
    const token = newSecret(SESSION_PREFIX);
    const { expiresAt } = await deps.users.createSession(hashSecret(token), username, policy.sessionTtlSeconds);
    return { token, expiresAt, user: { username, roles: user.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)), totpEnabled: user.totpEnabled } };
  };
}
export type SignIn = ReturnType<typeof createSignIn>;
