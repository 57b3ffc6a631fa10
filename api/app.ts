import express, { Router, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorHandler, ApiError, sendError } from './errors.ts';
import { indexRoutes, type RouteIndex } from './route-index.ts';
import { routeKeyOf } from './auth/guard.ts';

export interface AppParts {
  log: Logger;
  /** Routers mounted in order (each resource's routes). */
  routers: RequestHandler[];
  /**
   * Runs before the body is parsed and before any route, given the index of the routes the routers
   * serve: authentication, authorization and rate limits (api/auth/guard.ts). Required, so no app
   * is ever built with open routes.
   */
  guard: (routes: RouteIndex) => RequestHandler[];
  /** Runs after the body is parsed, before the routes (the audit trail). */
  beforeRoutes?: RequestHandler[];
  /** Largest accepted JSON body; bigger bodies get 413. */
  bodyLimit?: string;
}

/**
 * Routes (`METHOD /pattern`, as in the permission table) allowed a larger body than the default: a model
 * upload carries its ONNX file (base64) and tree structure, read once the guard let its caller in.
 */
// A bulk request holds up to 1,000 transactions, each with up to 50 metadata values: at a few KB of
// metadata each, 1,000 valid transactions pass 1 MB.
const LARGE_BODIES: Record<string, string> = { 'POST /v1/models': '48mb', 'POST /v1/decisions/bulk': '16mb' };

/** The express application: strict JSON in, JSON out, errors mapped in one place. */
export function createApp({ log, routers, guard, beforeRoutes = [], bodyLimit = '1mb' }: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  // The guard leaves this router (next('router')) for a path no route serves, so unknown paths get
  // the 404 below without credentials and without their body being read.
  const guarded = Router();
  const index = indexRoutes(routers);
  for (const handler of guard(index)) guarded.use(handler);
  // Every body is read as JSON whatever its Content-Type says: `curl -d '{…}'` sends
  // application/x-www-form-urlencoded, and a fraud API has no form endpoints to confuse it with.
  // strict: only objects and arrays at the top level.
  const parse = (limit: string) => express.json({ limit, strict: true, type: () => true });
  const json = parse(bodyLimit);
  const larger = new Map(Object.entries(LARGE_BODIES).map(([route, limit]) => [route, parse(limit)]));
  guarded.use((req, res, next) => { (larger.get(routeKeyOf(res) ?? '') ?? json)(req, res, next); });
  for (const handler of beforeRoutes) guarded.use(handler);
  for (const router of routers) guarded.use(router);
  app.use(guarded);
  app.use((req, res) => {
    // A path served under other methods: 405 with what it answers (RFC 9110), not "no route".
    const allowed = index.methodsFor(req.path);
    if (allowed.length === 0) { sendError(res, new ApiError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}.`)); return; }
    res.setHeader('Allow', allowed.join(', '));
    sendError(res, new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.path} answers ${allowed.join(', ')}, not ${req.method}.`));
  });
  app.use(errorHandler(log));
  return app;
}
