import { Router } from 'express';
import { z } from 'zod';
import { APPROVAL_ACTIONS, type Approval, type ApprovalRepository } from '../../activities/pg/approval-repository.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { parseInput } from '../parse-input.ts';

const requestSchema = z.strictObject({
  action: z.enum(APPROVAL_ACTIONS),
  subject: z.string().trim().min(1).max(200).describe('ruleset.publish: "<ruleset>@<version>"; deployment.change: the digest the deployment route reports'),
  comment: z.string().max(2000).optional(),
});
const listSchema = z.object({ status: z.enum(['pending', 'approved', 'rejected', 'used']).optional() });

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const approvalRequests = { create: requestSchema, list: listSchema };

export const approvalView = (a: Approval) => ({
  id: a.id, action: a.action, subject: a.subject, comment: a.comment, status: a.status, requested_by: a.requestedBy, requested_at: a.requestedAt,
  decided_by: a.decidedBy, decided_at: a.decidedAt, used_by: a.usedBy, used_at: a.usedAt,
});

/** Four-eyes requests and decisions (api/four-eyes.ts explains the flow). */
export function approvalRoutes(deps: { approvals: ApprovalRepository }): Router {
  const router = Router();

  router.post('/v1/approvals', async (req, res) => {
    const parsed = parseInput(requestSchema, req.body);
    const created = await deps.approvals.request({ ...parsed, requestedBy: actorOf(req) });
    noteAudit(res, { target: `approval:${created.id}`, after: approvalView(created) });
    res.status(201).json(approvalView(created));
  });

  router.get('/v1/approvals', async (req, res) => {
    const parsed = parseInput(listSchema, req.query);
    res.json({ approvals: (await deps.approvals.list(parsed)).map(approvalView) });
  });

  for (const [verb, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/v1/approvals/:id/${verb}`, async (req, res) => {
      const id = Number(req.params['id']);
      const before = Number.isSafeInteger(id) ? await deps.approvals.get(id) : null;
      if (!before) throw notFound(`Approval ${req.params['id']}`);
      const actor = actorOf(req);
      if (before.requestedBy === actor) {
        throw new ApiError(403, 'FOUR_EYES', `You requested approval ${id}; someone else with approvals:grant must ${verb} it.`);
      }
      if (before.status !== 'pending') throw conflict(`Approval ${id} is ${before.status}, no longer pending.`);
      const after = await deps.approvals.decide(id, actor, status);
      if (!after) throw conflict(`Approval ${id} was decided by someone else meanwhile.`);
      noteAudit(res, { target: `approval:${id}`, action: `approval.${status}`, before: approvalView(before), after: approvalView(after) });
      res.json(approvalView(after));
    });
  }

  return router;
}
