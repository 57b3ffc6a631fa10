import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { labelKey, type LabelRepository } from '../../activities/pg/label-repository.ts';
import { aheadOfClock } from '../../engine/transaction.ts';
import { labelWorkflow } from '../../workflows/label.ts';
import { invalid, notFound } from '../errors.ts';
import { parseInput } from '../parse-input.ts';

const labelSchema = z.strictObject({
  transaction_id: z.string().min(1).max(128),
  fraud: z.boolean(),
  source: z.enum(['analyst', 'chargeback', 'client', 'import']).default('client'),
  known_at: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' }).optional()
    .describe('When the label became known; defaults to now'),
  reason: z.string().max(500).optional(),
});

export interface LabelRouteDeps {
  labels: LabelRepository;
  temporal: Client;
  taskQueue: string;
  actorOf?: (req: import('express').Request) => string;
  /** How far after this server's clock `known_at` may lie (OCCURRED_AT_MAX_AHEAD): a label known years ahead would never count. */
  maxAheadMs: number;
}

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const labelRequests = { create: labelSchema };

/** POST /v1/labels: record a label (chargeback, analyst outcome, client report) and feed it to the feature store. */
export function labelRoutes(deps: LabelRouteDeps): Router {
  const router = Router();
  router.post('/v1/labels', async (req, res) => {
    const body = parseInput(labelSchema, req.body);
    const ahead = body.known_at && aheadOfClock(Date.parse(body.known_at), { nowMs: Date.now(), maxAheadMs: deps.maxAheadMs },
      'send when the label became known, or leave it out for now');
    if (ahead) throw invalid([{ field: 'known_at', reason: ahead }]);
    const tx = await deps.labels.transaction(body.transaction_id);
    if (!tx) throw notFound(`Transaction "${body.transaction_id}"`);
    const knownAt = body.known_at ? new Date(body.known_at).toISOString() : new Date().toISOString();
    // A verdict cannot be known before its payment happened (usually a time zone lost on the way): the
    // fraud-rate features would count it in windows that closed before the transaction existed.
    if (Date.parse(knownAt) < Date.parse(tx.occurredAt)) {
      throw invalid([{ field: 'known_at', reason: `is before the transaction happened (${tx.occurredAt}): a label becomes known after its payment; send the time with its offset` }]);
    }
    const record = { transactionId: body.transaction_id, fraud: body.fraud, source: body.source, knownAt, reason: body.reason,
      createdBy: deps.actorOf?.(req) ?? 'api' };
    const { inserted } = await deps.labels.record(record);
    try {
      await deps.temporal.workflow.start(labelWorkflow, {
        workflowId: `label-${labelKey(record)}`,
        taskQueue: deps.taskQueue,
        args: [{ transactionId: body.transaction_id, customerId: tx.customerId, merchantId: tx.merchantId, occurredAt: tx.occurredAt, fraud: body.fraud, knownAt }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    res.status(inserted ? 201 : 200).json({ transaction_id: body.transaction_id, fraud: body.fraud, source: body.source, known_at: knownAt, duplicate: !inserted });
  });
  return router;
}
