import { z } from 'zod';
import { notificationRulesSchema } from './activities/notify/policy.ts';
import { fxRatesSchema } from './engine/fx-rates.ts';
import { issuesOf } from './engine/transaction.ts';

/**
 * The whole runtime configuration, parsed once from the environment at start and passed down.
 * Unset service URLs mean "embedded": the project starts its own Postgres / in-process feature
 * store / Temporal dev server, so `npm start` works on a machine with nothing installed.
 */
const urlOf = (protocols: string[]) =>
  z.string().trim().refine((v) => {
    try { return protocols.includes(new URL(v).protocol); } catch { return false; }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const port = z.coerce.number().int().min(0).max(65535);

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration such as `500ms`, `30s`, `15m`, `4h`, `2d`, in milliseconds. */
export const duration = z.string().trim().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 15m, 4h or 2d')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(v) as RegExpExecArray;
    return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  })
  .refine((ms) => ms > 0, 'must be longer than 0');

/** A yes/no switch: true/false, 1/0, yes/no, on/off. */
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const jsonOf = <T extends z.ZodType>(schema: T) => z.string().transform((v, ctx) => {
  try { return JSON.parse(v) as unknown; } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be JSON: ${(err as Error).message}` });
    return z.NEVER;
  }
}).pipe(schema);

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: urlOf(['postgres:', 'postgresql:']).optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier').default('public'),
  REDIS_URL: urlOf(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().default('fg:'),
  FEATURE_TIMEOUT_MS: z.coerce.number().int().positive().default(50),
  // Conversion rates into one base currency for the amount_base fact, as JSON: {"EUR":1,"USD":0.92,…}.
  FX_RATES: jsonOf(fxRatesSchema).optional(),
  // How far after this server's clock a transaction's occurred_at may lie before the API refuses it (400):
  // senders' clocks drift a little; a payment stamped far ahead would reset its entities' features.
  OCCURRED_AT_MAX_AHEAD: duration.prefault('15m'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('fraudguard'),
  // Temporal's web UI beside the embedded dev server (TEMPORAL_ADDRESS unset), on 127.0.0.1; `off`: none.
  TEMPORAL_UI_PORT: z.union([z.literal('off'), port.min(1)], { error: 'must be a port number (1 to 65535) or off' }).default(8233),
  FRAUDGUARD_DATA_DIR: z.string().default('.data'),
  // The data set a `dataset` simulation replays (monthly YYYY-MM.csv.gz), relative to the project.
  SIMULATION_DATA_DIR: z.string().default('../shared/data'),
  FRAUDGUARD_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  // With the role `all`: start each transaction's workflow eagerly and answer from its local activity in
  // process (api/routes/decisions.ts); false keeps to update-with-start for every decision.
  TEMPORAL_EAGER_START: flag.default(true),
  // The stack trace query (`temporal workflow stack`) needs the SDK to record a stack for every promise a
  // workflow creates, about a quarter of the worker's CPU a decision (docs/reliability.md): off unless asked for.
  TEMPORAL_WORKFLOW_STACK_TRACES: flag.default(false),
  FRAUDGUARD_ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Review cases: each tier's SLA (a case unresolved that long escalates to the next tier) and
  // how long a claim may sit idle before it returns to the queue.
  CASE_SLA_L1: duration.prefault('4h'),
  CASE_SLA_L2: duration.prefault('8h'),
  CASE_SLA_LEAD: duration.prefault('24h'),
  CASE_IDLE_RELEASE: duration.prefault('30m'),
  // Notifications (see activities/notify/policy.ts for the per-event-type defaults NOTIFICATIONS overrides).
  WEBHOOK_URL: urlOf(['http:', 'https:']).optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_TIMEOUT: duration.prefault('10s'),
  SMTP_URL: urlOf(['smtp:', 'smtps:']).optional(),
  EMAIL_FROM: z.string().min(3).default('FraudGuard <fraudguard@localhost>'),
  EMAIL_TO: z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)).pipe(z.array(z.email())).prefault(''),
  SLACK_WEBHOOK_URL: urlOf(['http:', 'https:']).optional(),
  NOTIFICATIONS: jsonOf(notificationRulesSchema).prefault('{}'),
  // Each delivery retries with exponential back-off (×2) from the initial interval up to the maximum
  // interval, NOTIFY_MAX_ATTEMPTS tries in all; then it is recorded as a dead letter.
  NOTIFY_RETRY_INITIAL: duration.prefault('1s'),
  NOTIFY_RETRY_MAX_INTERVAL: duration.prefault('5m'),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  // Security (api/auth, api/permissions.ts). Four-eyes: publishing a ruleset version or changing the
  // deployment needs an approval by someone other than the change's author.
  FOUR_EYES: flag.default(true),
  SESSION_TTL: duration.prefault('8h'),
  SESSION_IDLE: duration.prefault('30m'),
  // Secure session cookies: 'auto' marks them Secure when the request came over HTTPS (see TRUST_PROXY).
  SESSION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  // Failed sign-ins in a row (wrong password or code) before an account locks until an admin unlocks it.
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  // Sign-in attempts per client address and per account within LOGIN_RATE_WINDOW, before 429.
  LOGIN_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(20),
  LOGIN_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW: duration.prefault('5m'),
  // Decision requests per key within DECISION_RATE_WINDOW (a key's own rate_limit overrides; 0 = no limit).
  DECISION_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  DECISION_RATE_WINDOW: duration.prefault('1m'),
  // How long an API process trusts a looked-up API key: a key revoked elsewhere stops working within it.
  AUTH_CACHE: duration.prefault('5s'),
  // Behind a reverse proxy: 'true', a hop count or a list of proxy addresses (express's "trust proxy"),
  // so client addresses (sign-in throttling) and HTTPS (cookies) are read from X-Forwarded-*.
  TRUST_PROXY: z.string().trim().default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  // Observability: OpenTelemetry traces go to this OTLP/HTTP collector when set (off otherwise);
  // METRICS_PORT, when set, serves /metrics without credentials on a port of its own (private network only).
  OTEL_EXPORTER_OTLP_ENDPOINT: urlOf(['http:', 'https:']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('fraudguard'),
  METRICS_PORT: port.optional(),
}).refine((c) => !c.WEBHOOK_URL || c.WEBHOOK_SECRET, {
  path: ['WEBHOOK_SECRET'], message: 'is required when WEBHOOK_URL is set: every webhook is signed',
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable is treated as unset: `DATABASE_URL= npm start` means "use the embedded default".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(issuesOf(parsed.error).map((i) => `${i.field}: ${i.reason}`));
  }
  return parsed.data;
}
