import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import { transactionWorkflow, transactionWorkflowId } from './transaction.ts';

export interface DecidedBatchInput {
  receivedAtMs: number;
  /** Decisions made in process by a bulk request, each to be carried on by its transaction's workflow. */
  items: { tx: Transaction; decision: Decision }[];
  /**
   * Every decision of the request in brief, so the batch's history shows each one (those without
   * follow-up, APPROVEs, have no workflow of their own). Only on the request's first batch workflow.
   */
  summary?: BatchDecisionSummary[];
}

export interface BatchDecisionSummary {
  transactionId: string;
  decision: Decision['decision'];
  score: number | null;
  arm: string;
  rulesetVersion: string;
}

/**
 * Hands each decision of a bulk request to its own transaction workflow (workflow id from the
 * transaction id, as for a single request), which records it durably and branches: a REVIEW opens
 * its case, a DECLINE notifies. Started with one call by the API, so the hand-off of a whole batch is
 * durable before the API answers. A transaction whose workflow already exists (the same id sent
 * alone meanwhile) is left to that workflow: its decision is the one recorded and acted on.
 */
export async function decidedBatchWorkflow(input: DecidedBatchInput): Promise<{ started: number; alreadyRunning: number }> {
  let alreadyRunning = 0;
  await Promise.all(input.items.map(async ({ tx, decision }) => {
    try {
      await startChild(transactionWorkflow, {
        workflowId: transactionWorkflowId(tx.id),
        args: [{ tx, receivedAtMs: input.receivedAtMs, decided: decision }],
        // The transaction's workflow outlives this batch (a review case can stay open for days).
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyRunning += 1;
    }
  }));
  return { started: input.items.length - alreadyRunning, alreadyRunning };
}
