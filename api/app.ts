import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorHandler, ApiError, sendError } from './errors.ts';

export interface AppParts {
  log: Logger;
  /** Routers mounted in order (each resource's routes). */
  routers: RequestHandler[];
  /** Largest accepted JSON body; bigger bodies get 413. */
  bodyLimit?: string;
}

/** The express application: strict JSON in, JSON out, errors mapped in one place. */
export function createApp({ log, routers, bodyLimit = '1mb' }: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  // Every body is read as JSON whatever its Content-Type says: `curl -d '{…}'` sends
  // application/x-www-form-urlencoded, and a fraud API has no form endpoints to confuse it with.
  // strict: only objects and arrays at the top level.
  app.use(express.json({ limit: bodyLimit, strict: true, type: () => true }));
  for (const router of routers) app.use(router);
  app.use((req, res) => sendError(res, new ApiError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}.`)));
  app.use(errorHandler(log));
  return app;
}
