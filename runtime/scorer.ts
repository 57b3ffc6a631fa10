import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.ts';
import { ModelRejected, type ModelMetadata } from '../activities/model-metadata.ts';
import { createModelRegistry, ModelNotFound, ModelVersionExists, type ModelRegistry } from '../activities/model-registry.ts';
import { modelDirectoryIndex, modelsInDirectory, type OnnxScorer } from '../activities/onnx-scorer.ts';
import { createThreadedOnnxScorer } from '../activities/onnx-scorer-thread.ts';
import type { Deployment } from '../engine/deployment.ts';
import type { ModelWeights } from '../engine/scoring.ts';

/** The models committed with the code: trained by ml/train.sh on ../shared/data. */
export const COMMITTED_MODELS_DIR = resolve(import.meta.dirname, '../models');

export interface RuntimeScorer extends OnnxScorer {
  registry: ModelRegistry;
  /** The newest committed model of each role (gbdt first): the champion of a freshly seeded deployment. */
  defaultModelVersions: string[];
  /** How that champion combines them: each committed model's own weight, written out on the arm. */
  defaultModelWeights: ModelWeights;
  /**
   * Keeps the loaded sessions in step with the deployment in force, read with `current` every
   * `intervalMs` (its own read: the decisions' cached deployment is left to age on its own clock):
   * the versions a new deployment names are loaded before its first decision needs them (hot swap,
   * no restart), and a version no arm names any more is freed once no decision has used it for
   * `idleMs`. Returns the stop function.
   */
  follow(current: () => Promise<Deployment | null>, opts?: { intervalMs?: number; idleMs?: number }): () => void;
  /** Frees every session and stops the scoring thread. */
  close(): Promise<void>;
}

/**
 * The worker's scorer: ONNX models from the Postgres registry (one InferenceSession per version,
 * loaded on first use, one intra-op thread, no spinning: see SESSION_OPTIONS), run on a thread of
 * their own (onnx-scorer-thread.ts) so that inference never stalls the event loop. At start the models
 * committed under models/ are registered when absent (idempotent; concurrent starters are fine), so
 * a fresh database decides with them from its first transaction.
 */
export async function createScorer(deps: { db: Db; log: Logger; modelsDir?: string }): Promise<RuntimeScorer> {
  // The thread loads models from the registry (only once asked to score), and the registry checks new
  // ones on the thread.
  const scorer = createThreadedOnnxScorer({ load: (version) => registry.loader()(version), log: deps.log });
  const registry = createModelRegistry(deps.db, { validate: scorer.validate });
  const committed = await registerCommittedModels(registry, deps.modelsDir ?? COMMITTED_MODELS_DIR, deps.log);
  const seeded = seededChampionModels(committed);

  const lastUsed = new Map<string, number>();
  const touch = (versions: readonly string[]) => { const now = Date.now(); for (const v of versions) lastUsed.set(v, now); };

  return {
    ...scorer,
    registry,
    defaultModelVersions: seeded.modelVersions,
    defaultModelWeights: seeded.modelWeights,
    async score(versions, features, weights) {
      touch(versions);
      return scorer.score(versions, features, weights);
    },
    async scoreBatch(versions, vectors, weights, batch) {
      touch(versions);
      return scorer.scoreBatch(versions, vectors, weights, batch);
    },
    async release(versions) {
      for (const v of versions ?? [...lastUsed.keys()]) lastUsed.delete(v);
      await scorer.release(versions);
    },
    async close() {
      lastUsed.clear();
      await scorer.close();
    },
    follow(current, opts = {}) {
      const idleMs = opts.idleMs ?? 60_000;
      let busy = false;
      const step = async () => {
        if (busy) return;
        busy = true;
        try {
          const deployment = await current();
          if (!deployment) return;
          const named = namedVersions(deployment);
          for (const v of named) {
            if (lastUsed.has(v)) continue;
            touch([v]);
            await scorer.metadata(v).catch((err: unknown) => {
              lastUsed.delete(v);
              deps.log.warn({ err, version: v }, 'a deployed model version could not be loaded; decisions naming it will fail until it can');
            });
          }
          const now = Date.now();
          const idle = [...lastUsed].filter(([v, at]) => !named.has(v) && now - at > idleMs).map(([v]) => v);
          if (idle.length) {
            for (const v of idle) lastUsed.delete(v);
            await scorer.release(idle);
            deps.log.info({ versions: idle }, 'model sessions released: no arm names them any more');
          }
        } catch (err) {
          deps.log.debug({ err }, 'model follow-up skipped: the deployment could not be read');
        } finally {
          busy = false;
        }
      };
      void step();
      const timer = setInterval(() => void step(), opts.intervalMs ?? 2_000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** Every model version an arm of the deployment names. */
export function namedVersions(d: Deployment): Set<string> {
  return new Set([d.champion, ...d.challengers].flatMap((a) => a.modelVersions));
}

/**
 * Registers each model of `dir` the registry does not hold yet. A model the registry refuses (its
 * features no longer match the store, say) is logged and left out: the service starts without it.
 * A version registered with other bytes is kept as registered (versions are immutable) and logged.
 */
export async function registerCommittedModels(registry: ModelRegistry, dir: string, log: Logger): Promise<ModelMetadata[]> {
  const index = await modelDirectoryIndex(dir).catch((err: unknown) => {
    log.warn({ err, dir }, 'no committed models could be read: decisions run without models until some are registered');
    return new Map<string, { meta: ModelMetadata }>();
  });
  const load = modelsInDirectory(dir);
  const usable: ModelMetadata[] = [];
  for (const { meta } of index.values()) {
    try {
      const registered = await registry.get(meta.version).catch((err: unknown) => { if (err instanceof ModelNotFound) return null; throw err; });
      if (registered) {
        if (meta.onnx.sha256 && registered.sha256 !== meta.onnx.sha256) {
          log.warn({ version: meta.version, registered: registered.sha256, committed: meta.onnx.sha256 }, 'the registry holds other bytes under a committed model\'s version; the registered ones are used');
        }
      } else {
        await registry.register(await load(meta.version));
        log.info({ version: meta.version, role: meta.role }, 'committed model registered');
      }
      usable.push(meta);
    } catch (err) {
      if (err instanceof ModelVersionExists) { usable.push(meta); continue; } // another process registered it meanwhile
      if (err instanceof ModelRejected) { log.error({ version: meta.version, problems: err.problems }, 'committed model refused by the registry'); continue; }
      throw err;
    }
  }
  return usable;
}

/**
 * The models a freshly seeded champion scores with: the newest of each role (newestPerRole), combined
 * by each model's own weight, written out on the arm. The runtime seeds the deployment with it, and
 * the offline CLI's baseline is the same champion.
 */
export function seededChampionModels(committed: readonly ModelMetadata[]): { modelVersions: string[]; modelWeights: ModelWeights } {
  const newest = newestPerRole(committed);
  return { modelVersions: newest.map((m) => m.version), modelWeights: Object.fromEntries(newest.map((m) => [m.role, m.combine.weight])) };
}

const ROLE_ORDER = ['gbdt', 'anomaly'];

/** Per role, the model trained on the latest data (then the greatest version), supervised roles first. */
export function newestPerRole(models: readonly ModelMetadata[]): ModelMetadata[] {
  const trainedUntil = (m: ModelMetadata) => {
    const train = (m['training'] as { split?: { train?: unknown[] } } | undefined)?.split?.train;
    return typeof train?.[1] === 'string' ? train[1] : '';
  };
  const key = (m: ModelMetadata) => `${trainedUntil(m)}\u0000${m.version}`;
  const best = new Map<string, ModelMetadata>();
  for (const m of models) {
    const seen = best.get(m.role);
    if (!seen || key(m) > key(seen)) best.set(m.role, m);
  }
  const rank = (role: string) => (ROLE_ORDER.includes(role) ? ROLE_ORDER.indexOf(role) : ROLE_ORDER.length);
  return [...best.values()].sort((a, b) => rank(a.role) - rank(b.role) || a.role.localeCompare(b.role));
}
