import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryAttempt, DeliveryRepository } from '../pg/delivery-repository.ts';
import type { Mailer } from './email.ts';
import { redact } from './http-post.ts';
import { planFor, render, EVENT_TYPES, type Channel, type EventPlan, type NotificationEventType, type NotificationRules, type Transports } from './policy.ts';
import { sendSlack } from './slack.ts';
import { sendWebhook } from './webhook.ts';

/** Something that happened and is worth telling: built by the workflow, so it is the same on every retry. */
export interface NotificationEvent {
  /** Stable per event (e.g. `case-tx1:3`): the Idempotency-Key header and the deliveries row's key. */
  key: string;
  type: NotificationEventType;
  /** When it happened (ISO, the workflow's clock). */
  at: string;
  transactionId: string;
  caseId: string | null;
  data: Record<string, string | number | boolean | null>;
}

/** What the notifiers count (observability/metrics.ts implements it). */
export interface NotifyObserver {
  /** One failed try on a channel; dead when it was the last and the notification became a dead letter. */
  notificationFailed(channel: string, dead?: boolean): void;
}

export interface NotifyDeps {
  deliveries: DeliveryRepository;
  rules: NotificationRules;
  transports: Transports;
  webhookSecret: string | undefined;
  timeoutMs: number;
  mailer: Mailer | null;
  observer?: NotifyObserver | undefined;
}

/** The webhook body: exactly these bytes are signed and sent, on every attempt. */
export const webhookBody = (e: NotificationEvent) => JSON.stringify({ id: e.key, type: e.type, occurred_at: e.at, data: e.data });

export function createNotifyActivities(deps: NotifyDeps) {
  const plans = Object.fromEntries(EVENT_TYPES.map((t) => [t, planFor(t, deps.rules, deps.transports)])) as Record<NotificationEventType, EventPlan>;

  const recipientOf = (channel: Channel, plan: EventPlan): string => {
    if (channel === 'webhook') return plan.webhookUrl ? redact(plan.webhookUrl) : '(none)';
    if (channel === 'email') return plan.emailTo.join(', ');
    return deps.transports.slackWebhookUrl ? redact(deps.transports.slackWebhookUrl) : '(none)';
  };
  const attemptOf = (channel: Channel, event: NotificationEvent): DeliveryAttempt => ({
    idempotencyKey: event.key, channel, eventType: event.type, transactionId: event.transactionId, caseId: event.caseId,
    recipient: recipientOf(channel, plans[event.type]), payload: { at: event.at, data: event.data },
  });

  async function send(channel: Channel, event: NotificationEvent): Promise<void> {
    const plan = plans[event.type];
    const data = { ...event.data, event_type: event.type, occurred_at: event.at };
    if (channel === 'webhook') {
      if (!plan.webhookUrl || !deps.webhookSecret) throw ApplicationFailure.nonRetryable('no webhook is configured for this event type any more', 'NotificationUnconfigured');
      await sendWebhook({ url: plan.webhookUrl, secret: deps.webhookSecret, idempotencyKey: event.key, body: webhookBody(event), timeoutMs: deps.timeoutMs });
    } else if (channel === 'email') {
      if (!deps.mailer || plan.emailTo.length === 0) throw ApplicationFailure.nonRetryable('no SMTP server or recipients are configured for this event type any more', 'NotificationUnconfigured');
      await deps.mailer.send({ to: plan.emailTo, subject: render(plan.email_subject, data), text: render(plan.email_body, data), idempotencyKey: event.key });
    } else {
      if (!deps.transports.slackWebhookUrl) throw ApplicationFailure.nonRetryable('no Slack webhook is configured any more', 'NotificationUnconfigured');
      await sendSlack(deps.transports.slackWebhookUrl, render(plan.slack_text, data), event.key, deps.timeoutMs);
    }
  }

  return {
    /**
     * One try at one channel. Throws to be retried by the activity's retry policy; a notification
     * already delivered (a retried workflow or activity) is not sent again.
     */
    async deliverNotification({ channel, event }: { channel: Channel; event: NotificationEvent }): Promise<'delivered' | 'already_delivered'> {
      const { status } = await deps.deliveries.attempt(attemptOf(channel, event));
      if (status === 'delivered') return 'already_delivered';
      try {
        await send(channel, event);
      } catch (err) {
        deps.observer?.notificationFailed(channel);
        await deps.deliveries.failed(event.key, channel, (err as Error).message).catch(() => undefined);
        throw err;
      }
      await deps.deliveries.delivered(event.key, channel);
      return 'delivered';
    },

    /** After the last try: keep the notification and its error for a person to act on. */
    async recordDeadLetter({ channel, event, error }: { channel: Channel; event: NotificationEvent; error: string }): Promise<void> {
      if (await deps.deliveries.deadLetter(attemptOf(channel, event), error)) deps.observer?.notificationFailed(channel, true);
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
