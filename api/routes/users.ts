import { Router } from 'express';
import { z } from 'zod';
import type { UserRecord, UserRepository } from '../../activities/pg/user-repository.ts';
import type { FieldIssue } from '../../engine/transaction.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblems } from '../auth/passwords.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { ROLES } from '../permissions.ts';
import { parseInput } from '../parse-input.ts';

const username = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'must be 2–64 characters: letters, digits, . _ @ -');
const roles = z.array(z.enum(ROLES)).transform((r) => [...new Set(r)]);
const createSchema = z.strictObject({ username, password: z.string().max(MAX_PASSWORD_LENGTH * 2), roles: roles.default([]) });
const patchSchema = z.strictObject({
  roles: roles.optional(),
  password: z.string().max(MAX_PASSWORD_LENGTH * 2).optional().describe('Sets a new password and signs the user out everywhere'),
  reset_totp: z.literal(true).optional().describe('Removes the second factor (lost phone); the user can enrol again'),
});

export const userView = (u: UserRecord) => ({
  username: u.username, roles: u.roles, totp_enabled: u.totpEnabled, locked: u.lockedAt !== null, locked_at: u.lockedAt,
  failed_logins: u.failedLogins, created_by: u.createdBy, created_at: u.createdAt,
});

function checkPassword(password: string, name: string, field = 'password'): void {
  const problems = passwordProblems(password, name);
  if (problems.length) throw invalid(problems.map((reason): FieldIssue => ({ field, reason })), 'The password does not meet the password rules.');
}

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const userRequests = { create: createSchema, patch: patchSchema };

/** Administration of people: create, list, change roles or password, reset TOTP, unlock. */
export function userRoutes(deps: { users: UserRepository }): Router {
  const router = Router();

  router.post('/v1/admin/users', async (req, res) => {
    const u = parseInput(createSchema, req.body);
    checkPassword(u.password, u.username);
    const created = await deps.users.insert({ username: u.username, passwordHash: await hashPassword(u.password), roles: u.roles, createdBy: actorOf(req) });
    if (!created) throw conflict(`The username "${u.username}" is taken.`);
    noteAudit(res, { target: `user:${created.username}`, after: userView(created) });
    res.status(201).json(userView(created));
  });

  router.get('/v1/admin/users', async (_req, res) => {
    res.json({ users: (await deps.users.list()).map(userView) });
  });

  router.patch('/v1/admin/users/:username', async (req, res) => {
    const name = (req.params['username'] as string).toLowerCase();
    const p = parseInput(patchSchema, req.body);
    const before = await deps.users.get(name);
    if (!before) throw notFound(`User "${name}"`);
    if (p.password !== undefined) checkPassword(p.password, name);
    if (p.roles) await deps.users.setRoles(name, p.roles);
    if (p.password !== undefined) {
      await deps.users.setPassword(name, await hashPassword(p.password));
      await deps.users.deleteSessions(name);
    }
    if (p.reset_totp) await deps.users.resetTotp(name);
    const after = (await deps.users.get(name)) as UserRecord;
    noteAudit(res, { target: `user:${name}`, before: userView(before), after: { ...userView(after), password_changed: p.password !== undefined } });
    res.json(userView(after));
  });

  router.post('/v1/admin/users/:username/unlock', async (req, res) => {
    const name = (req.params['username'] as string).toLowerCase();
    const before = await deps.users.get(name);
    if (!before) throw notFound(`User "${name}"`);
    const after = (await deps.users.unlock(name)) as UserRecord;
    noteAudit(res, { target: `user:${name}`, action: 'user.unlocked', before: userView(before), after: userView(after) });
    res.json(userView(after));
  });

  return router;
}
