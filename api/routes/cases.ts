import { Router, type Request } from 'express';
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { CaseQueue, QueuedCase } from '../../activities/pg/case-queue.ts';
import type { CaseRepository } from '../../activities/pg/case-repository.ts';
import type { DecisionRepository } from '../../activities/pg/decision-repository.ts';
import type { DeliveryRepository } from '../../activities/pg/delivery-repository.ts';
import { duration } from '../../config.ts';
import { ACTOR_PATTERN, CASE_ACTIONS, caseUpdates, REASON_CODE_PATTERN, REASON_MAX_LENGTH, type CaseAction, type CaseActionInput } from '../../workflows/case-actions.ts';
import { CASE_STATUSES, TIERS, type CaseStatus } from '../../workflows/case-machine.ts';
import { ApiError, conflict, invalid, notFound } from '../errors.ts';
import { actorOf as principalActor } from '../actor.ts';
import { decisionDetailView } from './decisions.ts';
import { parseInput } from '../parse-input.ts';
import { workflowEnding } from '../workflow-ending.ts';

export interface CaseRouteDeps {
  temporal: Client;
  queue: CaseQueue;
  cases: CaseRepository;
  decisions: DecisionRepository;
  deliveries: DeliveryRepository;
  /** Who is acting: by default the signed-in analyst (api/actor.ts). */
  actorOf?: (req: Request) => string | undefined;
}

const ACTIVE: CaseStatus[] = ['open', 'claimed', 'escalated'];
const statusList = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)).pipe(
  z.array(z.union([z.enum(CASE_STATUSES), z.literal('active'), z.literal('resolved'), z.literal('all')])).min(1))
  .transform((list) => [...new Set(list.flatMap((s): CaseStatus[] =>
    s === 'active' ? ACTIVE : s === 'resolved' ? ['resolved_approved', 'resolved_declined'] : s === 'all' ? [...CASE_STATUSES] : [s]))]);
const amount = z.coerce.number().nonnegative();
const score = z.coerce.number().min(0).max(1);

const queueQuery = z.strictObject({
  queue: z.enum(TIERS).optional().describe('The tier whose queue to list: L1, L2 or lead'),
  status: statusList.prefault('active').describe('Comma-separated statuses, or active (default), resolved, all'),
  min_age: z.union([z.string().regex(/^\d+$/).transform((s) => Number(s) * 1000), duration], 'must be a number of seconds or a duration such as 15m, 2h or 1d').optional()
    .describe('Only cases open at least this long: seconds, or a duration such as 15m'),
  amount_min: amount.optional(), amount_max: amount.optional(),
  score_min: score.optional(), score_max: score.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
}).refine((q) => !(q.amount_min !== undefined && q.amount_max !== undefined) || q.amount_min <= q.amount_max, { message: 'must not be above amount_max', path: ['amount_min'] })
  .refine((q) => !(q.score_min !== undefined && q.score_max !== undefined) || q.score_min <= q.score_max, { message: 'must not be above score_max', path: ['score_min'] });

const CASE_ID = /^case-[A-Za-z0-9._:@-]{1,128}$/;
const actionBodies: Record<CaseAction, z.ZodType<Omit<CaseActionInput, 'actor'>>> = {
  claim: z.strictObject({}),
  approve: z.strictObject({}),
  release: z.strictObject({}),
  decline: z.strictObject({ reason_code: z.string().regex(REASON_CODE_PATTERN, 'must be a code of letters, digits, _ . or -, e.g. STOLEN_CARD') })
    .transform((b) => ({ reasonCode: b.reason_code })),
  escalate: z.strictObject({ reason: z.string().trim().min(1, 'must say why').max(REASON_MAX_LENGTH) }),
};

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const caseRequests = { queue: queueQuery, actions: actionBodies };

/** The case as the queue and every action answer show it. */
export function caseJson(c: QueuedCase) {
  return {
    id: c.id, transaction_id: c.transactionId, status: c.status, queue: c.tier, claimed_by: c.claimedBy, claimed_at: c.claimedAt,
    sla_due_at: c.slaDueAt, overdue: c.overdue, escalations: c.escalations, opened_at: c.openedAt,
    resolution: c.resolution, resolved_by: c.resolvedBy, resolved_at: c.resolvedAt, reason_code: c.reasonCode,
    amount: c.amount, currency: c.currency, customer_id: c.customerId, merchant_id: c.merchantId, occurred_at: c.occurredAt,
    score: c.score, reasons: c.reasons,
  };
}

/** The review queue and the analyst actions; each action is forwarded to the case's workflow as an update. */
export function caseRoutes(deps: CaseRouteDeps): Router {
  const router = Router();
  const actorOf = deps.actorOf ?? principalActor;

  router.get('/v1/cases', async (req, res) => {
    const q = parseInput(queueQuery, req.query);
    const cases = await deps.queue.list({
      tier: q.queue, statuses: q.status, openedBefore: q.min_age === undefined ? undefined : new Date(Date.now() - q.min_age),
      amountMin: q.amount_min, amountMax: q.amount_max, scoreMin: q.score_min, scoreMax: q.score_max, limit: q.limit, offset: q.offset,
    });
    res.json({ cases: cases.map(caseJson), limit: q.limit, offset: q.offset });
  });

  router.get('/v1/cases/:id', async (req, res) => {
    const c = await deps.queue.get(req.params['id'] as string);
    if (!c) throw notFound(`Case "${req.params['id']}"`);
    const [transaction, decision, history, timeline, notifications] = await Promise.all([
      deps.queue.transactionBody(c.transactionId), deps.decisions.get(c.transactionId),
      deps.queue.customerHistory(c.customerId, c.transactionId), deps.cases.timeline(c.id), deps.deliveries.forTransaction(c.transactionId),
    ]);
    res.json({
      case: caseJson(c),
      transaction,
      // As GET /v1/decisions/:id shows it, so a client reads one shape of a decision wherever it finds one.
      decision: decision && decisionDetailView(decision),
      customer_history: history.map((h) => ({ transaction_id: h.transactionId, occurred_at: h.occurredAt, amount: h.amount, currency: h.currency,
        merchant_id: h.merchantId, decision: h.decision, score: h.score, fraud: h.label })),
      timeline: timeline.map((e) => ({ seq: e.seq, type: e.type, from: e.from, to: e.to, actor: e.actor, at: e.at, ...e.payload })),
      notifications: notifications.map((n) => ({ event_type: n.eventType, channel: n.channel, status: n.status, attempts: n.attempts,
        recipient: n.recipient, last_error: n.lastError, delivered_at: n.deliveredAt })),
    });
  });

  for (const action of CASE_ACTIONS) {
    router.post(`/v1/cases/:id/${action}`, async (req, res) => {
      const id = req.params['id'] as string;
      const actor = actorOf(req);
      if (!actor || !ACTOR_PATTERN.test(actor)) throw invalid([{ field: '(credentials)', reason: 'must name the analyst acting (letters, digits, . _ @ : -)' }], 'Sign in as the analyst who acts.');
      const body = parseInput(actionBodies[action], req.body ?? {});
      const workflowId = CASE_ID.test(id) ? await deps.cases.workflowOf(id) : null;
      if (!workflowId) throw notFound(`Case "${id}"`);
      await forward(deps.temporal, workflowId, action, { ...body, actor }, () => deps.queue.get(id));
      const c = await deps.queue.get(id);
      res.json(caseJson(c as QueuedCase));
    });
  }

  return router;
}

/** Sends the action to the case's workflow; a refusal by the machine becomes 409 with its reason. */
async function forward(temporal: Client, workflowId: string, action: CaseAction, input: CaseActionInput, current: () => Promise<QueuedCase | null>): Promise<void> {
  try {
    await temporal.workflow.getHandle(workflowId).executeUpdate(caseUpdates[action], { args: [input] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw conflict((err.cause as Error | undefined)?.message ?? err.message, { action });
    }
    if (!(err instanceof WorkflowNotFoundError || /already completed|not found/i.test((err as Error).message))) throw err;
    const c = await current();
    // The workflow ends after the case is resolved and everything after it is done.
    if (!c || c.status.startsWith('resolved')) throw conflict('The case is already resolved and closed; it cannot change any more.', { action });
    throw await endedUnresolved(temporal, workflowId, c, action);
  }
}

/**
 * The case's workflow was ended from outside (Temporal's CLI or UI: terminate, cancel, a timeout) with
 * the case unresolved, so nothing holds the case any more. Temporal's reset starts the workflow again from
 * its history, case included (its transitions are updates and timers in that history), which is the way on.
 */
async function endedUnresolved(temporal: Client, workflowId: string, c: QueuedCase, action: CaseAction): Promise<ApiError> {
  const ended = (await workflowEnding(temporal, workflowId)) ?? 'ended';
  const reset = `temporal workflow reset --workflow-id ${workflowId} --type LastWorkflowTask --reason "carry on with case ${c.id}"`;
  return new ApiError(409, 'CASE_WORKFLOW_ENDED',
    `The case is ${c.status}, but its workflow ${workflowId} was ${ended} outside FraudGuard before the case was resolved, so nothing can act on it. `
    + `Reset the workflow to carry on with the case where it was: ${reset}`,
    undefined, { action, workflow_id: workflowId, workflow_status: ended, reset });
}
