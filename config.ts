import { z } from 'zod';

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

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: urlOf(['postgres:', 'postgresql:']).optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier').default('public'),
  REDIS_URL: urlOf(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().default('fg:'),
  FEATURE_TIMEOUT_MS: z.coerce.number().int().positive().default(50),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('fraudguard'),
  FRAUDGUARD_DATA_DIR: z.string().default('.data'),
  FRAUDGUARD_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  FRAUDGUARD_ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
