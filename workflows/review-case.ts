import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { createActor } from 'xstate';
import type { CaseActivities } from '../activities/case-activities.ts';
import type { BranchSettings } from '../activities/branch-activities.ts';
import type { NotificationEvent } from '../activities/notify/notify-activities.ts';
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import { actionInputProblem, CASE_ACTIONS, caseIdOf, caseQuery, caseUpdates, eventOf, type CaseActionInput } from './case-actions.ts';
import {
  caseMachine, caseView, isResolved, nextDeadline, refusal, statusOf, SYSTEM_ACTOR,
  type CaseEmitted, type CaseEvent, type CaseSnapshot, type Resolution,
} from './case-machine.ts';
import { transactionData, type Notify } from './notify.ts';

// The mirror and the label must eventually land whatever happens to Postgres or the feature store:
// retry without limit, backing off to a minute (as for the decision record).
const caseIo = proxyActivities<CaseActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface ReviewInput {
  tx: Transaction;
  decision: Decision;
  settings: BranchSettings;
  notify: Notify;
}

/** A refusal the API shows as 409: the message says why and what to do instead. */
const refused = (why: string) => ApplicationFailure.create({ message: why, type: 'CaseTransitionRefused', nonRetryable: true });

/**
 * Step 6 for a REVIEW: the case lives here, in the transaction's workflow, until an analyst resolves it.
 * Analyst actions arrive as updates, the clock (SLA, idle claim) as workflow timers; each transition
 * is mirrored to Postgres, the machine's emitted events become notifications, and the resolution a label.
 * Everything the machine sees comes from the history (updates, timers, Date.now of the workflow), so a
 * replay on another worker rebuilds the same case.
 */
export async function reviewCase({ tx, decision, settings, notify }: ReviewInput): Promise<Resolution> {
  const caseId = caseIdOf(tx.id);
  const { workflowId } = workflowInfo();
  const actor = createActor(caseMachine(), { input: { caseId, openedAt: Date.now(), policy: settings.casePolicy } });
  const emitted: CaseEmitted[] = [];
  let machineError: unknown = null;
  actor.on('*', (e) => { emitted.push(e); });
  // An observer for errors keeps xstate from rethrowing them on a setTimeout (a timer, in a workflow).
  actor.subscribe({ error: (err) => { machineError = err; } });
  actor.start();

  const background: Promise<unknown>[] = [];
  const base = transactionData(tx, decision);
  let seq = 0;

  /** Mirrors the transition just made and queues the notifications it emitted. */
  const mirror = (type: string, from: CaseSnapshot | null, by: string, at: number, payload: Record<string, unknown>) => {
    seq += 1;
    const snapshot = actor.getSnapshot();
    const written = caseIo.recordCaseTransition({
      caseId, transactionId: tx.id, workflowId, seq, type, from: from && statusOf(from), fromTier: from?.context.tier ?? null,
      actor: by, at, payload, view: caseView(snapshot),
    });
    for (const e of emitted.splice(0)) background.push(notify(notificationOf(e, seq)));
    return written;
  };

  const apply = (event: CaseEvent) => {
    const before = actor.getSnapshot();
    const why = refusal(before, event);
    if (why) throw refused(why);
    actor.send(event);
    if (machineError) throw machineError;
    const { type, at, actor: by = SYSTEM_ACTOR, ...payload } = event as CaseEvent & { actor?: string };
    return mirror(type, before, by, at, payload);
  };

  const notificationOf = (e: CaseEmitted, n: number): NotificationEvent => {
    const view = caseView(actor.getSnapshot());
    const data: NotificationEvent['data'] = { ...base, case_id: caseId, tier: view.tier, sla_due_at: iso(view.slaDueAt) };
    if (e.type === 'case.escalated') Object.assign(data, { from_tier: e.from, tier: e.tier, by: e.by, reason: e.reason, automatic: e.automatic, sla_due_at: iso(e.slaDueAt) });
    if (e.type === 'case.resolved') Object.assign(data, { outcome: e.outcome, by: e.by, reason_code: e.reasonCode });
    return { key: `${caseId}:${n}`, type: e.type, at: iso(e.at) as string, transactionId: tx.id, caseId, data };
  };

  // Opened: the row exists before any handler can act, so the API finds every case it may act on.
  await mirror('OPENED', null, SYSTEM_ACTOR, Date.now(), { reasons: decision.reasons.map((r) => r.code) });
  const opened = caseView(actor.getSnapshot());
  background.push(notify({ key: `${caseId}:1`, type: 'case.opened', at: iso(opened.openedAt) as string, transactionId: tx.id, caseId,
    data: { ...base, case_id: caseId, tier: opened.tier, sla_due_at: iso(opened.slaDueAt) } }));

  for (const action of CASE_ACTIONS) {
    setHandler(caseUpdates[action], async (input) => {
      await apply(eventOf(action, input, Date.now()));
      return caseView(actor.getSnapshot());
    }, {
      // Runs before the update is accepted: a refused action is answered at once and leaves no trace in the history.
      validator: (input: unknown) => {
        const problem = actionInputProblem(action, input);
        if (problem) throw ApplicationFailure.create({ message: problem, type: 'InvalidCaseActionInput', nonRetryable: true });
        const why = refusal(actor.getSnapshot(), eventOf(action, input as CaseActionInput, Date.now()));
        if (why) throw refused(why);
      },
      description: `Analyst action on the review case: ${action}`,
    });
  }
  setHandler(caseQuery, () => caseView(actor.getSnapshot()));

  // The clock: one timer for the next deadline, re-armed whenever an analyst moves the case.
  while (!isResolved(actor.getSnapshot())) {
    const deadline = nextDeadline(actor.getSnapshot());
    const seen = seq;
    const moved = () => seq !== seen;
    if (deadline === null) { await condition(moved); continue; }
    if (await condition(moved, Math.max(deadline.at - Date.now(), 1))) continue;
    const event: CaseEvent = { type: deadline.type, at: Date.now() };
    if (refusal(actor.getSnapshot(), event) === null) await apply(event);
  }

  const resolution = actor.getSnapshot().context.resolution as Resolution;
  background.push(caseIo.recordLabel({
    transactionId: tx.id, customerId: tx.customer_id, merchantId: tx.merchant_id, occurredAtMs: tx.occurredAtMs,
    fraud: resolution.outcome === 'declined', knownAtMs: resolution.at, analyst: resolution.by, reasonCode: resolution.reasonCode,
  }));
  await Promise.all(background);
  // Late updates are refused by their validators; accepted ones finish their mirror before the workflow ends.
  await condition(allHandlersFinished);
  return resolution;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
