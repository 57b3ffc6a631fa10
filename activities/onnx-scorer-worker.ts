// The ONNX scorer's own thread (see onnx-scorer-thread.ts): the unchanged in-process scorer, fed
// the model files the owning thread loaded, answering its requests one message each.
import { parentPort } from 'node:worker_threads';
import { createOnnxScorer, type ModelSource } from './onnx-scorer.ts';
import { ModelRejected, validateModel } from './model-metadata.ts';
import type { ScorerReply, ScorerRequest } from './onnx-scorer-thread.ts';

const port = parentPort;
if (!port) throw new Error('onnx-scorer-worker.ts runs as a worker thread');

const sources = new Map<string, ModelSource>();
const scorer = createOnnxScorer({
  load: async (version) => {
    const source = sources.get(version);
    if (!source) throw new Error(`model ${version} was not sent to the scoring thread`);
    return source;
  },
});

const failure = (err: unknown): Extract<ScorerReply, { ok: false }>['error'] =>
  err instanceof ModelRejected
    ? { name: err.name, message: err.message, version: err.version, issues: err.issues }
    : { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) };

// Work under way, so that closing waits for it: a session still being created, or run, when the
// thread is stopped would be torn down with it (see close in onnx-scorer-thread.ts).
const underWay = new Set<Promise<unknown>>();
let closed = false;

port.on('message', (req: ScorerRequest) => {
  const answer = async (): Promise<unknown> => {
    if (closed) throw new Error('the scoring thread is closed');
    switch (req.kind) {
      case 'open':
        sources.set(req.version, req.source);
        return scorer.metadata(req.version).finally(() => sources.delete(req.version));
      case 'score':
        return scorer.scoreBatch(req.versions, req.vectors, req.weights, req.batch);
      case 'release':
        return scorer.release(req.versions);
      case 'validate':
        return validateModel(req.onnx, req.meta, req.known);
      case 'close':
        closed = true;
        await Promise.allSettled([...underWay]);
        return scorer.release();
    }
  };
  const work = answer();
  underWay.add(work);
  void work.finally(() => underWay.delete(work)).catch(() => undefined);
  work.then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies ScorerReply),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: failure(err) } satisfies ScorerReply),
  );
});
