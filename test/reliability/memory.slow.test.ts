import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';

// `npm run test:memory`: ten minutes of steady load (FRAUDGUARD_SOAK_SECONDS=600). The reliability
// suite runs it only when FRAUDGUARD_SOAK_SECONDS is set.
const SECONDS = Number(process.env.FRAUDGUARD_SOAK_SECONDS ?? 0);
const RATE = Number(process.env.FRAUDGUARD_SOAK_RATE ?? 3);
/**
 * The stated bounds, from the end of the warm-up (the first fifth of the run: JIT, pools, ONNX
 * sessions, the worker's workflow cache filling) to the end: the API + worker process's JS heap may
 * grow by at most 64 MB and its resident size by at most 256 MB (the worker's workflow cache holds
 * up to 2,000 open review workflows in its own isolate, counted in RSS only).
 */
const HEAP_BOUND_MB = 64;
const RSS_BOUND_MB = 256;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
function sample() { gc(); gc(); const m = process.memoryUsage(); return { heap: mb(m.heapUsed), rss: mb(m.rss) }; }

describe(`memory under ${SECONDS} s of steady load at ${RATE}/s`, { skip: SECONDS > 0 ? false : 'set FRAUDGUARD_SOAK_SECONDS (npm run test:memory runs 600 s)' }, () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it(`stays within +${HEAP_BOUND_MB} MB heap and +${RSS_BOUND_MB} MB RSS after warm-up`, async (t) => {
    const samples: { at: number; heap: number; rss: number }[] = [];
    const started = Date.now();
    let ok = 0;
    let failed = 0;
    const firstFailures: string[] = [];
    const fail = (what: string) => { failed += 1; if (firstFailures.length < 3) firstFailures.push(what.slice(0, 300)); };
    const inFlight = new Set<Promise<void>>();
    let nextSample = started;
    // Open-loop at RATE/s; replies are counted, not kept, so the test holds no memory of its own.
    for (let i = 0; Date.now() - started < SECONDS * 1000; i++) {
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = stack.post('/v1/decisions', aTransaction({ customer_id: `soak-c${i % 500}` }))
        .then((r) => { if (r.status === 200) ok += 1; else fail(`${r.status} ${JSON.stringify(r.body)}`); }, (err: unknown) => fail((err as Error).message))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (Date.now() >= nextSample) { samples.push({ at: Math.round((Date.now() - started) / 1000), ...sample() }); nextSample += Math.max(5_000, (SECONDS * 1000) / 20); }
    }
    await Promise.all(inFlight);
    samples.push({ at: Math.round((Date.now() - started) / 1000), ...sample() });
    const warm = samples.find((s) => s.at >= SECONDS / 5) ?? samples[0];
    const last = samples[samples.length - 1];
    assert.ok(warm && last);
    t.diagnostic(`${ok} decisions, ${failed} failed; samples (s: heap MB / RSS MB): ${samples.map((s) => `${s.at}: ${s.heap}/${s.rss}`).join(', ')}`);
    t.diagnostic(`growth after warm-up (${warm.at} s → ${last.at} s): heap ${Math.round((last.heap - warm.heap) * 10) / 10} MB, RSS ${Math.round((last.rss - warm.rss) * 10) / 10} MB`);
    assert.equal(failed, 0, `failures, the first: ${firstFailures.join(' | ')}`);
    assert.ok(last.heap - warm.heap <= HEAP_BOUND_MB, `heap grew ${last.heap - warm.heap} MB`);
    assert.ok(last.rss - warm.rss <= RSS_BOUND_MB, `RSS grew ${last.rss - warm.rss} MB`);
  });
});
