import { Router } from 'express';
import { z } from 'zod';
import type { ApiKeyRecord, ApiKeyRepository } from '../../activities/pg/api-key-repository.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { API_KEY_PREFIX, displayPrefix, hashSecret, newId, newSecret } from '../auth/tokens.ts';
import { notFound } from '../errors.ts';
import { SCOPES } from '../permissions.ts';
import { parseInput } from '../parse-input.ts';

const createSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).transform((s) => [...new Set(s)]),
  rate_limit: z.number().int().positive().max(10_000_000).nullable().optional()
    .describe('Decision requests per rate window for this key; omitted or null = the configured default'),
});

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const apiKeyRequests = { create: createSchema };

export const apiKeyView = (k: ApiKeyRecord) => ({
  id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, rate_limit: k.rateLimit, created_by: k.createdBy, created_at: k.createdAt,
  last_used_at: k.lastUsedAt, revoked_at: k.revokedAt, revoked_by: k.revokedBy, active: k.revokedAt === null,
});

export interface ApiKeyRouteDeps {
  keys: ApiKeyRepository;
  /** Makes this process stop accepting a revoked key at once (others within the key cache time). */
  forgetKey(id: string): void;
}

/** POST/GET /v1/admin/api-keys, DELETE /v1/admin/api-keys/:id. A key is shown once, when created. */
export function apiKeyRoutes(deps: ApiKeyRouteDeps): Router {
  const router = Router();

  router.post('/v1/admin/api-keys', async (req, res) => {
    const parsed = parseInput(createSchema, req.body);
    const key = newSecret(API_KEY_PREFIX);
    const record = await deps.keys.insert({
      id: newId('key'), name: parsed.name, keyHash: hashSecret(key), prefix: displayPrefix(key),
      scopes: parsed.scopes, rateLimit: parsed.rate_limit ?? null, createdBy: actorOf(req),
    });
    noteAudit(res, { target: `api-key:${record.id}`, after: apiKeyView(record) });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ ...apiKeyView(record), key, note: 'Store the key now: it is not shown again.' });
  });

  router.get('/v1/admin/api-keys', async (_req, res) => {
    res.json({ api_keys: (await deps.keys.list()).map(apiKeyView) });
  });

  router.delete('/v1/admin/api-keys/:id', async (req, res) => {
    const id = req.params['id'] as string;
    const before = await deps.keys.get(id);
    if (!before) throw notFound(`API key "${id}"`);
    const after = await deps.keys.revoke(id, actorOf(req));
    deps.forgetKey(id);
    noteAudit(res, { target: `api-key:${id}`, before: apiKeyView(before), after: after && apiKeyView(after) });
    res.json(after && apiKeyView(after));
  });

  return router;
}
