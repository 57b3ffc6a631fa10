// Feature store figures: Redis lookup+update latency per transaction (p50/p99 at 1 and 64 concurrent
// requests) beside a plain PING round trip measured in the same run, and the offline replay's speed
// over the whole data set beside the speed of only reading it. `npx tsx bench/features.ts`.
import { Redis } from 'ioredis';
import { createRedisFeatureStore } from '../activities/redis-feature-store.ts';
import { DEFAULT_FEATURES } from '../engine/features/definitions.ts';
import { replay, type LabelledTransaction } from '../engine/features/replay.ts';
import type { Transaction } from '../engine/transaction.ts';
import { readDataset } from '../simulations/dataset.ts';
import { figure, quantile, runAlone, type BenchFigure } from './figure.ts';
import { forEachConcurrently } from '../api/bounded-concurrency.ts';
import { unlinkKeys } from '../test/support/redis-keys.ts';

const DATA = new URL('../../shared/data', import.meta.url).pathname;
const DAY = 86_400_000;
/** The store's default timeout: past it a decision degrades, so p99 must stay well under it. */
const TIMEOUT_MS = 50;

/** Runs `op` over `items` with `concurrency` callers in flight; returns each call's latency (ms). */
async function timed<T>(items: T[], concurrency: number, op: (item: T) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  await forEachConcurrently(items, concurrency, async (item) => {
    const started = performance.now();
    await op(item);
    latencies.push(performance.now() - started);
  });
  return latencies;
}

async function rows(fromDay: number, toDay: number): Promise<Transaction[]> {
  const start = Date.parse('2018-04-01T00:00:00Z');
  const out: Transaction[] = [];
  for await (const r of readDataset(DATA, { fromMs: start + fromDay * DAY, toMs: start + toDay * DAY })) out.push(r.tx);
  return out;
}

/** CPU seconds the Redis server has used (INFO cpu): what a lookup+update costs it, which bounds how many decisions one Redis core serves. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** `timed` over `items`, with the calls' rate and the Redis server's CPU per item (µs) over the same run. */
async function redisLoad<T>(redis: Redis, items: T[], concurrency: number, op: (item: T) => Promise<unknown>) {
  const started = performance.now();
  const cpu = await redisCpuSeconds(redis);
  const latencies = await timed(items, concurrency, op);
  const rate = latencies.length / ((performance.now() - started) / 1000);
  return { latencies, rate, redisCpuUs: (((await redisCpuSeconds(redis)) - cpu) * 1e6) / items.length };
}

async function redisFigures(): Promise<BenchFigure[]> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `fg-bench-features-${process.pid}:`;
  const store = createRedisFeatureStore({ redis, prefix, definitions: DEFAULT_FEATURES, timeoutMs: 10_000 });
  try {
    // Ten days of history first, so windows hold what they hold in production (not measured).
    await timed(await rows(0, 10), 64, (t) => store.observe(t));
    const [c1, c64] = [(await rows(10, 11)).slice(0, 5_000), await rows(11, 16)];
    const figures: BenchFigure[] = [];
    for (const [concurrency, txs] of [[1, c1], [64, c64]] as const) {
      const { latencies: pings, rate: pingRate, redisCpuUs: pingCpuUs } = await redisLoad(redis, Array.from({ length: txs.length }, (_, i) => i), concurrency, () => redis.ping());
      const { latencies: observes, rate: observeRate, redisCpuUs: observeCpuUs } = await redisLoad(redis, txs, concurrency, (t) => store.observe(t));
      for (const q of [0.5, 0.99] as const) {
        const label = q === 0.5 ? 'p50' : 'p99';
        figures.push(figure(`features: Redis lookup+update ${label}, ${concurrency} concurrent (${txs.length.toLocaleString('en')} tx)`, quantile(observes, q), 'ms',
          { name: `PING round trip ${label}, ${concurrency} concurrent`, value: quantile(pings, q) },
          q === 0.99 ? { text: `< ${TIMEOUT_MS} ms (the degrade timeout)`, met: quantile(observes, q) < TIMEOUT_MS } : undefined));
      }
      if (concurrency > 1) {
        figures.push(figure(`features: Redis lookup+update throughput, ${concurrency} concurrent, one connection`, observeRate, 'tx/s', { name: `PINGs/s, ${concurrency} concurrent`, value: pingRate }));
        // Two entity scripts a transaction; on a Redis shared by every API instance this is the ceiling.
        figures.push(figure(`features: Redis server CPU per transaction's lookup+update, ${concurrency} concurrent`, observeCpuUs, 'µs',
          { name: 'Redis server CPU per PING', value: pingCpuUs }));
      }
    }
    return figures;
  } finally {
    await unlinkKeys(redis, `${prefix}*`);
    redis.disconnect();
  }
}

async function replayFigure(): Promise<BenchFigure> {
  let started = performance.now();
  let n = 0;
  for await (const _ of readDataset(DATA)) n += 1;
  const readRate = n / ((performance.now() - started) / 1000);
  started = performance.now();
  let m = 0;
  for await (const _ of replay(readDataset(DATA) as AsyncIterable<LabelledTransaction>)) m += 1;
  const seconds = (performance.now() - started) / 1000;
  const minRate = n / 300;
  return figure(`features: offline replay of the whole data set (${m.toLocaleString('en')} tx in ${seconds.toFixed(1)} s)`, m / seconds, 'tx/s',
    { name: 'reading and parsing the data set alone', value: readRate },
    { text: `≥ ${Math.round(minRate).toLocaleString('en')} tx/s (whole data set in under 5 minutes)`, met: m / seconds >= minRate });
}

export async function runFeaturesBench(): Promise<BenchFigure[]> {
  return [...(await redisFigures()), await replayFigure()];
}

await runAlone(import.meta.url, runFeaturesBench);
