import { z } from 'zod';

/**
 * Who hears about what: per event type, the channels, the recipients and the templates.
 * The defaults below apply unless NOTIFICATIONS (JSON) overrides them per event type; a channel
 * only sends when its transport is configured (WEBHOOK_URL, SMTP_URL + recipients, SLACK_WEBHOOK_URL).
 */
export const EVENT_TYPES = ['decision.declined', 'case.opened', 'case.escalated', 'case.overdue', 'case.resolved'] as const;
export type NotificationEventType = (typeof EVENT_TYPES)[number];

export const CHANNELS = ['webhook', 'email', 'slack'] as const;
export type Channel = (typeof CHANNELS)[number];

const eventRuleSchema = z.strictObject({
  channels: z.array(z.enum(CHANNELS)).optional(),
  webhook_url: z.url({ protocol: /^https?$/ }).optional().describe('Replaces WEBHOOK_URL for this event type'),
  email_to: z.array(z.email()).optional().describe('Replaces EMAIL_TO for this event type'),
  email_subject: z.string().min(1).optional(),
  email_body: z.string().min(1).optional(),
  slack_text: z.string().min(1).optional(),
});
export type EventRule = z.output<typeof eventRuleSchema>;

/** The NOTIFICATIONS setting: `{"case.escalated": {"channels": ["webhook", "email"], "email_to": ["leads@bank.example"]}}`. */
export const notificationRulesSchema = z.partialRecord(z.enum(EVENT_TYPES), eventRuleSchema);
export type NotificationRules = z.output<typeof notificationRulesSchema>;

interface Templates { email_subject: string; email_body: string; slack_text: string }

const DEFAULTS: Record<NotificationEventType, { channels: Channel[] } & Templates> = {
  'decision.declined': {
    channels: ['webhook'],
    email_subject: 'Declined: transaction {{transaction_id}} ({{amount}} {{currency}})',
    email_body: 'Transaction {{transaction_id}} of customer {{customer_id}} for {{amount}} {{currency}} was declined.\nReasons: {{reasons}}\nScore: {{score}}',
    slack_text: ':no_entry: Declined {{transaction_id}} — {{amount}} {{currency}}, customer {{customer_id}}: {{reasons}}',
  },
  'case.opened': {
    channels: ['webhook'],
    email_subject: 'Review case {{case_id}} opened ({{amount}} {{currency}})',
    email_body: 'Transaction {{transaction_id}} of customer {{customer_id}} for {{amount}} {{currency}} needs review.\nReasons: {{reasons}}\nSLA due: {{sla_due_at}}',
    slack_text: ':mag: Review case {{case_id}} — {{amount}} {{currency}}, customer {{customer_id}}: {{reasons}} (due {{sla_due_at}})',
  },
  'case.escalated': {
    channels: ['webhook', 'email', 'slack'],
    email_subject: 'Case {{case_id}} escalated to {{tier}}',
    email_body: 'Case {{case_id}} (transaction {{transaction_id}}, {{amount}} {{currency}}) was escalated from {{from_tier}} to {{tier}} by {{by}}: {{reason}}.\nNew SLA due: {{sla_due_at}}',
    slack_text: ':arrow_up: Case {{case_id}} escalated {{from_tier}} → {{tier}} ({{reason}}); due {{sla_due_at}}',
  },
  'case.overdue': {
    channels: ['webhook', 'email', 'slack'],
    email_subject: 'Case {{case_id}} is overdue at tier {{tier}}',
    email_body: 'Case {{case_id}} (transaction {{transaction_id}}, {{amount}} {{currency}}) has passed its {{tier}} SLA with no tier left to escalate to.',
    slack_text: ':rotating_light: Case {{case_id}} is overdue at {{tier}}',
  },
  'case.resolved': {
    channels: ['webhook'],
    email_subject: 'Case {{case_id}} {{outcome}}',
    email_body: 'Case {{case_id}} (transaction {{transaction_id}}, {{amount}} {{currency}}) was {{outcome}} by {{by}}. Reason code: {{reason_code}}',
    slack_text: ':white_check_mark: Case {{case_id}} {{outcome}} by {{by}} ({{reason_code}})',
  },
};

export interface Transports {
  webhookUrl: string | undefined;
  smtpConfigured: boolean;
  emailTo: string[];
  slackWebhookUrl: string | undefined;
}

/** One event type's resolved rule: the channels that will send, where to, and with which templates. */
export interface EventPlan extends Templates {
  channels: Channel[];
  webhookUrl: string | undefined;
  emailTo: string[];
}

export function planFor(type: NotificationEventType, rules: NotificationRules, transports: Transports): EventPlan {
  const rule: EventRule = rules[type] ?? {};
  const base = DEFAULTS[type];
  const webhookUrl = rule.webhook_url ?? transports.webhookUrl;
  const emailTo = rule.email_to ?? transports.emailTo;
  const ready: Record<Channel, boolean> = {
    webhook: webhookUrl !== undefined,
    email: transports.smtpConfigured && emailTo.length > 0,
    slack: transports.slackWebhookUrl !== undefined,
  };
  return {
    channels: (rule.channels ?? base.channels).filter((c) => ready[c]),
    webhookUrl, emailTo,
    email_subject: rule.email_subject ?? base.email_subject,
    email_body: rule.email_body ?? base.email_body,
    slack_text: rule.slack_text ?? base.slack_text,
  };
}

/** `{{name}}` placeholders filled from the event's data; an unknown name renders empty (a template typo must not block a notification). */
export function render(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi, (_m, name: string) => {
    const v = data[name];
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** The channels that will send each event type under this configuration. */
export function channelsByEventType(rules: NotificationRules, transports: Transports): Record<NotificationEventType, Channel[]> {
  return Object.fromEntries(EVENT_TYPES.map((t) => [t, planFor(t, rules, transports).channels])) as Record<NotificationEventType, Channel[]>;
}
