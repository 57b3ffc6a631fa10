import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { BranchSettings } from '../activities/branch-activities.ts';
import type { NotificationEvent, NotifyActivities } from '../activities/notify/notify-activities.ts';
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';

export type Notify = (event: NotificationEvent) => Promise<void>;

// Recording a dead letter must not be lost: retry like persistence, until Postgres takes it.
const deadLetters = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Sends one event on every configured channel, each channel its own activity with its own retries
 * (a failing Slack never re-sends the e-mail). Back-off is exponential (×2) from the configured
 * initial interval; after the last try the notification is a dead letter, and the workflow goes on.
 */
export function notifier(settings: BranchSettings): Notify {
  const { initialIntervalMs, maximumIntervalMs, maximumAttempts } = settings.notifyRetry;
  const { deliverNotification } = proxyActivities<NotifyActivities>({
    // Bounds one try (the HTTP timeout is shorter); a crashed worker's try is retried after it.
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: initialIntervalMs, backoffCoefficient: 2, maximumInterval: maximumIntervalMs, maximumAttempts },
  });
  return async (event) => {
    await Promise.all(settings.channels[event.type].map(async (channel) => {
      try {
        await deliverNotification({ channel, event });
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        await deadLetters.recordDeadLetter({ channel, event, error: err.cause?.message ?? err.message });
      }
    }));
  };
}

/** What every notification about a transaction says of it (template placeholders and webhook `data`). */
export function transactionData(tx: Transaction, d: Decision): NotificationEvent['data'] {
  return {
    transaction_id: tx.id, customer_id: tx.customer_id, merchant_id: tx.merchant_id, amount: tx.amount, currency: tx.currency,
    occurred_at: tx.occurred_at, decision: d.decision, score: d.score, arm: d.arm, ruleset_version: d.rulesetVersion,
    reasons: d.reasons.map((r) => r.code).join(', '),
  };
}

export function declinedEvent(tx: Transaction, d: Decision): NotificationEvent {
  return { key: `${d.workflowId}:decision.declined`, type: 'decision.declined', at: d.decidedAt, transactionId: tx.id, caseId: null, data: transactionData(tx, d) };
}
