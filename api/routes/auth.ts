import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { UserRepository } from '../../activities/pg/user-repository.ts';
import { principalOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { credentialOf, SESSION_COOKIE } from '../auth/authenticator.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblems, verifyPassword } from '../auth/passwords.ts';
import type { SignIn } from '../auth/sign-in.ts';
import { hashSecret, SESSION_PREFIX } from '../auth/tokens.ts';
import { checkTotp, newTotpSecret, totpUri } from '../auth/totp.ts';
import { ApiError, invalid } from '../errors.ts';
import { parseInput } from '../parse-input.ts';
import { permissionsOf, type Principal } from '../permissions.ts';

const loginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  totp: z.string().max(10).optional(),
});
const passwordChangeSchema = z.strictObject({ current_password: z.string().min(1).max(MAX_PASSWORD_LENGTH), new_password: z.string().max(MAX_PASSWORD_LENGTH * 2) });
const enrolSchema = z.strictObject({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const codeSchema = z.strictObject({ totp: z.string().min(1).max(10) });

/** The request bodies, for the API's description (api/openapi.ts). */
export const authRequests = { login: loginSchema, passwordChange: passwordChangeSchema, enrol: enrolSchema, code: codeSchema };

export interface AuthRouteDeps {
  signIn: SignIn;
  users: UserRepository;
  /** Secure cookies: always, never, or when the request came over HTTPS ('auto'). */
  secureCookie: 'auto' | 'true' | 'false';
}

function signedInUser(req: Request): Principal & { kind: 'user' } {
  const p = principalOf(req);
  if (p?.kind !== 'user') throw new ApiError(400, 'NOT_A_USER', 'This route is for people signed in with a password; API keys have no password or second factor.');
  return p;
}

function sessionHashOf(req: Request): Buffer | undefined {
  const c = credentialOf(req);
  return c && 'secret' in c && c.secret.startsWith(SESSION_PREFIX) ? hashSecret(c.secret) : undefined;
}

/** Sign-in, sign-out, who am I, password change and TOTP enrolment for people. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();
  const cookie = (req: Request, value: string, maxAgeSeconds: number) => {
    const secure = deps.secureCookie === 'true' || (deps.secureCookie === 'auto' && req.secure);
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  };

  router.post('/v1/auth/login', async (req, res: Response) => {
    const body = parseInput(loginSchema, req.body);
    noteAudit(res, { actor: body.username.toLowerCase(), target: `user:${body.username.toLowerCase()}`, action: 'user.signed_in' });
    try {
      const session = await deps.signIn(body, req.ip ?? 'unknown');
      const maxAge = Math.max(0, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
      res.setHeader('Set-Cookie', cookie(req, session.token, maxAge));
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ token: session.token, expires_at: session.expiresAt,
        user: { username: session.user.username, roles: session.user.roles, totp_enabled: session.user.totpEnabled } });
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) res.setHeader('Retry-After', String(err.details?.['retry_after'] ?? 60));
      if (err instanceof ApiError && err.code === 'ACCOUNT_LOCKED') noteAudit(res, { action: 'user.sign_in_refused_locked', always: true });
      throw err;
    }
  });

  router.post('/v1/auth/logout', async (req, res) => {
    const hash = sessionHashOf(req);
    if (hash) await deps.users.deleteSession(hash);
    res.setHeader('Set-Cookie', cookie(req, '', 0));
    res.status(204).end();
  });

  router.get('/v1/auth/me', (req, res) => {
    const p = principalOf(req) as Principal;
    const permissions = [...permissionsOf(p)].sort();
    res.json(p.kind === 'user'
      ? { kind: 'user', username: p.username, roles: p.roles, permissions, totp_enabled: p.totpEnabled }
      : { kind: 'api_key', id: p.id, name: p.name, scopes: p.scopes, permissions, rate_limit: p.rateLimit });
  });

  router.post('/v1/auth/password', async (req, res) => {
    const user = signedInUser(req);
    const body = parseInput(passwordChangeSchema, req.body);
    const creds = await deps.users.credentials(user.username);
    if (!creds || !(await verifyPassword(creds.passwordHash, body.current_password))) {
      throw new ApiError(403, 'WRONG_PASSWORD', 'The current password is incorrect.');
    }
    const problems = passwordProblems(body.new_password, user.username);
    if (problems.length) throw invalid(problems.map((reason) => ({ field: 'new_password', reason })), 'The new password does not meet the password rules.');
    await deps.users.setPassword(user.username, await hashPassword(body.new_password));
    // Whoever else held a session of this account loses it with the old password.
    await deps.users.deleteSessions(user.username, sessionHashOf(req));
    noteAudit(res, { target: `user:${user.username}`, action: 'user.password_changed' });
    res.status(204).end();
  });

  router.post('/v1/auth/totp/enrol', async (req, res) => {
    const user = signedInUser(req);
    const body = parseInput(enrolSchema, req.body);
    const creds = await deps.users.credentials(user.username);
    // Re-entering the password keeps a borrowed session from replacing the account's second factor.
    if (!creds || !(await verifyPassword(creds.passwordHash, body.password))) throw new ApiError(403, 'WRONG_PASSWORD', 'The password is incorrect.');
    const secret = newTotpSecret();
    await deps.users.setPendingTotp(user.username, secret);
    noteAudit(res, { target: `user:${user.username}`, action: 'user.totp_enrolment_started' });
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ secret, otpauth_uri: totpUri(secret, user.username),
      next: 'Add the secret to an authenticator app, then POST /v1/auth/totp/verify {"totp": "<code>"} to turn the second factor on.' });
  });

  router.post('/v1/auth/totp/verify', async (req, res) => {
    const user = signedInUser(req);
    const body = parseInput(codeSchema, req.body);
    const creds = await deps.users.credentials(user.username);
    if (!creds?.totpSecret) throw new ApiError(409, 'NOT_ENROLLED', 'Start with POST /v1/auth/totp/enrol.');
    const step = await checkTotp(creds.totpSecret, body.totp);
    if (step === null || !(await deps.users.acceptTotpStep(user.username, step))) {
      throw new ApiError(400, 'INVALID_TOTP', 'The code is wrong or was already used; wait for the next one.');
    }
    noteAudit(res, { target: `user:${user.username}`, action: 'user.totp_enabled', before: { totp_enabled: creds.totpEnabled }, after: { totp_enabled: true } });
    res.json({ totp_enabled: true });
  });

  return router;
}
