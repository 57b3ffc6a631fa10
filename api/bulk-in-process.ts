import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DecideTransactionInput } from '../activities/decision-activities.ts';
import type { DecisionLedger } from '../activities/decision-ledger.ts';
import type { DecisionRepository } from '../activities/pg/decision-repository.ts';
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import { decidedBatchWorkflow, type BatchDecisionSummary } from '../workflows/decided-batch.ts';
import { transactionWorkflowId } from '../workflows/transaction.ts';
import { asError, type DecideMany } from './bulk-decisions.ts';
import { forEachConcurrently } from './bounded-concurrency.ts';

export interface InProcessBulkDeps {
  /** Steps 1–4 as the transaction workflow runs them (the same activity function), without a ledger. */
  decide: (input: DecideTransactionInput) => Promise<Decision>;
  decisions: Pick<DecisionRepository, 'getMany'>;
  ledger: Pick<DecisionLedger, 'commitMany'>;
  temporal: Client;
  taskQueue: string;
  /**
   * Transactions being decided at once (default: the whole batch). Many at once keep Redis, the event
   * loop and the scoring thread busy together; `decide`'s feature timeout must then allow for that
   * many Redis scripts queueing (about 100 µs each on the server).
   */
  inFlight?: number;
  log?: Logger;
}

/**
 * Decides a bulk request's batch received at `receivedAtMs`; `throughWorkflows` is the way round when
 * Postgres cannot be read: each transaction through its own workflow, as a single request goes.
 */
export type BulkInProcess = (receivedAtMs: number, throughWorkflows: DecideMany) => DecideMany;

/** Decisions committed in one statement while the rest of the batch is decided. */
const COMMIT_WAVE = 200;
/** Follow-ups per batch workflow: keeps its input well under Temporal's payload limits. */
export const HAND_OFF_CHUNK = 100;

/**
 * A bulk request decided in the API process: the same steps 1–4 as a transaction's workflow, for the
 * whole batch at once (Redis calls pipelined, one ONNX run per model for many rows), instead of a
 * workflow round trip per transaction, which costs the Temporal server more than the decision itself.
 *
 * Durable before the answer, idempotent by transaction id, one decision per id across every path:
 * 1. ids already decided answer with their recorded decision;
 * 2. the others are decided and committed to the decision record a few hundred per statement while
 *    the rest is decided; an id some other request committed first (the same id sent alone, or in
 *    another bulk request, meanwhile) answers with that decision instead;
 * 3. the committed decisions that need follow-up (REVIEW opens a case, DECLINE notifies) are handed to
 *    their transaction workflows (`tx-<id>`, the single route's) through one batch workflow start,
 *    whose history also lists every decision of the request. A follow-up whose hand-off fails is
 *    answered as not decided: resubmitting returns its recorded decision and hands it off again, as
 *    does any later request for the id (a workflow already running for it is left as it is).
 * With Postgres unreadable the batch goes through the transaction workflows one by one (the single
 * route's path); should it fail at a commit, those decisions are handed to their transaction
 * workflows, which record them once Postgres returns.
 */
export function inProcessBulk(deps: InProcessBulkDeps): BulkInProcess {
  return (receivedAtMs, throughWorkflows) => async (txs) => {
    const out = new Map<string, Decision | Error>();
    let recorded: Map<string, Decision>;
    try {
      recorded = await deps.decisions.getMany(txs.map((t) => t.id));
    } catch (err) {
      deps.log?.warn({ err, transactions: txs.length }, 'bulk request: decision record unreadable, deciding each transaction through its workflow');
      return throughWorkflows(txs);
    }
    for (const [id, d] of recorded) out.set(id, d);

    const batchId = `bulk-${randomUUID()}`;
    const todo = txs.filter((tx) => !recorded.has(tx.id));
    const made: Made[] = [];
    const wave: Made[] = [];
    const commits: Promise<void>[] = [];
    const commit = (items: Made[]) => { if (items.length) commits.push(commitOrHandOff(items, batchId, receivedAtMs, out)); };
    // A wave is committed while the rest is still being decided.
    await forEachConcurrently(todo, deps.inFlight ?? todo.length, async (tx) => {
      try {
        const decision = await deps.decide({ tx, receivedAtMs, workflowId: batchId });
        // A decision with follow-up is carried on by its transaction's workflow; one without names the batch's.
        const m = { tx, decision: decision.decision === 'APPROVE' ? decision : { ...decision, workflowId: transactionWorkflowId(tx.id) } };
        made.push(m);
        if (wave.push(m) >= COMMIT_WAVE) commit(wave.splice(0));
      } catch (err) {
        out.set(tx.id, asError(err));
      }
    });
    commit(wave.splice(0));
    await Promise.all(commits);

    const followUps = txs.flatMap((tx) => {
      const d = out.get(tx.id);
      return d && !(d instanceof Error) && d.decision !== 'APPROVE' ? [{ tx, decision: d }] : [];
    });
    const summary = made.map(({ tx, decision: d }): BatchDecisionSummary => ({ transactionId: tx.id, decision: d.decision, score: d.score, arm: d.arm, rulesetVersion: d.rulesetVersion }));
    if (made.length || followUps.length) await handOff(followUps, batchId, receivedAtMs, summary, out);
    return out;
  };

  /** Starts the batch workflow(s) carrying `items` on; those whose start failed are answered as not decided. */
  async function handOff(items: Made[], batchId: string, receivedAtMs: number, summary: BatchDecisionSummary[] | undefined, out: Map<string, Decision | Error>): Promise<void> {
    const parts = chunks(items, HAND_OFF_CHUNK);
    if (parts.length === 0) parts.push([]);
    await Promise.all(parts.map(async (part, k) => {
      const workflowId = k === 0 ? batchId : `${batchId}-${k}`;
      try {
        await deps.temporal.workflow.start(decidedBatchWorkflow, {
          workflowId, taskQueue: deps.taskQueue, args: [{ receivedAtMs, items: part, ...(k === 0 && summary ? { summary } : {}) }],
        });
      } catch (err) {
        deps.log?.warn({ err, workflowId, transactions: part.length }, 'bulk request: hand-off to the transaction workflows failed');
        for (const { tx } of part) out.set(tx.id, new Error(`recorded, but its follow-up could not be handed to Temporal (${(err as Error).message})`));
      }
    }));
  }

  /** Commits decisions; should Postgres fail, each goes to its transaction's workflow, which records it once Postgres returns. */
  async function commitOrHandOff(items: Made[], batchId: string, receivedAtMs: number, out: Map<string, Decision | Error>): Promise<void> {
    try {
      for (const [id, d] of await deps.ledger.commitMany(items)) out.set(id, d);
    } catch (err) {
      deps.log?.warn({ err, batchId }, 'bulk request: decision record unwritable, handing each decision to its transaction workflow');
      // The REVIEWs and DECLINEs go to their workflows with the request's follow-ups, once; the APPROVEs here.
      const approvals = items.filter(({ decision }) => decision.decision === 'APPROVE')
        .map(({ tx, decision }) => ({ tx, decision: { ...decision, workflowId: transactionWorkflowId(tx.id) } }));
      for (const { tx, decision } of [...items, ...approvals]) out.set(tx.id, decision);
      await handOff(approvals, `${batchId}-record-${randomUUID().slice(0, 8)}`, receivedAtMs, undefined, out);
    }
  }
}

type Made = { tx: Transaction; decision: Decision };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
