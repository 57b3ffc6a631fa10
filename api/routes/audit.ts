import { Router } from 'express';
import { z } from 'zod';
import type { AuditRepository } from '../../activities/pg/audit-repository.ts';
import { parseInput } from '../parse-input.ts';

const listSchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  target: z.string().max(300).optional(),
});

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const auditRequests = { list: listSchema };

/** Reading the audit trail and checking its chain (the same check as `fraudguard audit verify`). */
export function auditRoutes(deps: { audit: AuditRepository }): Router {
  const router = Router();
  router.get('/v1/admin/audit', async (req, res) => {
    const parsed = parseInput(listSchema, req.query);
    const entries = await deps.audit.list({ afterSeq: parsed.after, limit: parsed.limit, target: parsed.target });
    res.json({
      entries: entries.map(({ prevHash, ...entry }) => ({ ...entry, prev_hash: prevHash })),
      next_after: entries.at(-1)?.seq ?? parsed.after,
    });
  });
  router.get('/v1/admin/audit/verify', async (_req, res) => {
    const verdict = await deps.audit.verify();
    res.status(200).json(verdict);
  });
  return router;
}
