import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { FeatureVector } from '../engine/features/store.ts';
import type { ArmScores, ModelScore, ModelWeights, Scorer } from '../engine/scoring.ts';
import { ModelRejected, parseModelMetadata, SESSION_OPTIONS, type ModelMetadata } from './model-metadata.ts';
import { batchingScorer } from './score-batcher.ts';
import { topPositive, TreeExplainer } from './tree-contributions.ts';

/** What a model version is made of, wherever it is stored (registry, models/ folder). */
export interface ModelSource {
  onnx: Uint8Array;
  metadata: unknown;
  /** The tree structure for path contributions (models/<version>.trees.json), when the model has one. */
  explainer?: unknown;
}
export type ModelLoader = (version: string) => Promise<ModelSource>;

export interface OnnxScorerOptions {
  load: ModelLoader;
  /** Reason codes kept per model (0: none, for bulk runs that never show them). Default 3. */
  topReasons?: number;
  log?: Logger;
}

/** Per call: reason codes kept per model, overriding the scorer's `topReasons` (0 for replays, which never show them). */
export interface BatchOptions { topReasons?: number }

export interface OnnxScorer extends Scorer {
  /** One ORT run per model over all the rows (bulk requests, simulations). Same results as `score` row by row. */
  scoreBatch(modelVersions: string[], vectors: FeatureVector[], weights?: ModelWeights, opts?: BatchOptions): Promise<ArmScores[]>;
  /** The version's metadata, loading the model (once) if needed. */
  metadata(version: string): Promise<ModelMetadata>;
  /** Frees the sessions of versions no longer deployed (all when none given). */
  release(versions?: string[]): Promise<void>;
}

interface LoadedModel {
  meta: ModelMetadata;
  session: InferenceSession;
  explainer: TreeExplainer | null;
}

/**
 * Scores feature vectors with ONNX models in onnxruntime-node. Each version is loaded once, on first
 * use (one InferenceSession per version, one thread, no spinning: see SESSION_OPTIONS), so a
 * deployment naming a new version hot-swaps without a restart and arms sharing a version share its session.
 *
 * Input: the vector's values in the metadata's feature order as float32; a missing value (null or
 * absent) is NaN, the declared policy ("nan": each model handles it, see the metadata). The transaction
 * amount is the input named `amount`: callers put it in the vector (`modelInput`).
 *
 * combined = Σ weight·score / Σ weight over the arm's models; with no positive weight, the plain mean.
 * A weight comes from the arm (`weights` argument: the deployment's `modelWeights`), else the model's
 * metadata (`combine.weight`).
 *
 * Reason codes, per model: for a tree ensemble that ships its structure, path contributions to the
 * log-odds margin (tree-contributions.ts: exact decomposition, microseconds a row); for any other model,
 * occlusion: each present feature in turn set missing (the model's own policy replaces it, the training
 * median for the anomaly model), contribution = score − score without it, all variants in one batched run.
 */
export function createOnnxScorer(opts: OnnxScorerOptions): OnnxScorer {
  const loaded = new Map<string, Promise<LoadedModel>>();
  const topK = opts.topReasons ?? 3;

  function model(version: string): Promise<LoadedModel> {
    let m = loaded.get(version);
    if (!m) {
      m = open(version, opts.load);
      loaded.set(version, m);
      m.then((lm) => opts.log?.info({ version, role: lm.meta.role, inputs: lm.meta.featureNames.length }, 'model loaded'),
        () => loaded.delete(version)); // a failed load is retried on the next decision
    }
    return m;
  }

  async function scoreBatch(versions: string[], vectors: FeatureVector[], armWeights?: ModelWeights, batch?: BatchOptions): Promise<ArmScores[]> {
    if (versions.length === 0) return vectors.map(() => ({ combined: null, models: [] }));
    const reasonsKept = batch?.topReasons ?? topK;
    const models = await Promise.all(versions.map(model));
    const matrices = new Map<string, Float32Array>();
    const perModel = await Promise.all(models.map(async (m, k) => {
      const key = m.meta.featureNames.join('\u0000');
      let x = matrices.get(key);
      if (!x) matrices.set(key, x = toMatrix(m.meta.featureNames, vectors));
      const scores = await run(m, x, vectors.length);
      const reasons = reasonsKept === 0 ? vectors.map(() => []) : m.explainer ? treeReasons(m, x, vectors.length, reasonsKept) : await occlusionReasons(m, x, scores, reasonsKept);
      return vectors.map((_, r): ModelScore => ({ role: m.meta.role, modelVersion: versions[k] as string, score: scores[r] as number, topContributions: reasons[r] ?? [] }));
    }));
    const weights = models.map((m) => armWeights?.[m.meta.role] ?? m.meta.combine.weight);
    return vectors.map((_, r) => {
      const scores = perModel.map((p) => p[r] as ModelScore);
      return { combined: combine(scores.map((s) => s.score), weights), models: scores };
    });
  }

  return {
    // Concurrent decisions share ONNX runs (score-batcher.ts): one run per model per event-loop turn.
    score: batchingScorer(scoreBatch),
    scoreBatch,
    async metadata(version) {
      return (await model(version)).meta;
    },
    async release(versions) {
      const names = versions ?? [...loaded.keys()];
      await Promise.all(names.map(async (v) => {
        const m = loaded.get(v);
        loaded.delete(v);
        if (m) await (await m.catch(() => null))?.session.release();
      }));
    },
  };
}


async function open(version: string, load: ModelLoader): Promise<LoadedModel> {
  const src = await load(version);
  const meta = parseModelMetadata(src.metadata);
  if (meta.version !== version) throw new ModelRejected(version, [{ field: 'metadata.version', reason: `its metadata names version ${meta.version}` }]);
  const session = await InferenceSession.create(src.onnx, SESSION_OPTIONS);
  const problems = [
    ...(session.inputNames.includes(meta.onnx.input) ? [] : [{ field: 'metadata.onnx.input', reason: `no input "${meta.onnx.input}"` }]),
    ...(session.outputNames.includes(meta.onnx.output) ? [] : [{ field: 'metadata.onnx.output', reason: `no output "${meta.onnx.output}"` }]),
  ];
  if (problems.length) {
    await session.release();
    throw new ModelRejected(version, problems);
  }
  const explainer = src.explainer !== undefined && src.explainer !== null ? TreeExplainer.parse(src.explainer, meta.featureNames.length) : null;
  return { meta, session, explainer };
}

function toMatrix(names: readonly string[], vectors: readonly FeatureVector[]): Float32Array {
  const width = names.length;
  const x = new Float32Array(vectors.length * width);
  vectors.forEach((v, r) => {
    for (let j = 0; j < width; j++) {
      const value = v[names[j] as string];
      x[r * width + j] = value === null || value === undefined ? Number.NaN : value;
    }
  });
  return x;
}

async function run(m: LoadedModel, x: Float32Array, rows: number): Promise<Float32Array> {
  const width = m.meta.featureNames.length;
  const out = (await m.session.run({ [m.meta.onnx.input]: new Tensor('float32', x, [rows, width]) }))[m.meta.onnx.output];
  if (!out) throw new Error(`model ${m.meta.version}: no output "${m.meta.onnx.output}"`);
  const data = out.data as Float32Array;
  const cols = out.dims.length === 2 ? Number(out.dims[1]) : 1;
  const col = m.meta.onnx.outputColumn;
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) scores[r] = data[r * cols + col] as number;
  return scores;
}

function treeReasons(m: LoadedModel, x: Float32Array, rows: number, k: number): ModelScore['topContributions'][] {
  const explainer = m.explainer as TreeExplainer;
  const width = m.meta.featureNames.length;
  const c = new Float64Array(width);
  const out: ModelScore['topContributions'][] = [];
  for (let r = 0; r < rows; r++) {
    explainer.contributions(x, r * width, c);
    out.push(topPositive(m.meta.featureNames, c, k));
  }
  return out;
}

async function occlusionReasons(m: LoadedModel, x: Float32Array, scores: Float32Array, k: number): Promise<ModelScore['topContributions'][]> {
  const width = m.meta.featureNames.length;
  const rows = scores.length;
  const slots: [row: number, feature: number][] = [];
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) if (!Number.isNaN(x[r * width + j] as number)) slots.push([r, j]);
  if (slots.length === 0) return Array.from({ length: rows }, () => []);
  const variants = new Float32Array(slots.length * width);
  slots.forEach(([r, j], i) => {
    variants.set(x.subarray(r * width, (r + 1) * width), i * width);
    variants[i * width + j] = Number.NaN;
  });
  const occluded = await run(m, variants, slots.length);
  const contributions = Array.from({ length: rows }, () => new Float64Array(width));
  slots.forEach(([r, j], i) => { (contributions[r] as Float64Array)[j] = (scores[r] as number) - (occluded[i] as number); });
  return contributions.map((c) => topPositive(m.meta.featureNames, c, k));
}

export function combine(scores: readonly number[], weights: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let sum = 0;
  let total = 0;
  scores.forEach((s, i) => { const w = weights[i] ?? 0; sum += w * s; total += w; });
  return total > 0 ? sum / total : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/**
 * Models committed in a folder (models/): each `<version>.json` metadata file beside its ONNX file
 * (`onnx.file`) and, for tree models, its `reasons.file` structure. Files that are not model metadata
 * (reports) are skipped.
 */
export async function modelDirectoryIndex(dir: string): Promise<Map<string, { meta: ModelMetadata; raw: unknown }>> {
  const map = new Map<string, { meta: ModelMetadata; raw: unknown }>();
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.endsWith('.trees.json')).sort()) {
    const raw: unknown = JSON.parse(await readFile(join(dir, f), 'utf8'));
    try { const meta = parseModelMetadata(raw); if (meta.onnx.file) map.set(meta.version, { meta, raw }); } catch { /* not model metadata */ }
  }
  return map;
}

/** A loader over a folder of committed models (see modelDirectoryIndex). */
export function modelsInDirectory(dir: string): ModelLoader {
  let index: ReturnType<typeof modelDirectoryIndex> | undefined;
  return async (version) => {
    const entry = (await (index ??= modelDirectoryIndex(dir))).get(version);
    if (!entry) throw new Error(`model version ${version} is not in ${dir}`);
    const onnx = new Uint8Array(await readFile(join(dir, entry.meta.onnx.file as string)));
    const treesFile = entry.meta.reasons?.method === 'saabas-path-contributions' ? entry.meta.reasons.file : undefined;
    const explainer: unknown = treesFile ? JSON.parse(await readFile(join(dir, treesFile), 'utf8')) : undefined;
    return { onnx, metadata: entry.raw, explainer };
  };
}
