import { condition, defineQuery, defineUpdate, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createDecisionActivities } from '../activities/decision-activities.ts';
import type { createPersistenceActivities } from '../activities/persistence-activities.ts';
import type { BranchActivities } from '../activities/branch-activities.ts';
import type { Decision } from '../engine/decision.ts';
import { routeToArm } from '../engine/routing.ts';
import type { Transaction } from '../engine/transaction.ts';
import { declinedEvent, notifier } from './notify.ts';
import { reviewCase } from './review-case.ts';

export interface TransactionWorkflowInput {
  tx: Transaction;
  /** Epoch ms when the API received the request: the decision's latency is measured from here. */
  receivedAtMs: number;
  /**
   * Decided before the workflow started (a bulk request decides its batch in process, see
   * api/bulk-in-process.ts): steps 1–4 are skipped and the workflow persists and branches on it.
   */
  decided?: Decision;
  /**
   * Steps 1–4 and the decision record in one local activity (decideAndRecord): what this code does,
   * said by its starters in the input instead of by a patch marker, because the SDK records each
   * patch's first use with a search-attribute upsert too, a history event and a visibility write on
   * the server for every decision. Histories without it took the branch their patch markers say.
   */
  decideAndRecord?: boolean;
}

/** A transaction's workflow id: derived from its id, which makes every path to it idempotent. */
export const transactionWorkflowId = (transactionId: string) => `tx-${transactionId}`;

/** The API's update-with-start waits on this: it returns once steps 1–4 are done, long before the workflow ends. */
export const decideUpdate = defineUpdate<Decision>('decide');
export const decisionQuery = defineQuery<Decision | null>('decision');

// Steps 1–4 run as local activities: no task-queue round trip, so the caller's wait stays in
// milliseconds. Short timeouts with a few quick retries: a decision late by seconds is worthless,
// and the feature store degrades on its own rather than failing.
const decide = proxyLocalActivities<ReturnType<typeof createDecisionActivities>>({
  startToCloseTimeout: '2 seconds',
  retry: { initialInterval: '20 ms', backoffCoefficient: 2, maximumAttempts: 3 },
});

// Persistence must eventually succeed whatever happens to Postgres: retry without limit, backing
// off to a minute, so a database outage delays records but never loses them. A write takes
// milliseconds; 10 s bounds how long a crashed worker's attempt holds the record back.
const persist = proxyActivities<ReturnType<typeof createPersistenceActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// The worker's case and notification settings, read once and kept in the history: a replay, or a
// worker restarted with other settings, carries on with the SLAs and channels the case started with.
const branch = proxyLocalActivities<BranchActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Steps 1–4 as one local activity rather than four: three activation round trips fewer per decision. */
const DECIDE_IN_ONE_LOCAL_ACTIVITY = 'decide-in-one-local-activity';
/**
 * That local activity also says whether its decision reached the ledger; when it did, the persistence
 * activity is skipped: an approved transaction's workflow then ends in its first workflow task, with
 * no activity task and second workflow task on the Temporal server (40 → 60 decisions a second at 32 in
 * flight on the 2-core development machine).
 */
const RECORDED_WITH_DECISION = 'recorded-with-decision';

export async function transactionWorkflow(input: TransactionWorkflowInput): Promise<Decision> {
  let decision: Decision | undefined;
  setHandler(decideUpdate, async () => {
    await condition(() => decision !== undefined);
    return decision as Decision;
  });
  setHandler(decisionQuery, () => decision ?? null);

  const { tx } = input;
  let recorded = false;
  if (input.decided) {
    // From the input, so replays take the same branch; histories without it never reach here.
    decision = input.decided;
  } else if (input.decideAndRecord || patched(RECORDED_WITH_DECISION)) {
    ({ decision, recorded } = await decide.decideAndRecord({ tx, receivedAtMs: input.receivedAtMs, workflowId: workflowInfo().workflowId }));
  } else if (patched(DECIDE_IN_ONE_LOCAL_ACTIVITY)) {
    decision = await decide.decideTransaction({ tx, receivedAtMs: input.receivedAtMs, workflowId: workflowInfo().workflowId });
  } else {
    // Histories recorded before the patch (open review cases among them) replay the four steps they ran.
    const deployment = await decide.currentDeployment();
    const route = routeToArm(deployment, tx);
    const arms = [route.acting, ...route.shadows];
    const { features, degraded } = await decide.lookupFeatures(tx, route.acting.name);
    const scores = await decide.scoreArms(arms.map((a) => ({ modelVersions: a.modelVersions, modelWeights: a.modelWeights })), features, tx.amountValue);
    decision = await decide.decideArms({
      tx, features, degraded, arms, scores,
      deploymentVersion: deployment.version,
      receivedAtMs: input.receivedAtMs,
      workflowId: workflowInfo().workflowId,
    });
  }

  // Without the ledger's word (Postgres unreachable when deciding, a bulk hand-off), recorded here, retried until it is.
  if (!recorded) await persist.recordDecision({ tx, decision });

  // 6. branch: a decline is announced; a review opens a case that lives here until an analyst resolves it.
  // Only the acting arm branches: shadow arms are recorded and never notify.
  if (decision.decision !== 'APPROVE') {
    const settings = await branch.branchSettings();
    const notify = notifier(settings);
    if (decision.decision === 'DECLINE') await notify(declinedEvent(tx, decision));
    else await reviewCase({ tx, decision, settings, notify });
  }
  return decision;
}
