import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toMicros } from '../../engine/features/compute.ts';
import { bucketMsOf, DEFAULT_FEATURES, emptyValue, type FeatureDefinition } from '../../engine/features/definitions.ts';
import { replay, type LabelledTransaction } from '../../engine/features/replay.ts';
import type { FeatureVector } from '../../engine/features/store.ts';
import { readDataset } from '../../simulations/dataset.ts';

const DATA = new URL('../../../shared/data', import.meta.url).pathname;
const DAY = 86_400_000;

/**
 * A deliberately naive reference: for each transaction, scan every earlier transaction of the entity
 * and apply the window rules of definitions.ts as written (whole buckets; labels known a week after
 * their transaction). It shares nothing with the stores but the definitions.
 */
function reference(rows: LabelledTransaction[], defs: readonly FeatureDefinition[]): FeatureVector[] {
  const byEntity = new Map<string, LabelledTransaction[]>();
  return rows.map((row) => {
    const t = row.tx.occurredAtMs;
    const out: FeatureVector = {};
    for (const d of defs) {
      const key = d.entity === 'customer' ? row.tx.customer_id : d.entity === 'merchant' ? row.tx.merchant_id : undefined;
      if (key === undefined) { out[d.name] = null; continue; }
      const earlier = byEntity.get(`${d.entity}:${key}`) ?? [];
      const B = bucketMsOf(d), k = Math.floor(t / B), W = d.windowMs / B, D = (d.delayMs ?? 0) / B;
      const inWindow = (e: LabelledTransaction) => {
        const ke = Math.floor(e.tx.occurredAtMs / B);
        return d.delayMs ? ke >= k - D - W && ke <= k - D - 1 : ke >= k - W + 1 && ke <= k;
      };
      const win = earlier.filter(inWindow);
      const n = win.length;
      const sum = win.reduce((s, e) => s + toMicros(e.tx.amountValue), 0);
      const start = (k - W + 1) * B;
      if (d.aggregate === 'distinct') { out[d.name] = d.of === 'merchant' ? new Set(earlier.filter((e) => e.tx.occurredAtMs >= start).map((e) => e.tx.merchant_id)).size : 0; continue; }
      if (d.aggregate === 'is_new') { out[d.name] = null; continue; }
      if (d.aggregate === 'seconds_since_last') {
        const last = Math.max(-Infinity, ...earlier.map((e) => e.tx.occurredAtMs));
        out[d.name] = last >= start ? (t - last) / 1000 : null;
        continue;
      }
      if (n === 0) { out[d.name] = emptyValue(d.aggregate); continue; }
      const known = win.filter((e) => e.fraud && e.tx.occurredAtMs + 7 * DAY <= t).length;
      out[d.name] = d.aggregate === 'count' ? n : d.aggregate === 'sum' ? sum / 1e6 : d.aggregate === 'mean' ? sum / n / 1e6
        : d.aggregate === 'max' ? Math.max(...win.map((e) => toMicros(e.tx.amountValue))) / 1e6
          : d.aggregate === 'fraud_rate' ? known / n : (toMicros(row.tx.amountValue) * n) / sum;
    }
    for (const e of ['customer', 'merchant'] as const) {
      const key = `${e}:${e === 'customer' ? row.tx.customer_id : row.tx.merchant_id}`;
      byEntity.set(key, [...(byEntity.get(key) ?? []), row]);
    }
    return out;
  });
}

describe('offline replay', () => {
  it('computes, for two months of sampled terminals, exactly what a naive scan of the earlier transactions gives', async () => {
    const rows: LabelledTransaction[] = [];
    for await (const r of readDataset(DATA, { toMs: Date.parse('2018-06-01T00:00:00Z') })) if (Number(r.tx.merchant_id) % 50 === 0) rows.push(r);
    const defs = DEFAULT_FEATURES.filter((d) => d.entity === 'customer' || d.entity === 'merchant');
    const expected = reference(rows, defs);
    let i = 0, frauds = 0;
    for await (const got of replay(rows, { definitions: defs })) {
      const want = expected[i++] as FeatureVector;
      for (const d of defs) assert.equal(got.features[d.name], want[d.name], `${d.name} of transaction ${got.tx.id}`);
      if ((got.features['terminal.fraud_rate_30d_delay7d'] ?? 0) > 0) frauds += 1;
    }
    assert.ok(rows.length > 10_000, `${rows.length} transactions`);
    assert.ok(frauds > 50, 'known frauds were in play');
  });

  it('refuses a history that goes back in time', async () => {
    const rows: LabelledTransaction[] = [];
    for await (const r of readDataset(DATA)) { rows.push(r); if (rows.length === 3) break; }
    await assert.rejects(async () => { for await (const _ of replay([rows[1], rows[0]] as LabelledTransaction[])) void _; }, { code: 'REPLAY_OUT_OF_ORDER' });
  });
});
