import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { FeatureStore } from '../engine/features/store.ts';
import type { CasePolicy } from '../workflows/case-machine.ts';
import { createCaseActivities, type CaseObserver } from './case-activities.ts';
import { createMailer } from './notify/email.ts';
import { createNotifyActivities, type NotifyObserver } from './notify/notify-activities.ts';
import { channelsByEventType, type Channel, type NotificationEventType, type Transports } from './notify/policy.ts';
import { createCaseRepository } from './pg/case-repository.ts';
import { createDeliveryRepository } from './pg/delivery-repository.ts';
import { createLabelRepository } from './pg/label-repository.ts';

/** What the workflow needs to know of the worker's configuration for step 6; read once per workflow and kept in its history. */
export interface BranchSettings {
  casePolicy: CasePolicy;
  /** The channels that send each event type (only configured transports). */
  channels: Record<NotificationEventType, Channel[]>;
  notifyRetry: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
}

export function transportsOf(config: Config): Transports {
  return {
    webhookUrl: config.WEBHOOK_URL, smtpConfigured: config.SMTP_URL !== undefined,
    emailTo: config.EMAIL_TO, slackWebhookUrl: config.SLACK_WEBHOOK_URL,
  };
}

export function branchSettingsOf(config: Config): BranchSettings {
  return {
    casePolicy: {
      slaMs: { L1: config.CASE_SLA_L1, L2: config.CASE_SLA_L2, lead: config.CASE_SLA_LEAD },
      idleReleaseMs: config.CASE_IDLE_RELEASE,
    },
    channels: channelsByEventType(config.NOTIFICATIONS, transportsOf(config)),
    notifyRetry: { initialIntervalMs: config.NOTIFY_RETRY_INITIAL, maximumIntervalMs: config.NOTIFY_RETRY_MAX_INTERVAL, maximumAttempts: config.NOTIFY_MAX_ATTEMPTS },
  };
}

/** Step 6 (branch) activities: settings, case mirror and labels, notifications. */
export function createBranchActivities({ db, featureStore, config, observer }: {
  db: Db; featureStore: FeatureStore; config: Config; observer?: CaseObserver & NotifyObserver;
}) {
  const settings = branchSettingsOf(config);
  return {
    async branchSettings(): Promise<BranchSettings> { return settings; },
    ...createCaseActivities({ cases: createCaseRepository(db), labels: createLabelRepository(db), featureStore, observer }),
    ...createNotifyActivities({
      deliveries: createDeliveryRepository(db), rules: config.NOTIFICATIONS, transports: transportsOf(config),
      webhookSecret: config.WEBHOOK_SECRET, timeoutMs: config.WEBHOOK_TIMEOUT,
      mailer: config.SMTP_URL ? createMailer(config.SMTP_URL, config.EMAIL_FROM) : null, observer,
    }),
  };
}

export type BranchActivities = ReturnType<typeof createBranchActivities>;
