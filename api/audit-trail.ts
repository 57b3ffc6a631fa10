import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AuditRecord } from '../activities/pg/audit-repository.ts';
import { canonicalJson } from '../activities/audit-chain.ts';
import { redactSecrets } from '../observability/redact.ts';
import { actorOf } from './actor.ts';
import { routeKeyOf } from './auth/guard.ts';

/**
 * The audit trail's one entry point: every successful change made through the API (a mutating
 * request answered below 400) is recorded with who, when, what route, on what, a redacted summary of
 * the body and the status. A route that knows the state before and after its change says so with
 * `noteAudit(res, { target, before, after })`; a refused attempt worth keeping (an account locked by
 * failed sign-ins) is recorded when the route notes it with `always: true`.
 *
 * The entry is written before the response leaves, so a client that got 2xx knows it is recorded.
 */
export interface AuditNote {
  /** What was changed, e.g. `ruleset:default@3`, `user:alice`, `api-key:key_1a2b`. */
  target?: string;
  before?: unknown;
  after?: unknown;
  /** A name for the change when the route pattern is not telling enough, e.g. `user.locked`. */
  action?: string;
  /** Who acted when the request has no principal (sign-in). */
  actor?: string;
  /** Record even though the response is an error. */
  always?: boolean;
}

export function noteAudit(res: Response, note: AuditNote): void {
  res.locals['audit'] = { ...(res.locals['audit'] as AuditNote | undefined), ...note };
}

export interface AuditTrailDeps {
  append(rec: AuditRecord): Promise<unknown>;
  /** Routes whose requests are data, not changes (decisions, labels): not recorded unless noted. */
  skip(routeKey: string): boolean;
  log: Logger;
  onFailure?: () => void;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Bodies larger than this are summarised by their digest (the change itself is in before/after). */
const MAX_BODY_CHARS = 16_000;

export function bodySummary(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  const redacted = redactSecrets(body);
  const text = canonicalJson(redacted);
  if (text.length <= MAX_BODY_CHARS) return redacted;
  return { truncated: true, chars: text.length, sha256: createHash('sha256').update(text).digest('hex') };
}

export function auditTrail(deps: AuditTrailDeps): RequestHandler {
  return (req: Request, res: Response, next) => {
    if (!MUTATING.has(req.method)) { next(); return; }
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    (res as { end: (...args: unknown[]) => Response }).end = (...args: unknown[]) => {
      const note = res.locals['audit'] as AuditNote | undefined;
      const routeKey = routeKeyOf(res) ?? `${req.method} ${req.path}`;
      const wanted = note?.always || (res.statusCode < 400 && !deps.skip(routeKey));
      if (!wanted) return end(...args);
      const record: AuditRecord = {
        actor: note?.actor ?? actorOf(req),
        action: note?.action ?? routeKey,
        target: note?.target ?? req.path,
        status: res.statusCode,
        request: { method: req.method, path: req.path, params: req.params, body: bodySummary(req.body) },
        before: note?.before,
        after: note?.after,
      };
      deps.append(record)
        .catch((err: unknown) => {
          deps.onFailure?.();
          deps.log.error({ err, action: record.action, target: record.target, actor: record.actor }, 'audit entry could not be written');
        })
        .finally(() => end(...args));
      return res;
    };
    next();
  };
}
