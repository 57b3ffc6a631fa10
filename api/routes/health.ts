import { Router } from 'express';
import { withTimeout } from '../../activities/with-timeout.ts';

export type HealthCheck = () => Promise<void>;

/** GET /healthz: 200 only when every dependency answers within the timeout; the body says which failed. */
export function healthRoutes(checks: Record<string, HealthCheck>, timeoutMs = 2_000): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await withTimeout(check(), timeoutMs);
        return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
      } catch (err) {
        return [name, { ok: false, error: (err as Error).message }] as const;
      }
    }));
    const ok = results.every(([, r]) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  return router;
}
