import type { Db } from '../db/pool.ts';
import { bucketMsOf, DEFAULT_FEATURES, type FeatureDefinition } from '../engine/features/definitions.ts';
import { createMemoryFeatureStore, type MemoryFeatureStore } from '../engine/features/memory-store.ts';
import { replay } from '../engine/features/replay.ts';
import { readHistory, type HistorySource } from './history.ts';
import { simulate, type BatchScorer, type FeaturedRow, type SimulateOptions, type SimulationCounts, type SimulationSide } from './simulate.ts';

/**
 * One stretch of history [fromMs, toMs) replayed through both sides: the in-process feature store fed
 * in time order (point-in-time, labels only once known), then simulate() — the production path.
 *
 * Features carry state across time (windows up to 30 days, shifted by a 7-day label delay), so a
 * stretch that does not start the history needs its windows warmed. Two ways, same features:
 * - `store`: continue from the store that replayed everything before fromMs (the previous chunk on the
 *   same worker hands it on: no warm-up at all);
 * - otherwise the history from fromMs − (longest window + delay + its bucket) is replayed into a fresh store
 *   before counting starts. Every window is a set of whole buckets (≤ 1 h) ending before the
 *   transaction, so nothing older than that can reach a feature at or after fromMs: the features equal
 *   those of a replay from the very start (test/simulations checks chunked = unchunked).
 */
export interface ReplayRangeOptions {
  source: HistorySource;
  db?: Db;
  fromMs: number;
  toMs: number;
  candidate: SimulationSide;
  baseline: SimulationSide;
  scorer: BatchScorer;
  fxRates?: SimulateOptions['fxRates'];
  definitions?: readonly FeatureDefinition[];
  /** A store that has replayed exactly the history before fromMs. */
  store?: MemoryFeatureStore;
  /** Changed decisions kept (the total is always counted). */
  changedLimit?: number;
  /** Share of the stretch (warm-up included) replayed, 0–1, and transactions counted. */
  onProgress?: (fraction: number, counted: number) => void;
  onRow?: SimulateOptions['onRow'];
  signal?: AbortSignal;
}

export interface RangeResult {
  /** Counts of both sides; counts.changed.sample holds the changed decisions (up to changedLimit). */
  counts: SimulationCounts;
  /** The store after the stretch: hand it to the next one. */
  store: MemoryFeatureStore;
}

/** How much history before a stretch reaches its features: the longest window + delay, plus one bucket (windows are whole buckets). */
function warmUpMs(definitions: readonly FeatureDefinition[] = DEFAULT_FEATURES): number {
  return Math.max(0, ...definitions.map((d) => d.windowMs + (d.delayMs ?? 0) + bucketMsOf(d)));
}

export async function replayRange(opts: ReplayRangeOptions): Promise<RangeResult> {
  const definitions = opts.definitions ?? DEFAULT_FEATURES;
  const warm = opts.store === undefined;
  const store = opts.store ?? createMemoryFeatureStore({ definitions, seen: { windowMs: 0, max: 0 } });
  const readFrom = warm ? opts.fromMs - warmUpMs(definitions) : opts.fromMs;
  const span = Math.max(1, opts.toMs - readFrom);
  let lastReport = 0;
  let counted = 0;

  const history = readHistory(opts.source, { fromMs: readFrom, toMs: opts.toMs }, opts.db);
  const labelled = (async function* () {
    for await (const row of history) yield { tx: row.tx, fraud: row.label === true, label: row.label, ...(row.knownAtMs === undefined ? {} : { knownAtMs: row.knownAtMs }) };
  })();
  async function* rows(): AsyncGenerator<FeaturedRow> {
    for await (const row of replay(labelled, { definitions, store })) {
      const t = row.tx.occurredAtMs;
      if (++lastReport >= 2_000) {
        lastReport = 0;
        opts.onProgress?.(Math.min(1, (t - readFrom) / span), counted);
        // The replay runs on promises alone (microtasks): let timers and I/O through — the heartbeat
        // that tells Temporal this worker is alive, the API served by the same process.
        await new Promise<void>((ok) => setImmediate(ok));
        if (opts.signal?.aborted) throw new Error('simulation cancelled');
      }
      if (t < opts.fromMs) continue;
      yield { tx: row.tx, features: row.features, fraud: row.label };
    }
  }

  const counts = await simulate({
    rows: rows(), candidate: opts.candidate, baseline: opts.baseline, scorer: opts.scorer, fxRates: opts.fxRates, changedSampleLimit: opts.changedLimit ?? 10_000,
    signal: opts.signal,
    onProgress: (done) => { counted = done; },
    onRow: opts.onRow,
  });
  opts.onProgress?.(1, counts.transactions);
  return { counts, store };
}
