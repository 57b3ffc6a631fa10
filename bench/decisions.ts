import { createServer } from 'node:http';
import express from 'express';
import { figure, printFigures, type BenchFigure } from './figure.ts';
import { runLoad, type LoadResult } from './http-load.ts';
import { startStack } from '../test/support/stack.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** A bare express endpoint that parses the same body and answers a fixed JSON: the ceiling for the HTTP layer. */
async function bareExpress(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json({ limit: '1mb', type: () => true }));
  app.post('/v1/decisions', (req, res) => { res.json({ transaction_id: (req.body as { id?: string }).id, decision: 'APPROVE' }); });
  const server = createServer(app);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/v1/decisions`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

const txBody = (run: string) => (i: number) => JSON.stringify({
  id: `${run}-${i}`, occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), amount: (5 + (i % 200)).toFixed(2),
  currency: 'EUR', customer_id: `c${i % 5000}`, merchant_id: `m${i % 1000}`,
});

export async function runDecisionsBench(): Promise<BenchFigure[]> {
  const bare = await bareExpress();
  const stack = await startStack({ LOG_LEVEL: 'silent' });
  try {
    const run = `b${Date.now().toString(36)}`;
    const auth = { authorization: `Bearer ${stack.adminKey}` };
    // Warm up: JIT, workflow cache, connection pools.
    await runLoad({ url: `${stack.url}/v1/decisions`, headers: auth, body: txBody(`${run}w`), concurrency: CONCURRENCY, durationMs: 3_000 });
    await runLoad({ url: bare.url, body: txBody(`${run}bw`), concurrency: CONCURRENCY, durationMs: 2_000 });

    const base: LoadResult = await runLoad({ url: bare.url, body: txBody(`${run}b`), concurrency: CONCURRENCY, durationMs: SECONDS * 1000 });
    const temporal: LoadResult = await runLoad({ url: `${stack.url}/v1/decisions`, headers: auth, body: txBody(run), concurrency: CONCURRENCY, durationMs: SECONDS * 1000 });
    const label = `POST /v1/decisions through Temporal, concurrency ${CONCURRENCY}, ${SECONDS} s`;
    const bareLabel = 'bare express endpoint';
    console.log(`${label}: ${temporal.requests} ok, ${temporal.errors} errors; bare: ${base.requests} ok, ${base.errors} errors`);
    return [
      figure(`${label}: p50`, temporal.p50, 'ms', { name: bareLabel, value: base.p50 }),
      figure(`${label}: p95`, temporal.p95, 'ms', { name: bareLabel, value: base.p95 }),
      figure(`${label}: p99`, temporal.p99, 'ms', { name: bareLabel, value: base.p99 }),
      figure(`${label}: throughput`, temporal.throughput, 'req/s', { name: bareLabel, value: base.throughput }),
    ];
  } finally {
    await stack.stop();
    await stack.dropSchema();
    await bare.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printFigures(await runDecisionsBench());
  process.exit(0);
}
