import type { Redis } from 'ioredis';
import { computeEntityFeatures, computeTransactionFeatures, entityKey, eventOf, nullFeatures, type EntityEvent, type EntityLabel } from '../engine/features/compute.ts';
import { groupByEntity, retentionMs, type Entity, type FeatureDefinition } from '../engine/features/definitions.ts';
import type { FeatureStore, FeatureVector, Label } from '../engine/features/store.ts';
import type { Transaction } from '../engine/transaction.ts';

// Per entity, atomically: read the raw window (t − retention, t] of events and labels, record this
// transaction (same member on a retry: no double count), trim what no definition can see, and let
// idle entities expire. Only one entity's keys per call, so it runs unchanged on Redis Cluster
// (hash tags keep an entity's keys in one slot); every entity's call goes in one pipeline: one round trip.
const OBSERVE = `
local t = tonumber(ARGV[1])
local retention = tonumber(ARGV[2])
local low = '(' .. (t - retention)
local events = redis.call('ZRANGEBYSCORE', KEYS[1], low, t)
local labels = redis.call('ZRANGEBYSCORE', KEYS[2], low, t)
redis.call('ZADD', KEYS[1], t, ARGV[3])
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(newest[2]) - retention)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {events, labels}
`;

const LABEL = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(newest[2]) - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

const SEP = '\x1f';

type ScriptedRedis = Redis & {
  fgObserve(evKey: string, lbKey: string, t: number, retention: number, member: string, ttlMs: number): Promise<[string[], string[]]>;
  fgLabel(lbKey: string, t: number, member: string, retention: number, ttlMs: number): Promise<number>;
};

export interface RedisFeatureStoreOptions {
  redis: Redis;
  /** Key prefix: separates deployments (and test runs) sharing a Redis. */
  prefix: string;
  definitions: readonly FeatureDefinition[];
}

/** The online feature store: the same definitions and the same computation as the in-process store. */
export function createRedisFeatureStore({ redis, prefix, definitions }: RedisFeatureStoreOptions): FeatureStore {
  const r = redis as ScriptedRedis;
  if (typeof r.fgObserve !== 'function') {
    redis.defineCommand('fgObserve', { numberOfKeys: 2, lua: OBSERVE });
    redis.defineCommand('fgLabel', { numberOfKeys: 1, lua: LABEL });
  }
  const groups = groupByEntity(definitions);
  const retention = retentionMs(definitions);
  // Idle entities vanish a day after nothing could see them any more: memory stays bounded.
  const ttlMs = retention + 86_400_000;
  const labelled = [...new Set(definitions.filter((d) => d.aggregate === 'fraud_rate').map((d) => d.entity))];
  const keyOf = (entity: Entity, key: string, kind: 'ev' | 'lb') => `${prefix}{${entity}:${key}}:${kind}`;

  return {
    async observe(tx: Transaction): Promise<FeatureVector> {
      const member = encodeEvent(eventOf(tx));
      const present = groups.map(([entity, defs]) => ({ entity, defs, key: entityKey(tx, entity) }));
      const pipeline = redis.pipeline() as unknown as { fgObserve: ScriptedRedis['fgObserve']; exec(): Promise<[Error | null, unknown][] | null> };
      for (const g of present) {
        if (g.key !== undefined) pipeline.fgObserve(keyOf(g.entity, g.key, 'ev'), keyOf(g.entity, g.key, 'lb'), tx.occurredAtMs, retention, member, ttlMs);
      }
      const replies = (await pipeline.exec()) ?? [];
      const out: FeatureVector = {};
      let i = 0;
      for (const g of present) {
        if (g.key === undefined) { nullFeatures(g.defs, out); continue; }
        const [err, reply] = replies[i++] ?? [new Error('no reply from Redis'), null];
        if (err) throw err;
        const [events, labels] = reply as [string[], string[]];
        computeEntityFeatures(g.defs, tx, events.map(decodeEvent), labels.map(decodeLabel), out);
      }
      computeTransactionFeatures(tx, out);
      return out;
    },

    async label(l: Label): Promise<void> {
      const member = [l.transactionId, l.knownAtMs, l.fraud ? 1 : 0].join(SEP);
      const pipeline = redis.pipeline() as unknown as { fgLabel: ScriptedRedis['fgLabel']; exec(): Promise<[Error | null, unknown][] | null> };
      for (const entity of labelled) {
        const key = entity === 'customer' ? l.customerId : entity === 'merchant' ? l.merchantId : undefined;
        if (key !== undefined) pipeline.fgLabel(keyOf(entity, key, 'lb'), l.occurredAtMs, member, retention, ttlMs);
      }
      for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    },
  };
}

function encodeEvent(e: EntityEvent): string {
  return [e.id, e.amountMicros, e.customer, e.merchant, e.device ?? '', e.country ?? '', e.t].join(SEP);
}

function decodeEvent(m: string): EntityEvent {
  const [id, micros, customer, merchant, device, country, t] = m.split(SEP) as [string, string, string, string, string, string, string];
  return { id, t: Number(t), amountMicros: Number(micros), customer, merchant, ...(device ? { device } : {}), ...(country ? { country } : {}) };
}

function decodeLabel(m: string): EntityLabel & { t: number } {
  const [id, knownAt, fraud] = m.split(SEP) as [string, string, string];
  // The window filter applies to the labelled transaction's time, which the score carries; the
  // compute step only needs id, knownAt and verdict.
  return { id, t: 0, knownAt: Number(knownAt), fraud: fraud === '1' };
}

