import { createHash } from 'node:crypto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { featureNames } from '../engine/features/definitions.ts';
import { AMOUNT_INPUT } from '../engine/scoring.ts';

/**
 * The metadata file written beside each ONNX model by ml/train.py: what the model expects (feature
 * names in input order, missing-value policy), what it returns (output tensor and column) and how it
 * was trained and measured. Unknown keys are kept: the registry stores the whole document.
 */
export const modelMetadataSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'letters, digits, ".", "_", "@" or "-"'),
  role: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case letters, digits or _ (rules see it as score.<role>)'),
  onnx: z.looseObject({
    file: z.string().optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    input: z.string().min(1),
    output: z.string().min(1),
    /** Column of the output holding the score: 1 for a classifier's [P(genuine), P(fraud)]. */
    outputColumn: z.number().int().min(0).default(0),
  }),
  featureNames: z.array(z.string().min(1)).min(1),
  missingValues: z.looseObject({ policy: z.literal('nan'), description: z.string().optional() }),
  combine: z.looseObject({ weight: z.number().min(0) }).default({ weight: 1 }),
  thresholds: z.looseObject({
    review: z.looseObject({ score: z.number() }).nullable().optional(),
    decline: z.looseObject({ score: z.number() }).nullable().optional(),
  }).optional(),
  reasons: z.looseObject({ method: z.enum(['saabas-path-contributions', 'occlusion']), file: z.string().optional() }).optional(),
});
export type ModelMetadata = z.output<typeof modelMetadataSchema>;


/** Names a model may take as inputs: the amount and every feature the store computes. */
export function knownModelInputs(): string[] {
  return [AMOUNT_INPUT, ...featureNames()];
}

/** One reason a model is refused, at the part of the upload it concerns: `onnx` (the file's bytes),
 * `metadata.<path>` (e.g. `metadata.featureNames.3`) or `explainer` (the tree structure). */
export interface ModelProblem {
  field: string;
  reason: string;
}

export class ModelRejected extends Error {
  readonly code = 'MODEL_REJECTED';
  /** Each issue as one line, `<field>: <reason>`. */
  readonly problems: string[];
  constructor(readonly version: string, readonly issues: ModelProblem[]) {
    const problems = issues.map((i) => `${i.field}: ${i.reason}`);
    super(`model ${version} refused: ${problems.join('; ')}`);
    this.name = 'ModelRejected';
    this.problems = problems;
  }
}

export function parseModelMetadata(raw: unknown): ModelMetadata {
  const parsed = modelMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    const version = typeof raw === 'object' && raw !== null && 'version' in raw ? String(raw.version) : '(no version)';
    throw new ModelRejected(version, parsed.error.issues.map((i) => ({ field: ['metadata', ...i.path.map(String)].join('.'), reason: i.message })));
  }
  return parsed.data;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Session options shared by every model: one thread each and no spinning, so that scoring does not
 * steal cores from the worker's event loop and other sessions (many small runs, not one big one). */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

/**
 * Checks an ONNX model against its metadata and the feature set, by loading it and scoring one row:
 * the declared input exists, is float32 [N, F] with F the number of feature names, the declared
 * output gives one score per row at the declared column, the names are known and unique, and the
 * bytes are those the metadata's sha256 names. Throws ModelRejected listing every problem found.
 */
export async function validateModel(onnx: Uint8Array, meta: ModelMetadata, known: readonly string[] = knownModelInputs()): Promise<void> {
  const problems: ModelProblem[] = [];
  const sha = sha256Hex(onnx);
  if (meta.onnx.sha256 && meta.onnx.sha256 !== sha) {
    problems.push({ field: 'metadata.onnx.sha256', reason: `the ONNX file's sha256 is ${sha}, the metadata names ${meta.onnx.sha256}: not the file it describes` });
  }
  const seen = new Set<string>();
  meta.featureNames.forEach((n, i) => {
    const field = `metadata.featureNames.${i}`;
    if (seen.has(n)) problems.push({ field, reason: `feature "${n}" is listed twice` });
    seen.add(n);
    if (!known.includes(n)) problems.push({ field, reason: `feature "${n}" is not computed by the feature store (nor is it "${AMOUNT_INPUT}")` });
  });
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(onnx, SESSION_OPTIONS);
  } catch (err) {
    throw new ModelRejected(meta.version, [...problems, { field: 'onnx', reason: `not a loadable ONNX model: ${(err as Error).message}` }]);
  }
  try {
    const width = meta.featureNames.length;
    const input = session.inputMetadata.find((m) => m.name === meta.onnx.input);
    if (session.inputNames.length !== 1) problems.push({ field: 'onnx', reason: `the model takes ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); one float32 [N, F] tensor is expected` });
    if (!input) problems.push({ field: 'metadata.onnx.input', reason: `the model has no input "${meta.onnx.input}" (it has ${session.inputNames.join(', ')})` });
    else if (input.isTensor) {
      if (input.type !== 'float32') problems.push({ field: 'onnx', reason: `input "${input.name}" is ${input.type}, float32 is expected` });
      const last = input.shape[input.shape.length - 1];
      if (input.shape.length !== 2) problems.push({ field: 'onnx', reason: `input "${input.name}" has rank ${input.shape.length}, [N, F] is expected` });
      else if (typeof last === 'number' && last !== width) problems.push({ field: 'metadata.featureNames', reason: `input "${input.name}" takes ${last} features but the metadata names ${width}` });
    }
    if (!session.outputNames.includes(meta.onnx.output)) problems.push({ field: 'metadata.onnx.output', reason: `the model has no output "${meta.onnx.output}" (it has ${session.outputNames.join(', ')})` });
    if (problems.length === 0) {
      const probe = new Tensor('float32', new Float32Array(2 * width), [2, width]);
      const out = (await session.run({ [meta.onnx.input]: probe }))[meta.onnx.output];
      const cols = out && out.dims.length === 2 ? Number(out.dims[1]) : out && out.dims.length === 1 ? 1 : 0;
      if (!out || out.type !== 'float32' || Number(out.dims[0]) !== 2) problems.push({ field: 'metadata.onnx.output', reason: `output "${meta.onnx.output}" does not give one float32 row per input row` });
      else if (meta.onnx.outputColumn >= cols) problems.push({ field: 'metadata.onnx.outputColumn', reason: `output "${meta.onnx.output}" has ${cols} column(s); the metadata reads column ${meta.onnx.outputColumn}` });
    }
  } catch (err) {
    problems.push({ field: 'onnx', reason: `scoring a probe row failed: ${(err as Error).message}` });
  } finally {
    await session.release();
  }
  if (problems.length) throw new ModelRejected(meta.version, problems);
}
