import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DEFAULT_FEATURES, type FeatureDefinition } from '../engine/features/definitions.ts';
import { readFeatures } from '../engine/features/degraded.ts';
import { createMemoryFeatureStore } from '../engine/features/memory-store.ts';
import type { FeatureStore, Label } from '../engine/features/store.ts';
import type { Transaction } from '../engine/transaction.ts';
import { readDataset } from '../simulations/dataset.ts';
import { DAY, HOUR, labelOf, MINUTE, T0, tx } from '../test/features/factories.ts';
import { startTcpProxy } from '../test/features/tcp-proxy.ts';
import { unlinkKeys } from '../test/support/redis-keys.ts';
import { createRedisFeatureStore } from './redis-feature-store.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const DATA = new URL('../../shared/data', import.meta.url).pathname;
const run = `fg-test-features-${process.pid}-${Date.now()}`;
let n = 0;
const prefix = () => `${run}:${++n}:`;
const redis = new Redis(REDIS_URL);
const clients: Redis[] = [redis];

const dropKeys = (match: string) => unlinkKeys(redis, match);

const online = (definitions: readonly FeatureDefinition[] = DEFAULT_FEATURES, client: Redis = redis) =>
  createRedisFeatureStore({ redis: client, prefix: prefix(), definitions, timeoutMs: 2000 });

/** Feeds the same transactions and labels to both stores; returns the first difference, if any. */
async function compare(stream: AsyncIterable<{ tx: Transaction; labels: Label[] }>, definitions: readonly FeatureDefinition[]) {
  const memory = createMemoryFeatureStore({ definitions });
  const redisStore = online(definitions);
  let rows = 0, nonZero = 0;
  for await (const { tx: t, labels } of stream) {
    const expected = memory.observeSync(t);
    const got = await redisStore.observe(t);
    rows += 1;
    for (const name of Object.keys(expected)) {
      if (!Object.is(expected[name], got[name])) return { rows, diff: { id: t.id, name, memory: expected[name], redis: got[name] } };
    }
    for (const [name, v] of Object.entries(expected)) if (v && !name.startsWith('tx.') && /fraud_rate/.test(name)) nonZero += 1;
    for (const l of labels) { memory.labelSync(l); await redisStore.label(l); }
  }
  return { rows, diff: null, nonZeroFraudRates: nonZero };
}

after(async () => {
  await dropKeys(`${run}:*`);
  for (const c of clients) c.disconnect();
});

describe('Redis feature store against the in-process store', () => {
  it('gives identical features for the first 10,000 transactions of the data set, labels known a week later', async () => {
    async function* first() {
      let i = 0;
      for await (const { tx: t, fraud } of readDataset(DATA)) {
        yield { tx: t, labels: fraud ? [labelOf(t, true, t.occurredAtMs + 7 * DAY)] : [] };
        if (++i === 10_000) return;
      }
    }
    const result = await compare(first(), DEFAULT_FEATURES);
    assert.deepEqual(result.diff, null);
    assert.equal(result.rows, 10_000);
  });

  it('gives identical features over a month of terminals, with short label delays, corrections and devices, IPs, e-mails and cards', async () => {
    const defs: FeatureDefinition[] = [
      ...DEFAULT_FEATURES,
      { name: 'terminal.fraud_rate_1h_delay2h', entity: 'merchant', aggregate: 'fraud_rate', windowMs: HOUR, delayMs: 2 * HOUR, description: '' },
      { name: 'terminal.fraud_rate_7d_delay1d', entity: 'merchant', aggregate: 'fraud_rate', windowMs: 7 * DAY, delayMs: DAY, description: '' },
      { name: 'customer.fraud_rate_30d_delay1d', entity: 'customer', aggregate: 'fraud_rate', windowMs: 30 * DAY, delayMs: DAY, description: '' },
      { name: 'customer.large_sum_7d', entity: 'customer', aggregate: 'sum', windowMs: 7 * DAY, filter: { minAmount: 100 }, description: '' },
      { name: 'card.amount_max_1d', entity: 'card', aggregate: 'max', windowMs: DAY, description: '' },
    ];
    async function* sampled() {
      for await (const { tx: t, fraud } of readDataset(DATA, { toMs: Date.parse('2018-05-01T00:00:00Z') })) {
        const terminal = Number(t.merchant_id), customer = Number(t.customer_id);
        if (terminal % 25 !== 0) continue;
        const enriched: Transaction = {
          ...t,
          ...(customer % 5 !== 0 ? { device_id: `d${customer % 300}` } : {}),
          country: Number(t.id) % 7 === 0 ? 'FR' : 'BE',
          ip: `10.0.${customer % 50}.${terminal % 200}`,
          email: `user${customer % 400}@example.com`,
          card_bin: String(400000 + (customer % 90)),
        };
        const labels = [labelOf(enriched, fraud, t.occurredAtMs + 3 * HOUR)];
        if (fraud && Number(t.id) % 3 === 0) labels.push(labelOf(enriched, false, t.occurredAtMs + 2 * DAY)); // corrected later
        yield { tx: enriched, labels };
      }
    }
    const result = await compare(sampled(), defs);
    assert.deepEqual(result.diff, null);
    assert.ok(result.rows > 10_000, `${result.rows} transactions compared`);
    assert.ok((result.nonZeroFraudRates ?? 0) > 100, 'the stream exercised known frauds');
  });
});

describe('Redis feature store', () => {
  it('counts 1,000 concurrent transactions of one customer exactly, retries included', async () => {
    const connections = [0, 1, 2, 3].map(() => { const c = new Redis(REDIS_URL); clients.push(c); return c; });
    const p = prefix();
    const stores = connections.map((c) => createRedisFeatureStore({ redis: c, prefix: p, definitions: DEFAULT_FEATURES, timeoutMs: 10_000 }));
    const txs = Array.from({ length: 1000 }, (_, i) => tx({ id: `conc-${i}`, at: T0 + i, customer: 'crowd', terminal: `m${i % 10}`, amount: `${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}` }));
    const retries = txs.filter((_, i) => i % 10 === 0);
    const seen = await Promise.all([...txs, ...retries].map((t, i) => (stores[i % stores.length] as FeatureStore).observe(t)));
    const counts = seen.slice(0, 1000).map((f) => f['customer.tx_count_1h']).sort((a, b) => (a as number) - (b as number));
    assert.deepEqual(counts, Array.from({ length: 1000 }, (_, i) => i), 'each saw exactly those recorded before it');
    const last = await (stores[0] as FeatureStore).observe(tx({ at: T0 + 2000, customer: 'crowd' }));
    const micros = txs.reduce((s, t) => s + Math.round(t.amountValue * 100), 0);
    assert.equal(last['customer.tx_count_1h'], 1000);
    assert.equal(last['customer.amount_sum_1h'], micros / 100);
    assert.equal(last['customer.distinct_merchants_1d'], 10);
  });

  it('expires windows on the transactions\' clock, whatever the wall clock says', async () => {
    const s = online();
    await s.observe(tx({ at: T0, customer: 'w' }));
    assert.equal((await s.observe(tx({ at: T0 + 58 * MINUTE, customer: 'w' })))['customer.tx_count_1h'], 1);
    const f = await s.observe(tx({ at: T0 + 2 * HOUR, customer: 'w' }));
    assert.equal(f['customer.tx_count_1h'], 0);
    assert.equal(f['customer.tx_count_1d'], 2);
    const month = await s.observe(tx({ at: T0 + 31 * DAY, customer: 'w' }));
    assert.equal(month['customer.tx_count_30d'], 0);
    assert.equal(month['customer.amount_mean_30d'], null);
  });

  it('changes a terminal\'s fraud rate only from the time a late label became known', async () => {
    const s = online();
    const fraud = tx({ at: T0, customer: 'a', terminal: 'late' });
    await s.observe(fraud);
    await s.observe(tx({ at: T0 + HOUR, customer: 'b', terminal: 'late' }));
    const rate = async (at: number) => (await s.observe(tx({ at, customer: `r${at}`, terminal: 'late' })))['terminal.fraud_rate_30d_delay7d'];
    assert.equal(await rate(T0 + 8 * DAY), 0);
    await s.label(labelOf(fraud, true, T0 + 10 * DAY)); // reported three days after its delay
    await s.label(labelOf(fraud, true, T0 + 10 * DAY)); // delivered twice
    assert.equal(await rate(T0 + 10 * DAY - 1), 0);
    assert.equal(await rate(T0 + 10 * DAY), 0.5);
    assert.equal(await rate(T0 + 11 * DAY), 0.5);
  });

  it('answers a retried transaction from its record, without counting it again', async () => {
    const s = online();
    const t = tx({ at: T0, customer: 'retry', amount: '12.34' });
    await s.observe(tx({ at: T0 - MINUTE, customer: 'retry' }));
    const first = await s.observe(t);
    await s.observe(tx({ at: T0 + MINUTE, customer: 'retry' }));
    assert.deepEqual(await s.observe(t), first);
    assert.equal((await s.observe(tx({ at: T0 + 2 * MINUTE, customer: 'retry' })))['customer.tx_count_1h'], 3);
  });

  it('keeps an entity\'s keys bounded over months of traffic', async () => {
    const s = online();
    const p = `${run}:${n}:`;
    for (let h = 0; h < 24 * 60; h++) await s.observe(tx({ at: T0 + h * HOUR, customer: 'steady', terminal: 'steady-m' }));
    const hourly = await redis.hlen(`${p}{customer:steady}:b:3600000`);
    assert.ok(hourly <= 3 * 721 + 1, `${hourly} fields in the 1-hour series`);
    assert.ok((await redis.hlen(`${p}{customer:steady}:b:60000`)) <= 3 * 60 + 1);
    assert.ok((await redis.zcard(`${p}{customer:steady}:seen`)) <= 2, 'retry records older than an hour are forgotten');
    assert.ok((await redis.pttl(`${p}{customer:steady}:m`)) > 0, 'idle keys expire');
  });
  it('gives every key a lifetime, those first written after the entity\'s lifetimes were set too, and renews them as its time moves on', async () => {
    const big: FeatureDefinition = { name: 'customer.big_count_1d', entity: 'customer', aggregate: 'count', windowMs: DAY, description: 'payments of 100 or more', filter: { minAmount: 100 } };
    const s = online([...DEFAULT_FEATURES, big]);
    const p = `${run}:${n}:`;
    const keys = async () => {
      const found: string[] = [];
      let cursor = '0';
      do { const [next, batch] = await redis.scan(cursor, 'MATCH', `${p}{customer:late}*`, 'COUNT', 1000); cursor = next; found.push(...batch); } while (cursor !== '0');
      return found.sort();
    };
    await s.observe(tx({ at: T0, customer: 'late', amount: '10.00' }));
    const first = await keys();
    // A minute later: a device set and the filtered series' hash are new keys.
    const later = await s.observe(tx({ at: T0 + MINUTE, customer: 'late', amount: '250.00', device: 'd1' }));
    assert.equal(later['customer.big_count_1d'], 0);
    const all = await keys();
    assert.ok(all.length > first.length && all.some((k) => k.endsWith(':a:device')), `new keys: ${all.filter((k) => !first.includes(k)).join(', ')}`);
    for (const k of all) assert.ok((await redis.pttl(k)) > DAY, `${k} has a lifetime`);

    for (const k of all) await redis.pexpire(k, 60_000);
    await s.observe(tx({ at: T0 + 2 * HOUR, customer: 'late', amount: '20.00', device: 'd1' }));
    for (const k of all) assert.ok((await redis.pttl(k)) > DAY, `${k} renewed after an hour of the entity's time`);
  });
});

describe('Redis feature store when Redis is unreachable', () => {
  it('degrades at once when nothing listens on the port, and labels fail so they are retried', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: 0, retryStrategy: () => 200, lazyConnect: false });
    clients.push(dead);
    dead.on('error', () => undefined);
    const s = createRedisFeatureStore({ redis: dead, prefix: prefix(), definitions: DEFAULT_FEATURES, timeoutMs: 100 });
    const read = await readFeatures(s, tx({ at: Date.parse('2018-04-07T02:00:00Z') }), { definitions: DEFAULT_FEATURES });
    assert.equal(read.degraded, true);
    assert.equal(read.features['customer.tx_count_1d'], null);
    assert.equal(read.features['tx.is_weekend'], 1, 'the transaction\'s own features are still computed');
    await assert.rejects(s.label(labelOf(tx(), true, T0)), { code: 'FEATURE_STORE_UNAVAILABLE' });
  });

  it('degrades while Redis is cut off or too slow mid-stream, and features resume when it is back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    const client = new Redis({ host: '127.0.0.1', port: proxy.port, retryStrategy: () => 50 });
    clients.push(client);
    client.on('error', () => undefined);
    const s = createRedisFeatureStore({ redis: client, prefix: prefix(), definitions: DEFAULT_FEATURES, timeoutMs: 100 });
    const read = (i: number) => readFeatures(s, tx({ id: `mid-${i}`, at: T0 + i * MINUTE, customer: 'mid' }), { definitions: DEFAULT_FEATURES });
    for (let i = 0; i < 3; i++) assert.equal((await read(i)).degraded, false);

    proxy.delay(300);
    const slow = await read(3);
    assert.equal(slow.degraded, true);
    assert.match(slow.reason ?? '', /within 100 ms/);
    proxy.delay(0);

    await proxy.cut();
    await new Promise((r) => setTimeout(r, 100));
    const cut = await read(4);
    assert.equal(cut.degraded, true);
    assert.equal(cut.features['customer.tx_count_1h'], null);

    await proxy.restore();
    await new Promise<void>((ok) => (client.status === 'ready' ? ok() : client.once('ready', () => ok())));
    const back = await read(5);
    assert.equal(back.degraded, false);
    // 0, 1, 2 and the slow 3 (it reached Redis, only its answer came late) are counted; 4 never arrived.
    assert.equal(back.features['customer.tx_count_1h'], 4);
    await proxy.close();
  });
});

before(async () => { await redis.ping(); });
