import { replyLength, type EntityPlan, type EntityReply, type EntityRequest } from './plan.ts';

/**
 * One entity's feature state in process, and the one operation on it: answer a request and record
 * the transaction. This is the in-process twin of the Redis script in activities/redis-feature-store.ts,
 * step for step (dedupe, settle labels, read windows, record, forget): change one, change both, and
 * the parity test says whether they still agree.
 */

interface Bucket { k: number; n: number; sum: number; max: number; frauds: number }
interface PendingLabel { knownAt: number; id: string; fraud: boolean; t: number }

export interface EntityState {
  /** Per series, buckets sorted by index (transactions mostly arrive in time order: appends). */
  series: Bucket[][];
  /** Per attribute: value → last time seen. */
  attributes: Map<string, number>[];
  last: number | undefined;
  /** Labels not yet known at the latest transaction, sorted by (knownAt, id, verdict). */
  pending: PendingLabel[];
  /** Transactions counted as fraud now: id → transaction time. */
  frauds: Map<string, number>;
  /** Recently recorded ids and what they were answered (a retry gets the same answer). */
  seen: Map<string, { t: number; reply: EntityReply }>;
  maxT: number;
}

/** Retried transactions are recognised for this long (transaction time) and up to this many per entity (0: never, for replays of unique ids). */
export interface SeenPolicy { windowMs: number; max: number }

export function newEntityState(plan: EntityPlan): EntityState {
  return {
    series: plan.series.map(() => []), attributes: plan.attributes.map(() => new Map()),
    last: undefined, pending: [], frauds: new Map(), seen: new Map(), maxT: -Infinity,
  };
}

export function observeEntity(state: EntityState, plan: EntityPlan, req: EntityRequest, seen: SeenPolicy): { reply: EntityReply; duplicate: boolean } {
  const cached = state.seen.get(req.id);
  if (cached) return { reply: cached.reply, duplicate: true };
  const t = req.t;
  if (plan.fraud) settle(state, plan, t);

  const reply: EntityReply = new Array<number>(replyLength(plan)).fill(0);
  for (let s = 0; s < plan.series.length; s++) readSeries(state.series[s] as Bucket[], plan.seriesWindows[s] as number[], req, reply);
  const readsAt = plan.windows.length * 4;
  for (let a = 0; a < plan.attributes.length; a++) {
    const values = state.attributes[a] as Map<string, number>;
    const { value, forgetBefore } = req.attributes[a] as EntityRequest['attributes'][number];
    const own = value === undefined ? undefined : values.get(value);
    for (const i of plan.attributeReads[a] as number[]) {
      const low = (req.reads[i] as { low: number }).low;
      let count = 0;
      for (const lastSeen of values.values()) if (lastSeen >= low) count += 1;
      reply[readsAt + i * 2] = count;
      reply[readsAt + i * 2 + 1] = own !== undefined && own >= low ? 1 : 0;
    }
    if (value !== undefined && !(own !== undefined && own >= t)) values.set(value, t);
    for (const [v, lastSeen] of values) if (lastSeen < forgetBefore) values.delete(v);
  }
  const lastAt = readsAt + plan.reads.length * 2;
  if (state.last !== undefined) { reply[lastAt] = 1; reply[lastAt + 1] = state.last; }

  for (let i = 0; i < plan.series.length; i++) {
    const r = req.series[i] as EntityRequest['series'][number];
    const buckets = state.series[i] as Bucket[];
    if (r.record) {
      const b = bucketAt(buckets, r.k);
      b.n += 1;
      b.sum += req.amountMicros;
      if (req.amountMicros > b.max) b.max = req.amountMicros;
    }
    let drop = 0;
    while (drop < buckets.length && (buckets[drop] as Bucket).k < r.keepFrom) drop += 1;
    if (drop) buckets.splice(0, drop);
  }
  if (plan.fraud) for (const [id, at] of state.frauds) if (at < req.forgetFraudsBefore) state.frauds.delete(id);
  state.last = state.last === undefined ? t : Math.max(state.last, t);
  if (t > state.maxT) state.maxT = t;

  if (seen.max > 0) {
    state.seen.set(req.id, { t, reply });
    for (const [id, s] of state.seen) {
      if (s.t >= t - seen.windowMs && state.seen.size <= seen.max) break;
      state.seen.delete(id);
    }
  }
  return { reply, duplicate: false };
}

/** Records a label; it counts from its knownAt on (settled by the first transaction at or after it). */
export function labelEntity(state: EntityState, label: { id: string; t: number; knownAt: number; fraud: boolean }): void {
  const p = state.pending;
  let lo = 0, hi = p.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePending(p[mid] as PendingLabel, label) <= 0) lo = mid + 1; else hi = mid;
  }
  const prev = p[lo - 1];
  if (prev && comparePending(prev, label) === 0 && prev.t === label.t) return; // the same label again
  p.splice(lo, 0, label);
}

// Redis keeps pending labels in a sorted set scored by knownAt, ties in member order
// (id, then verdict: a fraud verdict known at the same time as a legit one wins).
function comparePending(a: PendingLabel, b: PendingLabel): number {
  return a.knownAt - b.knownAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || Number(a.fraud) - Number(b.fraud);
}

function settle(state: EntityState, plan: EntityPlan, t: number): void {
  const p = state.pending;
  let due = 0;
  while (due < p.length && (p[due] as PendingLabel).knownAt <= t) {
    const l = p[due] as PendingLabel;
    due += 1;
    const counted = state.frauds.has(l.id);
    const delta = l.fraud && !counted ? 1 : !l.fraud && counted ? -1 : 0;
    if (delta === 0) continue;
    if (delta > 0) state.frauds.set(l.id, l.t); else state.frauds.delete(l.id);
    plan.series.forEach((s, i) => {
      if (s.fraud) bucketAt(state.series[i] as Bucket[], Math.floor(l.t / s.bucketMs)).frauds += delta;
    });
  }
  if (due) p.splice(0, due);
}

/** One backward pass over a series' buckets (newest first) fills every window reading it. */
function readSeries(buckets: Bucket[], windows: number[], req: EntityRequest, reply: EntityReply): void {
  if (windows.length === 0) return;
  let oldest = Infinity;
  for (const w of windows) oldest = Math.min(oldest, (req.windows[w] as { lo: number }).lo);
  for (let j = buckets.length - 1; j >= 0; j--) {
    const b = buckets[j] as Bucket;
    if (b.k < oldest) break;
    for (const w of windows) {
      const { lo, hi } = req.windows[w] as { lo: number; hi: number };
      if (b.k < lo || b.k > hi) continue;
      const at = w * 4;
      reply[at] = (reply[at] as number) + b.n;
      reply[at + 1] = (reply[at + 1] as number) + b.sum;
      if (b.max > (reply[at + 2] as number)) reply[at + 2] = b.max;
      reply[at + 3] = (reply[at + 3] as number) + b.frauds;
    }
  }
}

function bucketAt(buckets: Bucket[], k: number): Bucket {
  const last = buckets[buckets.length - 1];
  if (last && last.k === k) return last;
  let lo = 0, hi = buckets.length;
  if (!last || last.k < k) lo = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buckets[mid] as Bucket).k < k) lo = mid + 1; else hi = mid;
  }
  const found = buckets[lo];
  if (found && found.k === k) return found;
  const b: Bucket = { k, n: 0, sum: 0, max: 0, frauds: 0 };
  buckets.splice(lo, 0, b);
  return b;
}
