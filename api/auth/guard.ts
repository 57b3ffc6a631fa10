import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { setPrincipal } from '../actor.ts';
import { ApiError } from '../errors.ts';
import { allows, actorName, type Principal, type Requirement } from '../permissions.ts';
import { retryAfterSeconds, type RateLimiter } from '../rate-limit.ts';
import { patternMatcher, type RouteIndex } from '../route-index.ts';
import type { Authenticator } from './authenticator.ts';

export interface GuardDeps {
  routes: RouteIndex;
  /** ROUTE_PERMISSIONS, passed in so tests can check the guard against a table of their own. */
  table: Readonly<Record<string, Requirement>>;
  authenticator: Authenticator;
  decisionLimiter: RateLimiter;
  /** Decision requests per window and key unless the key sets its own; 0 = no limit. */
  decisionLimit: number;
  decisionWindowMs: number;
  onRefused?: (reason: string) => void;
  onRateLimited?: () => void;
}

/** The route pattern a request reached (`POST /v1/rulesets/:name`), for logs, metrics and the audit trail. */
export const routeKeyOf = (res: Response): string | undefined => res.locals['routeKey'] as string | undefined;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication and authorization in one place, before the body is parsed and before any route:
 * finds the route express will run (api/route-index.ts), looks its permission up in the table, and
 * lets the request through only if the caller holds it. A route the table does not list is refused
 * to everyone (fail closed); a path no route serves leaves for the 404 handler.
 */
export function createGuard(deps: GuardDeps): RequestHandler {
  // Table rows no route serves (static assets under a mount, routes not wired in this process).
  const servedKeys = new Set(deps.routes.routes.map((r) => r.key));
  const unserved = patternMatcher(Object.keys(deps.table).filter((k) => !servedKeys.has(k)));

  return async (req: Request, res: Response, next: NextFunction) => {
    let key: string | null;
    try {
      key = deps.routes.find(req.method, req.path)?.key ?? unserved(req.method, req.path);
    } catch {
      throw new ApiError(400, 'MALFORMED_PATH', 'The request path is not validly percent-encoded.');
    }
    // No route: leave this router for the 404 handler (its routers are never entered).
    if (!key) { next('router'); return; }
    res.locals['routeKey'] = key;
    const need = deps.table[key];
    if (need === 'public') { next(); return; }

    const auth = await deps.authenticator.authenticate(req);
    if (auth.kind !== 'ok') {
      deps.onRefused?.(auth.kind === 'none' ? 'no_credentials' : 'invalid_credentials');
      res.setHeader('WWW-Authenticate', 'Bearer realm="fraudguard"');
      throw auth.kind === 'none'
        ? new ApiError(401, 'UNAUTHENTICATED', 'This route needs credentials: send "Authorization: Bearer <api key>", or sign in with POST /v1/auth/login.')
        : new ApiError(401, 'INVALID_CREDENTIALS', `The credentials were refused: ${auth.reason}.`);
    }
    const principal = auth.principal;
    setPrincipal(req, principal);
    if (auth.via === 'cookie' && UNSAFE.has(req.method)) checkSameOrigin(req);

    if (need === undefined) {
      deps.onRefused?.('route_not_in_table');
      throw new ApiError(403, 'FORBIDDEN', `${key} declares no permission in api/permissions.ts, so nobody may call it yet.`);
    }
    if (!allows(principal, need)) {
      deps.onRefused?.('missing_permission');
      throw new ApiError(403, 'FORBIDDEN', `${key} needs the "${need}" permission, which ${describe(principal)} does not have.`, undefined, { required: need });
    }
    if (need === 'decide') await limitDecisions(deps, principal, res);
    next();
  };
}

function describe(p: Principal): string {
  return p.kind === 'key' ? `API key ${p.id} (scopes: ${p.scopes.join(', ')})` : `user ${p.username} (roles: ${p.roles.join(', ') || 'none'})`;
}

async function limitDecisions(deps: GuardDeps, principal: Principal, res: Response): Promise<void> {
  const limit = (principal.kind === 'key' ? principal.rateLimit : null) ?? deps.decisionLimit;
  if (limit === 0) return;
  const verdict = await deps.decisionLimiter.hit(`decide:${actorName(principal)}`, limit, deps.decisionWindowMs);
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - verdict.count)));
  if (verdict.allowed) return;
  deps.onRateLimited?.();
  res.setHeader('Retry-After', String(retryAfterSeconds(verdict)));
  throw new ApiError(429, 'RATE_LIMITED',
    `This key may make ${limit} decision requests per ${deps.decisionWindowMs / 1000} s; retry after ${retryAfterSeconds(verdict)} s, or ask an administrator to raise its rate_limit.`);
}

/**
 * Cookies travel with cross-site requests that browsers allow, and the API reads any body as JSON;
 * SameSite=Strict already keeps the session cookie off cross-site requests, and this refuses a
 * cookie-authenticated change whose Origin is another site, for browsers that do not honour it.
 */
function checkSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  let crossOrigin = site === 'cross-site';
  if (origin && origin !== 'null') {
    try { crossOrigin ||= new URL(origin).host !== req.headers.host; } catch { crossOrigin = true; }
  } else if (origin === 'null') crossOrigin = true;
  if (crossOrigin) throw new ApiError(403, 'CROSS_SITE_REQUEST', 'A change signed in with a cookie must come from this site; machine clients use an Authorization header.');
}
