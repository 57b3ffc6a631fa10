import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../db/pool.ts';
import { createModelRegistry } from '../activities/model-registry.ts';
import { parseModelMetadata } from '../activities/model-metadata.ts';
import { modelsInDirectory, type ModelLoader, type OnnxScorer } from '../activities/onnx-scorer.ts';
import type { BatchScorer } from './simulate.ts';

/**
 * The scorer a simulation uses: the production ONNX scorer it is given (same sessions, same
 * combination), in batches, without reason codes (a replay never shows them). In the worker that is the process's own scoring
 * thread, so onnxruntime-node runs on one thread per process.
 */
export function simulationScorer(scorer: OnnxScorer): BatchScorer {
  return { scoreBatch: (versions, vectors, weights) => scorer.scoreBatch(versions, vectors, weights, { topReasons: 0 }) };
}

/**
 * Where the offline CLI finds a model version: among the files given directly (`--model x.onnx`),
 * then in the model registry (Postgres) when there is one, then in the models/ folder.
 */
export function simulationModels(opts: { db?: Db; modelsDir?: string; files?: Map<string, ModelLoader> }): ModelLoader {
  const loaders: ModelLoader[] = [];
  if (opts.files) loaders.push(async (version) => {
    const load = opts.files?.get(version);
    if (!load) throw new Error(`model version ${version} was not given as a file`);
    return load(version);
  });
  if (opts.db) loaders.push(createModelRegistry(opts.db).loader());
  if (opts.modelsDir) loaders.push(modelsInDirectory(opts.modelsDir));
  return async (version) => {
    const errors: string[] = [];
    for (const loader of loaders) {
      try { return await loader(version); } catch (err) { errors.push((err as Error).message); }
    }
    throw new Error(`model version ${version} not found (${errors.join('; ') || 'no model source'})`);
  };
}

/**
 * A model given as a file (`--model path/x.onnx`): its metadata is the .json beside it (as ml/ writes
 * them). Gives its version and a loader for it.
 */
export async function modelFile(path: string): Promise<{ version: string; load: ModelLoader }> {
  const metaPath = join(dirname(path), `${basename(path, '.onnx')}.json`);
  const raw: unknown = JSON.parse(await readFile(metaPath, 'utf8'));
  const meta = parseModelMetadata(raw);
  const onnx = new Uint8Array(await readFile(path));
  const treesFile = meta.reasons?.method === 'saabas-path-contributions' ? meta.reasons.file : undefined;
  const explainer: unknown = treesFile ? JSON.parse(await readFile(join(dirname(path), treesFile), 'utf8')) : undefined;
  return { version: meta.version, load: async () => ({ onnx, metadata: raw, explainer }) };
}
