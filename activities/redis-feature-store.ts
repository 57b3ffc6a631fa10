import { Cluster, type Redis } from 'ioredis';
import { computeTransactionFeatures, entityKey } from '../engine/features/compute.ts';
import { FeatureStoreUnavailable } from '../engine/features/degraded.ts';
import type { FeatureDefinition } from '../engine/features/definitions.ts';
import { DEFAULT_SEEN } from '../engine/features/memory-store.ts';
import type { SeenPolicy } from '../engine/features/entity-state.ts';
import { compilePlan, entityFeatures, entityRequest, nullFeatures, type EntityPlan, type EntityRequest } from '../engine/features/plan.ts';
import type { FeatureStore, FeatureVector, Label } from '../engine/features/store.ts';
import type { Transaction } from '../engine/transaction.ts';
import { tickPipeline, type PipelinedCommand } from './redis-tick-pipeline.ts';
import { withTimeout } from './with-timeout.ts';

// One entity, atomically: answer a retry from its record; settle the labels known by t; read every
// window (bucket hashes), distinct count (last-seen sorted sets) and the previous transaction's time;
// record the transaction; forget what no window can see; let idle keys expire. It is the twin of
// engine/features/entity-state.ts, step for step. Only one entity's keys per call (one hash tag:
// one Cluster slot); the calls of all a transaction's entities go out together: one round trip.
// KEYS: meta hash (last, x: when lifetimes were last renewed, r:<id> answers), seen ids, pending labels, fraud marks, series…, attributes…
// ARGV[1]: [id, t, amount micros, ttl, seen ms, seen max, series [k, record, keep from, bucket ms, fraud, sums, max]…,
//   windows [series, lo, hi]…, reads [attribute, low]…, attributes [value, forget before]…, forget frauds before, fraud]
const OBSERVE = `
local p = cjson.decode(ARGV[1])
local id, t, amt, ttl = p[1], p[2], p[3], p[4]
local meta = redis.call('HMGET', KEYS[1], 'r:' .. id, 'last', 'x')
if meta[1] then return {1, meta[1]} end
local last, refreshedAt = meta[2], tonumber(meta[3])
local series, windows, reads, attrs = p[7], p[8], p[9], p[10]
local ns, nw = #series, #windows
-- Key lifetimes are refreshed once per hour of the entity's transaction time ('x': when last), and at
-- once when a key may just have been created (a new entity, series or attribute set) or a fraud is
-- marked: every key outlives the entity's last transaction by at least its retention.
local refresh = not refreshedAt or t >= refreshedAt + 3600000
-- Redis runs one command a call from Lua; these take many members or fields at once.
local function chunked(cmd, key, items)
  for i = 1, #items, 1000 do redis.call(cmd, key, unpack(items, i, math.min(i + 999, #items))) end
end
if p[12] == 1 then
  local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', t)
  for _, m in ipairs(due) do
    local lid, verdict, s = string.match(m, '^(.-)\\031(%d)\\031(%d+)\\031')
    s = tonumber(s)
    local counted = redis.call('ZSCORE', KEYS[4], lid)
    local delta = 0
    if verdict == '1' and not counted then delta = 1; redis.call('ZADD', KEYS[4], s, lid)
    elseif verdict == '0' and counted then delta = -1; redis.call('ZREM', KEYS[4], lid) end
    if delta ~= 0 then
      refresh = true
      for i = 1, ns do
        if series[i][5] == 1 then
          local k = math.floor(s / series[i][4])
          redis.call('HINCRBY', KEYS[4 + i], 'f' .. k, delta)
          local lo = tonumber(redis.call('HGET', KEYS[4 + i], 'lo'))
          if not lo or k < lo then redis.call('HSET', KEYS[4 + i], 'lo', k) end
        end
      end
    end
  end
  if #due > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', t) end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. p[11])
end
local out = {}
for i = 1, nw * 4 + #reads * 2 + 2 do out[i] = 0 end
-- The hot loop of the script (every field of every series hash, each call): locals for the library
-- functions, fields told apart by their first byte (n 110, s 115, m 109, f 102, lo 108), and the
-- series' windows unrolled into flat lists, so a field costs no table look-ups beyond its own. The
-- same pass keeps what recording needs (the current bucket's count and maximum, the oldest bucket
-- kept, the fields to forget), so no series hash is read twice.
local byte, sub, num = string.byte, string.sub, tonumber
local held = {}
for si = 1, ns do
  local k0, keep = series[si][1], series[si][3]
  local los, his, at, nm = {}, {}, {}, 0
  for wi = 1, nw do
    local w = windows[wi]
    if w[1] == si then nm = nm + 1; los[nm] = w[2]; his[nm] = w[3]; at[nm] = (wi - 1) * 4 end
  end
  local st = { doomed = {}, kept = k0 }
  held[si] = st
  local h = redis.call('HGETALL', KEYS[4 + si])
  for j = 1, #h, 2 do
    local f = h[j]
    local kind = byte(f, 1)
    if kind == 108 then st.lo = num(h[j + 1])
    else
      local k, v = num(sub(f, 2)), num(h[j + 1])
      if k < keep then st.doomed[#st.doomed + 1] = f elseif k < st.kept then st.kept = k end
      if k == k0 then if kind == 110 then st.n = v elseif kind == 109 then st.m = v end end
      for q = 1, nm do
        if k >= los[q] and k <= his[q] then
          local b = at[q]
          if kind == 110 then out[b + 1] = out[b + 1] + v
          elseif kind == 115 then out[b + 2] = out[b + 2] + v
          elseif kind == 109 then if v > out[b + 3] then out[b + 3] = v end
          else out[b + 4] = out[b + 4] + v end
        end
      end
    end
  end
end
local base = nw * 4
-- An attribute set seen holding members existed before this call (one that did not gets its lifetime now).
local existed = {}
for ri, r in ipairs(reads) do
  local key, v = KEYS[4 + ns + r[1]], attrs[r[1]][1]
  local n = redis.call('ZCOUNT', key, r[2], '+inf')
  out[base + ri * 2 - 1] = n
  if n > 0 then existed[r[1]] = true end
  if v ~= '' then
    local seen = redis.call('ZSCORE', key, v)
    if seen then existed[r[1]] = true end
    if seen and tonumber(seen) >= r[2] then out[base + ri * 2] = 1 end
  end
end
if last then out[base + #reads * 2 + 1] = 1; out[base + #reads * 2 + 2] = tonumber(last) end
for i = 1, ns do
  local sr, key, st = series[i], KEYS[4 + i], held[i]
  if sr[2] == 1 then
    local k = sr[1]
    local n = (st.n or 0) + 1
    local set = {'n' .. k, n}
    if sr[6] == 1 then redis.call('HINCRBY', key, 's' .. k, amt) end
    if sr[7] == 1 and (not st.m or num(amt) > st.m) then set[#set + 1] = 'm' .. k; set[#set + 1] = amt end
    if n == 1 then
      -- A bucket opens: forget the buckets no window reaches any more.
      if not st.lo then refresh = true end
      local lo = st.lo
      if not lo or k < lo then lo = k end
      if lo < sr[3] then
        chunked('HDEL', key, st.doomed)
        lo = st.kept
      end
      if lo ~= st.lo then set[#set + 1] = 'lo'; set[#set + 1] = lo end
    end
    redis.call('HSET', key, unpack(set))
  end
end
for ai, a in ipairs(attrs) do
  local key = KEYS[4 + ns + ai]
  if a[1] ~= '' and redis.call('ZADD', key, 'GT', t, a[1]) == 1 and not existed[ai] then refresh = true end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. a[2])
end
local parts = {}
for i = 1, #out do parts[i] = string.format('%d', out[i]) end
local answer = table.concat(parts, ',')
local record = {'r:' .. id, answer}
if not last or t > num(last) then record[#record + 1] = 'last'; record[#record + 1] = t end
if refresh then record[#record + 1] = 'x'; record[#record + 1] = t end
redis.call('HSET', KEYS[1], unpack(record))
redis.call('ZADD', KEYS[2], t, id)
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (t - p[5]))
local excess = redis.call('ZCARD', KEYS[2]) - #old - p[6]
if excess > 0 then
  for _, x in ipairs(redis.call('ZRANGE', KEYS[2], #old, #old + excess - 1)) do old[#old + 1] = x end
end
if #old > 0 then
  local answers = {}
  for i, x in ipairs(old) do answers[i] = 'r:' .. x end
  chunked('HDEL', KEYS[1], answers)
  chunked('ZREM', KEYS[2], old)
end
if refresh then for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end end
return {0, answer}
`;

const SEP = '\x1f';

export interface RedisFeatureStoreOptions {
  redis: Redis | Cluster;
  /** Key prefix: separates deployments (and test runs) sharing a Redis. Must not contain { or }. */
  prefix: string;
  definitions: readonly FeatureDefinition[];
  /** Past this an observe or label rejects with FeatureStoreUnavailable (the caller degrades). Default 50 ms. */
  timeoutMs?: number;
  /** How long (transaction time) and how many ids per entity a retry is recognised. */
  seen?: SeenPolicy;
  /** Wall-clock lifetime of an idle entity's keys; default: the retention plus a day. */
  idleTtlMs?: number;
}

export interface RedisFeatureStore extends FeatureStore {
  readonly names: readonly string[];
}

type Scripted = { fraudguardObserve(numKeys: number, ...args: (string | number)[]): Promise<[number, string]> };

/**
 * The online feature store: the same definitions, requests and answers as the in-process store
 * (engine/features/plan.ts), one Lua call per entity, all pipelined in one round trip together with
 * concurrent decisions' calls. Keys carry the
 * entity as a hash tag (`{customer:123}`) so Redis Cluster shards by entity; on a Cluster the calls go
 * out concurrently instead (a pipeline must stay on one node). Memory is bounded: buckets beyond the
 * widest window are deleted as new ones open, and idle entities' keys expire.
 */
export function createRedisFeatureStore(opts: RedisFeatureStoreOptions): RedisFeatureStore {
  const { redis, prefix, definitions, timeoutMs = 50, seen = DEFAULT_SEEN } = opts;
  if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix "${prefix}" must not contain { or }: they would change the Cluster hash slot`);
  if (typeof (redis as unknown as Partial<Scripted>).fraudguardObserve !== 'function') redis.defineCommand('fraudguardObserve', { lua: OBSERVE });
  const plan = compilePlan(definitions);
  const ttl = opts.idleTtlMs ?? Math.max(...plan.groups.map((g) => g.retentionMs), 0) + 86_400_000;
  const cluster = redis instanceof Cluster;
  const base = (g: EntityPlan, key: string) => `${prefix}{${g.entity}:${key.replace(/[{}%]/g, (c) => encodeURIComponent(c))}}`;
  const keysOf = (g: EntityPlan, key: string): string[] => {
    const b = base(g, key);
    return [`${b}:m`, `${b}:seen`, `${b}:lp`, `${b}:lf`, ...g.series.map((s) => `${b}:b:${s.key}`), ...g.attributes.map((a) => `${b}:a:${a}`)];
  };
  const argsOf = (g: EntityPlan, req: EntityRequest): string => JSON.stringify([
    req.id, req.t, String(req.amountMicros), ttl, seen.windowMs, seen.max,
    req.series.map((s, i) => {
      const sp = g.series[i] as EntityPlan['series'][number];
      return [s.k, s.record ? 1 : 0, s.keepFrom, sp.bucketMs, sp.fraud ? 1 : 0, sp.sums ? 1 : 0, sp.max ? 1 : 0];
    }),
    req.windows.map((w, i) => [(g.windows[i] as EntityPlan['windows'][number]).series + 1, w.lo, w.hi]),
    req.reads.map((r, i) => [(g.reads[i] as EntityPlan['reads'][number]).attribute + 1, r.low]),
    req.attributes.map((a) => [a.value ?? '', a.forgetBefore]),
    req.forgetFraudsBefore, g.fraud ? 1 : 0,
  ]);

  const sendPipelined = cluster ? null : tickPipeline(redis as Redis);

  /** Sends one command per entity in one round trip and waits at most timeoutMs. */
  async function roundTrip(calls: ((c: Scripted & Pick<Redis, 'zadd' | 'pexpire'>) => unknown)[]): Promise<unknown[]> {
    if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') {
      // Fail fast: queueing behind a dead connection would only turn every decision into a timeout.
      throw new FeatureStoreUnavailable(`Redis is not connected (${redis.status})`);
    }
    // One write per event-loop turn for this decision's entities and those of every concurrent
    // decision (redis-tick-pipeline.ts); on a Cluster a pipeline must stay on one node, so the calls
    // go out separately.
    const sent = sendPipelined
      ? sendPipelined(calls as unknown as PipelinedCommand[])
      : Promise.all(calls.map((call) => call(redis as unknown as Scripted & Redis)));
    try {
      return await withTimeout(sent, timeoutMs, () => new FeatureStoreUnavailable(`Redis gave no answer within ${timeoutMs} ms`));
    } catch (err) {
      throw err instanceof FeatureStoreUnavailable ? err : new FeatureStoreUnavailable((err as Error).message);
    }
  }

  return {
    names: plan.names,

    async observe(tx: Transaction): Promise<FeatureVector> {
      const present = plan.groups.map((g) => ({ g, key: entityKey(tx, g.entity) }));
      const asked = present.flatMap(({ g, key }) => (key === undefined ? [] : [{ g, key, req: entityRequest(g, tx) }]));
      const replies = await roundTrip(asked.map(({ g, key, req }) => (c) => {
        const keys = keysOf(g, key);
        return c.fraudguardObserve(keys.length, ...keys, argsOf(g, req));
      }));
      const out: FeatureVector = {};
      let i = 0;
      for (const { g, key } of present) {
        if (key === undefined) { nullFeatures(g, out); continue; }
        const [, answer] = replies[i++] as [number, string];
        entityFeatures(g, tx, answer.split(',').map(Number), out);
      }
      computeTransactionFeatures(tx, out);
      return out;
    },

    async label(l: Label): Promise<void> {
      const member = [l.transactionId, l.fraud ? 1 : 0, l.occurredAtMs, l.knownAtMs].join(SEP);
      const calls = plan.groups.filter((g) => g.fraud).flatMap((g) => {
        const key = base(g, g.entity === 'customer' ? l.customerId : l.merchantId);
        return [(c: Pick<Redis, 'zadd' | 'pexpire'>) => c.zadd(`${key}:lp`, l.knownAtMs, member), (c: Pick<Redis, 'zadd' | 'pexpire'>) => c.pexpire(`${key}:lp`, ttl)];
      });
      await roundTrip(calls);
    },
  };
}
