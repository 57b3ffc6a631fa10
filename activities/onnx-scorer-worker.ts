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

port.on('message', (req: ScorerRequest) => {
  const answer = async (): Promise<unknown> => {
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
    }
  };
  answer().then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies ScorerReply),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: failure(err) } satisfies ScorerReply),
  );
});
