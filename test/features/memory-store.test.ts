import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDefinitions, DEFAULT_FEATURES, FeatureDefinitionInvalid, featureNames, type FeatureDefinition } from '../../engine/features/definitions.ts';
import { readFeatures } from '../../engine/features/degraded.ts';
import { createMemoryFeatureStore } from '../../engine/features/memory-store.ts';
import { FeatureStoreUnavailable } from '../../engine/features/degraded.ts';
import { DAY, HOUR, labelOf, MINUTE, T0, tx } from './factories.ts';

const store = () => createMemoryFeatureStore({ definitions: DEFAULT_FEATURES });

describe('in-process feature store', () => {
  it('returns every feature by name and never counts the transaction in its own windows', () => {
    const s = store();
    const f = s.observeSync(tx({ amount: '25.00' }));
    assert.deepEqual(Object.keys(f), featureNames(DEFAULT_FEATURES));
    assert.equal(f['customer.tx_count_1d'], 0);
    assert.equal(f['customer.amount_sum_30d'], 0);
    assert.equal(f['customer.amount_mean_30d'], null, 'a mean of nothing is missing');
    assert.equal(f['customer.amount_ratio_30d'], null);
    assert.equal(f['customer.seconds_since_last'], null);
    assert.equal(f['terminal.fraud_rate_7d_delay7d'], null, 'a fraud rate of nothing is missing');
    assert.equal(f['terminal.tx_count_7d_delay7d'], 0);
  });

  it('sums amounts exactly and derives mean, max and the amount ratio from the same window', () => {
    const s = store();
    s.observeSync(tx({ at: T0, amount: '10.10' }));
    s.observeSync(tx({ at: T0 + MINUTE, amount: '20.20' }));
    const f = s.observeSync(tx({ at: T0 + 2 * MINUTE, amount: '45.45' }));
    assert.equal(f['customer.tx_count_1h'], 2);
    assert.equal(f['customer.amount_sum_1d'], 30.3);
    assert.equal(f['customer.amount_mean_7d'], 15.15);
    assert.equal(f['customer.amount_max_30d'], 20.2);
    assert.equal(f['customer.amount_ratio_30d'], 3);
    assert.equal(f['customer.seconds_since_last'], 60);
  });

  it('expires windows on the transactions\' own clock, to the bucket, never counting anything older than the window', () => {
    const s = store();
    s.observeSync(tx({ at: T0 }));
    const at58m = s.observeSync(tx({ at: T0 + 58 * MINUTE, customer: 'c1' }));
    assert.equal(at58m['customer.tx_count_1h'], 1);
    const s2 = store();
    s2.observeSync(tx({ at: T0 }));
    const at61m = s2.observeSync(tx({ at: T0 + 61 * MINUTE }));
    assert.equal(at61m['customer.tx_count_1h'], 0);
    assert.equal(at61m['customer.tx_count_1d'], 1);
    const s3 = store();
    s3.observeSync(tx({ at: T0 }));
    const later = s3.observeSync(tx({ at: T0 + 30 * DAY + HOUR }));
    assert.equal(later['customer.tx_count_30d'], 0);
    assert.equal(later['customer.seconds_since_last'], null, 'the previous payment is older than the 30-day window');
  });

  it('reads the terminal\'s delayed windows a week back: [t − 7d − w, t − 7d) to the bucket', () => {
    const s = store();
    s.observeSync(tx({ at: T0, customer: 'a' }));
    const count = (at: number) => s.observeSync(tx({ at, customer: `x${at}`, terminal: 'm1' }))['terminal.tx_count_1d_delay7d'];
    assert.equal(count(T0 + 7 * DAY), 0, 'exactly 7 days later the transaction is still inside the delay');
    assert.equal(count(T0 + 7 * DAY + 15 * MINUTE), 1);
    assert.equal(count(T0 + 8 * DAY), 1);
    assert.equal(count(T0 + 8 * DAY + 15 * MINUTE), 0);
  });

  it('counts a fraud label in the terminal\'s rate only from the time it became known', () => {
    const s = store();
    const fraud = tx({ at: T0, customer: 'a', terminal: 'm9' });
    s.observeSync(fraud);
    s.observeSync(tx({ at: T0 + HOUR, customer: 'b', terminal: 'm9' }));
    const rate = (at: number) => s.observeSync(tx({ at, customer: `z${at}`, terminal: 'm9' }))['terminal.fraud_rate_30d_delay7d'];
    assert.equal(rate(T0 + 8 * DAY), 0);
    s.labelSync(labelOf(fraud, true, T0 + 10 * DAY)); // arrives after its delay, known from day 10
    assert.equal(rate(T0 + 9 * DAY), 0, 'not known yet at day 9');
    assert.equal(rate(T0 + 10 * DAY), 0.5, 'one fraud among the two transactions of the window');
    s.labelSync(labelOf(fraud, false, T0 + 12 * DAY)); // the analyst corrects it
    assert.equal(rate(T0 + 11 * DAY), 0.5);
    assert.equal(rate(T0 + 12 * DAY), 0);
  });

  it('answers a retried transaction as the first time and counts it once', () => {
    const s = store();
    s.observeSync(tx({ at: T0 }));
    const t = tx({ at: T0 + MINUTE, amount: '5.00' });
    const first = s.observeSync(t);
    s.observeSync(tx({ at: T0 + 2 * MINUTE }));
    assert.deepEqual(s.observeSync(t), first);
    assert.equal(s.observeSync(tx({ at: T0 + 3 * MINUTE }))['customer.tx_count_1h'], 3);
  });

  it('counts distinct merchants and devices, flags new devices and countries, and leaves absent attributes missing', () => {
    const s = store();
    assert.equal(s.observeSync(tx({ at: T0, terminal: 'm1', device: 'd1', country: 'BE' }))['customer.new_device'], 1);
    s.observeSync(tx({ at: T0 + MINUTE, terminal: 'm2', device: 'd1', country: 'BE' }));
    const f = s.observeSync(tx({ at: T0 + 2 * MINUTE, terminal: 'm2', device: 'd2', country: 'FR' }));
    assert.equal(f['customer.distinct_merchants_1d'], 2);
    assert.equal(f['customer.distinct_devices_1d'], 1);
    assert.equal(f['customer.new_device'], 1);
    assert.equal(f['customer.new_country'], 1);
    const g = s.observeSync(tx({ at: T0 + 3 * MINUTE, device: 'd2', country: 'BE' }));
    assert.equal(g['customer.new_device'], 0);
    assert.equal(g['customer.new_country'], 0);
    assert.equal(g['device.distinct_customers_30d'], 1);
    const none = s.observeSync(tx({ at: T0 + 4 * MINUTE }));
    assert.equal(none['customer.new_device'], null, 'no device on the transaction');
    assert.equal(none['device.distinct_customers_30d'], null, 'no device entity: its features are missing');
    assert.equal(none['ip.distinct_customers_1d'], null);
  });

  it('shares a device across customers for the ring feature', () => {
    const s = store();
    for (const c of ['a', 'b', 'c']) s.observeSync(tx({ at: T0, customer: c, device: 'shared' }));
    assert.equal(s.observeSync(tx({ at: T0 + DAY, customer: 'd', device: 'shared' }))['device.distinct_customers_30d'], 3);
  });

  it('flags weekends and nights (00:00–05:59 UTC) from the transaction time', () => {
    const s = store();
    const sat = s.observeSync(tx({ at: Date.parse('2018-04-07T05:59:59Z') }));
    assert.deepEqual([sat['tx.is_weekend'], sat['tx.is_night'], sat['tx.hour']], [1, 1, 5]);
    const mon = s.observeSync(tx({ at: Date.parse('2018-04-09T06:00:00Z') }));
    assert.deepEqual([mon['tx.is_weekend'], mon['tx.is_night'], mon['tx.hour']], [0, 0, 6]);
  });

  it('counts only the transactions passing a definition\'s filter', () => {
    const defs: FeatureDefinition[] = [{ name: 'customer.large_count_1d', entity: 'customer', aggregate: 'count', windowMs: DAY, filter: { minAmount: 100 }, description: 'payments of 100 or more' }];
    const s = createMemoryFeatureStore({ definitions: defs });
    s.observeSync(tx({ at: T0, amount: '99.99' }));
    s.observeSync(tx({ at: T0, amount: '100.00' }));
    assert.equal(s.observeSync(tx({ at: T0 + MINUTE }))['customer.large_count_1d'], 1);
  });

  it('forgets idle entities, so memory stays bounded over a long stream', () => {
    const s = store();
    // 200 days, 1,000 transactions a day, each customer active for 10 days only.
    for (let day = 0; day < 200; day++) {
      for (let i = 0; i < 1000; i++) s.observeSync(tx({ at: T0 + day * DAY + i * 60_000, customer: `c${Math.floor(day / 10)}-${i % 50}`, terminal: `m${i % 100}` }));
    }
    // Alive: customers of the last ~38 days (4 cohorts × 50) and the 100 terminals, plus what the sweep has not reached yet.
    assert.ok(s.size() <= 100 + 50 * 6, `holds ${s.size()} entities`);
  });

  it('refuses definitions it cannot compute, naming the feature', () => {
    assert.throws(() => checkDefinitions([{ name: 'device.fraud_rate_1d', entity: 'device', aggregate: 'fraud_rate', windowMs: DAY, description: '' }]), FeatureDefinitionInvalid);
    assert.throws(() => checkDefinitions([{ name: 'customer.tx_count_90m', entity: 'customer', aggregate: 'count', windowMs: 90 * MINUTE, bucketMs: HOUR, description: '' }]), /multiple of the bucket/);
    assert.throws(() => checkDefinitions([...DEFAULT_FEATURES, DEFAULT_FEATURES[0] as FeatureDefinition]), /used twice/);
  });

  it('degrades to missing stateful features, keeping the transaction\'s own, when the store fails', async () => {
    const failing = { observe: async () => { throw new FeatureStoreUnavailable('Redis is not connected (reconnecting)'); }, label: async () => undefined };
    const reasons: string[] = [];
    const read = await readFeatures(failing, tx({ at: Date.parse('2018-04-07T03:00:00Z') }), { definitions: DEFAULT_FEATURES, onDegraded: (r) => reasons.push(r) });
    assert.equal(read.degraded, true);
    assert.equal(read.features['customer.tx_count_1d'], null);
    assert.equal(read.features['tx.is_night'], 1);
    assert.deepEqual(reasons, ['Redis is not connected (reconnecting)']);
  });
});
