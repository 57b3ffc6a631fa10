import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { FeatureVector } from '../engine/features/store.ts';
import type { ArmScores, ModelWeights } from '../engine/scoring.ts';
import { ModelRejected, type ModelMetadata, type ModelProblem } from './model-metadata.ts';
import type { ModelValidator } from './model-registry.ts';
import type { BatchOptions, ModelLoader, ModelSource, OnnxScorer } from './onnx-scorer.ts';
import { batchingScorer } from './score-batcher.ts';
import { withTimeout } from './with-timeout.ts';

type ScorerAsk =
  | { kind: 'open'; version: string; source: ModelSource }
  | { kind: 'score'; versions: string[]; vectors: FeatureVector[]; weights: ModelWeights | undefined; batch: BatchOptions | undefined }
  | { kind: 'release'; versions: string[] | undefined }
  | { kind: 'validate'; onnx: Uint8Array; meta: ModelMetadata; known: readonly string[] }
  | { kind: 'close' };
export type ScorerRequest = ScorerAsk & { id: number };
export type ScorerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; version?: string; issues?: ModelProblem[] } };

/**
 * The ONNX scorer on a thread of its own. onnxruntime-node runs a session synchronously on the
 * calling thread, so in the API/worker process every inference (and its reason codes) would stall
 * the event loop serving HTTP, Redis and Temporal; here the event loop only posts the feature rows
 * and receives the scores, and inference uses the machine's other core. The thread runs the same
 * scorer (createOnnxScorer), so results are identical; models are loaded here (from the registry,
 * the owning thread's connections) and their bytes handed to the thread once per version.
 */
export function createThreadedOnnxScorer(opts: { load: ModelLoader; log?: Logger }): OnnxScorer & { validate: ModelValidator; close(): Promise<void> } {
  const worker = new Worker(new URL('./onnx-scorer-worker.mjs', import.meta.url));
  worker.unref(); // an idle scorer never keeps the process alive
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let dead: Error | null = null;
  let closing: Promise<void> | null = null;
  worker.on('message', (reply: ScorerReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(reply.error.name === 'ModelRejected' && reply.error.version
      ? new ModelRejected(reply.error.version, reply.error.issues ?? [])
      : Object.assign(new Error(reply.error.message), { name: reply.error.name }));
  });
  const fail = (err: Error) => {
    dead = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the scoring thread exited (code ${code})`)));

  const ask = <T>(req: ScorerAsk): Promise<T> => new Promise<T>((resolve, reject) => {
    if (dead) { reject(dead); return; }
    if (closing && req.kind !== 'close') { reject(new Error('the scoring thread is closed')); return; }
    const id = ++seq;
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.ref(); // a request in flight keeps the process alive until answered
    worker.postMessage({ ...req, id } satisfies ScorerRequest);
  }).finally(() => { if (waiting.size === 0 && !closing) worker.unref(); });

  const opened = new Map<string, Promise<ModelMetadata>>();
  const open = (version: string): Promise<ModelMetadata> => {
    let m = opened.get(version);
    if (!m) {
      m = opts.load(version).then((source) => ask<ModelMetadata>({ kind: 'open', version, source }));
      opened.set(version, m);
      m.then((meta) => opts.log?.info({ version, role: meta.role, inputs: meta.featureNames.length }, 'model loaded'), () => undefined);
      m.catch(() => opened.delete(version)); // a failed load is retried on the next use
    }
    return m;
  };

  const scoreBatch = async (versions: string[], vectors: FeatureVector[], weights?: ModelWeights, batch?: BatchOptions): Promise<ArmScores[]> => {
    await Promise.all(versions.map(open));
    return ask<ArmScores[]>({ kind: 'score', versions, vectors, weights, batch });
  };

  return {
    // Concurrent decisions share one message and one ONNX run per model (score-batcher.ts).
    score: batchingScorer(scoreBatch),
    scoreBatch,
    metadata: open,
    // A model being registered is checked here too, so that onnxruntime-node is initialized on this one
    // thread of the process: initialized on two, test processes aborted now and then at exit with a
    // native error (Napi::Error while a thread's environment was torn down).
    validate: (onnx, meta, known) => ask<void>({ kind: 'validate', onnx, meta, known }),
    async release(versions) {
      for (const v of versions ?? [...opened.keys()]) opened.delete(v);
      if (!dead) await ask({ kind: 'release', versions });
    },
    close() {
      // Once: a second caller waits for the same end.
      return closing ??= (async () => {
        // Referenced from here on: the caller awaits the thread's end, which keeps the process alive until then.
        worker.ref();
        opened.clear();
        // No onnxruntime object may outlive the thread's environment: an InferenceSession torn down with
        // it throws from native code, which aborts the whole process. So nothing new is asked from here
        // on, and the thread answers what it was asked, frees every session and only then is stopped.
        if (!dead) await withTimeout(ask({ kind: 'close' }), 5_000).catch(() => undefined);
        await worker.terminate();
      })();
    },
  };
}
