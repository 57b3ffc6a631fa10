import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.ts';
import type { MemoryFeatureStore } from '../engine/features/memory-store.ts';
import type { FxRates } from '../engine/fx-rates.ts';
import { ReplayOutOfOrder } from '../engine/features/replay.ts';
import { DatasetInvalid } from '../simulations/dataset.ts';
import { simulationScorer } from '../simulations/model-scorer.ts';
import type { OnnxScorer } from './onnx-scorer.ts';
import { replayRange } from '../simulations/replay-range.ts';
import { loadSide } from '../simulations/sides.ts';
import type { SimulationPlan } from '../simulations/spec.ts';
import { createSimulationRepository } from './pg/simulation-repository.ts';
import { createRulesetReader } from './pg/ruleset-repository.ts';
import { createRuleCaches, listOperators } from './ruleset-cache.ts';

export interface SimulationActivityDeps {
  db: Db;
  /** The process's ONNX scorer (its scoring thread, loading from the registry): replays score without reason codes. */
  scorer: OnnxScorer;
  log?: Logger;
  /** The rates decisions convert amounts with (amount_base): a replay uses the same. */
  fxRates?: FxRates | undefined;
  /** Changed decisions stored per chunk for the paged list (all are counted). */
  changesPerChunk?: number;
}

export interface ChunkInput { simulationId: string; chunk: number }
export interface ChunkResult { transactions: number; changed: number; warmedUp: boolean }

/** How often progress is written to Postgres while a chunk runs (heartbeats go to Temporal more often). */
const PROGRESS_EVERY_MS = 1_000;

/**
 * The simulation workflow's activities. A chunk's result is stored keyed by (simulation, chunk) in one
 * transaction, replacing any earlier attempt: a chunk re-run after a worker crash or a retry overwrites
 * its own counts, so the merged totals count every transaction once.
 *
 * Feature state across chunks: the store a chunk ends with is kept in this worker's memory and handed
 * to the next chunk of the same simulation when that runs here (the usual case: chunks run one after
 * the other). A chunk without it — the first, one retried, one picked up by another worker after a
 * crash — warms its windows by replaying the history before it (simulations/replay-range.ts): the same
 * features either way, so where a chunk runs never changes its counts.
 */
export function createSimulationActivities(deps: SimulationActivityDeps) {
  const repo = createSimulationRepository(deps.db);
  const { lists } = createRuleCaches(createRulesetReader(deps.db));
  const operators = listOperators(lists);
  const scorer = simulationScorer(deps.scorer);
  /** simulation id → the store after its last finished chunk here, and where that chunk ended. */
  const handOn = new Map<string, { toMs: number; store: MemoryFeatureStore }>();

  return {
    async markSimulationStarted(simulationId: string): Promise<void> {
      await repo.markStarted(simulationId);
    },

    async finishedChunks(simulationId: string): Promise<number[]> {
      return repo.finishedChunks(simulationId);
    },

    async runSimulationChunk({ simulationId, chunk }: ChunkInput): Promise<ChunkResult> {
      const ctx = Context.current();
      const plan = await repo.plan(simulationId);
      if (!plan) throw ApplicationFailure.nonRetryable(`simulation ${simulationId} does not exist`, 'SimulationNotFound');
      const range = plan.chunks[chunk];
      if (!range) throw ApplicationFailure.nonRetryable(`simulation ${simulationId} has no chunk ${chunk}`, 'ChunkNotFound');
      await lists.refresh();
      const before = await repo.rowsFinished(simulationId);

      // Taken, not read: the chunk mutates the store, so a retry of it must not find it again.
      const kept = handOn.get(simulationId);
      handOn.delete(simulationId);
      const store = kept && kept.toMs === range.fromMs ? kept.store : undefined;

      let lastWrite = 0;
      let writing: Promise<void> = Promise.resolve();
      try {
        const { counts, store: after } = await replayRange({
          source: sourceOf(plan), db: deps.db, fromMs: range.fromMs, toMs: range.toMs, store,
          candidate: loadSide('candidate', plan.candidate, operators), baseline: loadSide('baseline', plan.baseline, operators),
          scorer, fxRates: deps.fxRates, changedLimit: deps.changesPerChunk ?? 10_000, signal: ctx.cancellationSignal,
          onProgress: (fraction, counted) => {
            ctx.heartbeat({ fraction, counted });
            const now = Date.now();
            if (now - lastWrite < PROGRESS_EVERY_MS) return;
            lastWrite = now;
            writing = writing.then(() => repo.progress(simulationId, before + counted, fraction)).catch(() => undefined);
          },
        });
        await writing;
        await repo.saveChunk(simulationId, chunk, counts, counts.changed.sample);
        await repo.progress(simulationId, before + counts.transactions, 0);
        handOn.clear(); // one simulation's store at a time: memory stays bounded
        handOn.set(simulationId, { toMs: range.toMs, store: after });
        deps.log?.info({ simulationId, chunk, transactions: counts.transactions, changed: counts.changed.total, warmedUp: !store }, 'simulation chunk done');
        return { transactions: counts.transactions, changed: counts.changed.total, warmedUp: !store };
      } catch (err) {
        await writing;
        // Cancelled by the workflow (heartbeat delivered it): report it as a cancellation, not a failure.
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? err;
        // Data that does not have the handbook's shape stays so: retrying cannot help.
        if (err instanceof DatasetInvalid || err instanceof ReplayOutOfOrder) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
    },

    async completeSimulation(simulationId: string): Promise<void> {
      handOn.delete(simulationId);
      await repo.complete(simulationId);
    },

    async failSimulation({ simulationId, status, error }: { simulationId: string; status: 'failed' | 'cancelled'; error: string }): Promise<void> {
      handOn.delete(simulationId);
      await repo.fail(simulationId, status, error);
    },
  };
}

function sourceOf(plan: SimulationPlan) {
  return plan.source.kind === 'dataset' ? { kind: 'dataset' as const, dir: plan.source.dir } : { kind: 'postgres' as const };
}
