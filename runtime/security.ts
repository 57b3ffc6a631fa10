import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RequestHandler } from 'express';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import { createApiKeyRepository, type ApiKeyRepository } from '../activities/pg/api-key-repository.ts';
import { createApprovalRepository } from '../activities/pg/approval-repository.ts';
import { createAuditRepository, type AuditRepository } from '../activities/pg/audit-repository.ts';
import { createUserRepository } from '../activities/pg/user-repository.ts';
import { auditTrail } from '../api/audit-trail.ts';
import { createAuthenticator } from '../api/auth/authenticator.ts';
import { createGuard } from '../api/auth/guard.ts';
import { createSignIn } from '../api/auth/sign-in.ts';
import { API_KEY_PREFIX, displayPrefix, hashSecret, newSecret } from '../api/auth/tokens.ts';
import { createFourEyes, type FourEyes } from '../api/four-eyes.ts';
import { ROUTE_PERMISSIONS } from '../api/permissions.ts';
import { createMemoryRateLimiter, createRedisRateLimiter } from '../api/rate-limit.ts';
import type { RouteIndex } from '../api/route-index.ts';
import { apiKeyRoutes } from '../api/routes/api-keys.ts';
import { approvalRoutes } from '../api/routes/approvals.ts';
import { auditRoutes } from '../api/routes/audit.ts';
import { authRoutes } from '../api/routes/auth.ts';
import { userRoutes } from '../api/routes/users.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface SecurityDeps {
  db: Db;
  redis: Redis | null;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Shows the one-time bootstrap key to the operator (stdout by default); never the logger. */
  announce: (text: string) => void;
}

export interface Security {
  guard: (routes: RouteIndex) => RequestHandler[];
  auditTrail: RequestHandler;
  routers: RequestHandler[];
  fourEyes: FourEyes;
  audit: AuditRepository;
}

/** The id of the key FRAUDGUARD_ADMIN_API_KEY provisions: one row, replaced when the variable changes. */
export const ENV_ADMIN_KEY_ID = 'key_env_admin';

/**
 * Everything about who may do what, assembled from configuration: the guard, the audit trail, the
 * auth and admin routes, four-eyes, and the first admin credential.
 */
export async function createSecurity(deps: SecurityDeps): Promise<Security> {
  const { db, redis, config, log, metrics } = deps;
  const keys = createApiKeyRepository(db);
  const users = createUserRepository(db);
  const approvals = createApprovalRepository(db);
  const audit = createAuditRepository(db);

  await provisionAdminKey(keys, config, log, deps.announce);

  const limiter = redis ? createRedisRateLimiter({ redis, prefix: config.REDIS_KEY_PREFIX, log }) : createMemoryRateLimiter();
  const authenticator = createAuthenticator({ keys, users, keyCacheMs: config.AUTH_CACHE, sessionIdleSeconds: config.SESSION_IDLE / 1000 });
  const signIn = createSignIn({
    users, limiter,
    policy: {
      maxFailures: config.LOGIN_MAX_FAILURES, perIp: config.LOGIN_RATE_LIMIT_PER_IP, perAccount: config.LOGIN_RATE_LIMIT_PER_ACCOUNT,
      windowMs: config.LOGIN_RATE_WINDOW, sessionTtlSeconds: config.SESSION_TTL / 1000,
    },
    onFailure: (reason) => {
      metrics.authFailed(`login_${reason}`);
      if (reason === 'rate_limited_ip') metrics.rateLimited('login_ip');
      if (reason === 'rate_limited_account') metrics.rateLimited('login_account');
    },
    onLocked: (username) => log.warn({ username }, 'account locked after repeated failed sign-ins'),
  });
  const fourEyes = createFourEyes({ enabled: config.FOUR_EYES, approvals });

  return {
    guard: (routes) => [createGuard({
      routes, table: ROUTE_PERMISSIONS, authenticator,
      decisionLimiter: limiter, decisionLimit: config.DECISION_RATE_LIMIT, decisionWindowMs: config.DECISION_RATE_WINDOW,
      onRefused: (reason) => metrics.authFailed(reason),
      onRateLimited: () => metrics.rateLimited('decision'),
    })],
    auditTrail: auditTrail({
      append: (rec) => audit.append(rec),
      // Decisions and labels are the data the product processes, recorded in their own tables.
      skip: (routeKey) => ['decide', 'label'].includes(ROUTE_PERMISSIONS[routeKey] ?? ''),
      log, onFailure: () => metrics.auditWriteFailed(),
    }),
    routers: [
      authRoutes({ signIn, users, secureCookie: config.SESSION_COOKIE_SECURE }),
      apiKeyRoutes({ keys, forgetKey: (id) => authenticator.forgetKey(id) }),
      userRoutes({ users }),
      approvalRoutes({ approvals }),
      auditRoutes({ audit }),
    ],
    fourEyes,
    audit,
  };
}

/**
 * FRAUDGUARD_ADMIN_API_KEY, when set, is (re)provisioned as an admin key at every start. Otherwise the
 * first start on an empty database creates a bootstrap admin key and shows it once; it is stored
 * hashed, so it can never be shown again, and it is never written to the log.
 */
async function provisionAdminKey(keys: ApiKeyRepository, config: Config, log: Logger, announce: (text: string) => void): Promise<void> {
  const fromEnv = config.FRAUDGUARD_ADMIN_API_KEY;
  if (fromEnv) {
    await keys.upsert({ id: ENV_ADMIN_KEY_ID, name: 'FRAUDGUARD_ADMIN_API_KEY', keyHash: hashSecret(fromEnv), prefix: displayPrefix(fromEnv), scopes: ['admin'], rateLimit: null, createdBy: 'environment' });
    await keys.markBootstrapped('environment');
    log.info({ keyId: ENV_ADMIN_KEY_ID }, 'admin API key provisioned from FRAUDGUARD_ADMIN_API_KEY');
    return;
  }
  const key = newSecret(API_KEY_PREFIX);
  const created = await keys.bootstrap({ id: 'key_bootstrap', name: 'bootstrap admin key', keyHash: hashSecret(key), prefix: displayPrefix(key), scopes: ['admin'], rateLimit: null, createdBy: 'bootstrap' });
  if (!created) return;
  log.info({ keyId: 'key_bootstrap' }, 'bootstrap admin API key created and shown once on the console');
  announce([
    '',
    '  FraudGuard: first start on an empty database. The bootstrap admin API key is',
    '',
    `      ${key}`,
    '',
    '  It is shown this once and stored only as a hash. Use it as "Authorization: Bearer <key>" to create',
    '  users and keys (POST /v1/admin/users, POST /v1/admin/api-keys), then revoke it',
    '  (DELETE /v1/admin/api-keys/key_bootstrap). To provision a key yourself, set FRAUDGUARD_ADMIN_API_KEY.',
    '',
  ].join('\n'));
}
