import type { RequestHandler, Response } from 'express';
import type { Metrics } from './metrics.ts';

/** Times every request, labelled by route pattern (never the raw path: ids would explode the series). */
export function httpMetrics(metrics: Pick<Metrics, 'httpRequest'>, routeOf: (res: Response) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = routeOf(res)?.replace(/^\S+ /, '') ?? 'unmatched';
      metrics.httpRequest(req.method, route, res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
}
