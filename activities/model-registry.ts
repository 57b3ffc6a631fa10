import type { Pool, PoolClient } from 'pg';
import type { ModelLoader } from './onnx-scorer.ts';
import { knownModelInputs, ModelRejected, parseModelMetadata, sha256Hex, validateModel, type ModelMetadata } from './model-metadata.ts';
import { TreeExplainer, treeExplainerSchema, type TreeExplainerDocument } from './tree-contributions.ts';

export type ModelStatus = 'active' | 'retired';

/** A registered model version, without its ONNX bytes. */
export interface RegisteredModel {
  version: string;
  name: string;
  role: string;
  featureNames: string[];
  metadata: ModelMetadata;
  sha256: string;
  status: ModelStatus;
  createdAt: string;
  retiredAt: string | null;
}

export class ModelVersionExists extends Error {
  readonly code = 'MODEL_VERSION_EXISTS';
  constructor(readonly version: string) {
    super(`model version ${version} is already registered; versions are immutable, register the new model under a new version`);
    this.name = 'ModelVersionExists';
  }
}

export class ModelNotFound extends Error {
  readonly code = 'MODEL_NOT_FOUND';
  constructor(readonly version: string) {
    super(`model version ${version} is not registered`);
    this.name = 'ModelNotFound';
  }
}

export interface RegisterInput {
  onnx: Uint8Array;
  /** The metadata document written by ml/train.py (parsed here). */
  metadata: unknown;
  /** The tree structure for reason codes, when the metadata names one. */
  explainer?: unknown;
}

interface Row {
  version: string; name: string; role: string; feature_names: string[]; metadata: unknown; sha256: string;
  status: ModelStatus; created_at: Date; retired_at: Date | null;
}
const COLUMNS = 'version, name, role, feature_names, metadata, sha256, status, created_at, retired_at';
const toModel = (r: Row): RegisteredModel => ({
  version: r.version, name: r.name, role: r.role, featureNames: r.feature_names, metadata: parseModelMetadata(r.metadata), sha256: r.sha256,
  status: r.status, createdAt: r.created_at.toISOString(), retiredAt: r.retired_at ? r.retired_at.toISOString() : null,
});

/**
 * Model versions in Postgres (db/migrations/004_models.sql). Registration loads the ONNX file and
 * refuses it (ModelRejected, every problem listed) when its inputs or outputs do not match its
 * metadata or name features the store does not compute: a model that could only score garbage never
 * reaches a deployment.
 */
/** Checks an ONNX file against its metadata (validateModel); throws ModelRejected. */
export type ModelValidator = (onnx: Uint8Array, meta: ModelMetadata, known: readonly string[]) => Promise<void>;

/**
 * `validate`: where the ONNX file is loaded to be checked. The API/worker process passes its scoring
 * thread's (onnxruntime-node is then initialized on that one thread only); a CLI process checks on its own.
 */
export function createModelRegistry(db: Pool, opts: { knownInputs?: readonly string[]; validate?: ModelValidator } = {}) {
  const known = opts.knownInputs ?? knownModelInputs();
  const validate = opts.validate ?? validateModel;
  return {
    async register(input: RegisterInput): Promise<RegisteredModel> {
      const meta = parseModelMetadata(input.metadata);
      await validate(input.onnx, meta, known);
      const explainer = checkExplainer(meta, input.explainer);
      const { rows } = await db.query<Row>(
        `INSERT INTO models (version, name, role, feature_names, metadata, onnx, sha256, explainer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (version) DO NOTHING
         RETURNING ${COLUMNS}`,
        [meta.version, meta.name, meta.role, meta.featureNames, JSON.stringify(input.metadata), Buffer.from(input.onnx), sha256Hex(input.onnx),
          explainer === null ? null : JSON.stringify(explainer)],
      );
      const row = rows[0];
      if (!row) throw new ModelVersionExists(meta.version);
      return toModel(row);
    },

    async list(filter: { status?: ModelStatus } = {}): Promise<RegisteredModel[]> {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM models WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, version`,
        [filter.status ?? null],
      );
      return rows.map(toModel);
    },

    async get(version: string): Promise<RegisteredModel> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM models WHERE version = $1`, [version]);
      const row = rows[0];
      if (!row) throw new ModelNotFound(version);
      return toModel(row);
    },

    /**
     * Retired versions stay loadable (old decisions replay with them) but are no longer offered for
     * deployments. Retiring twice keeps the first retirement's time. `q`: a transaction's client.
     */
    async retire(version: string, q: Pick<Pool, 'query'> | PoolClient = db): Promise<RegisteredModel> {
      const { rows } = await q.query<Row>(
        `UPDATE models SET status = 'retired', retired_at = COALESCE(retired_at, now()) WHERE version = $1 RETURNING ${COLUMNS}`,
        [version],
      );
      const row = rows[0];
      if (!row) throw new ModelNotFound(version);
      return toModel(row);
    },

    /** The scorer's loader: ONNX bytes, metadata and explainer of a registered version (retired ones too). */
    loader(): ModelLoader {
      return async (version) => {
        const { rows } = await db.query<{ onnx: Buffer; metadata: unknown; explainer: unknown }>(
          'SELECT onnx, metadata, explainer FROM models WHERE version = $1', [version]);
        const row = rows[0];
        if (!row) throw new ModelNotFound(version);
        return { onnx: new Uint8Array(row.onnx), metadata: row.metadata, explainer: row.explainer ?? undefined };
      };
    },
  };
}
export type ModelRegistry = ReturnType<typeof createModelRegistry>;

/**
 * The tree structure a model ships for its reason codes: required when the metadata declares path
 * contributions, and it must describe a model of this width. Null for a model without one.
 */
function checkExplainer(meta: ModelMetadata, raw: unknown): TreeExplainerDocument | null {
  const declared = meta.reasons?.method === 'saabas-path-contributions';
  if (raw === undefined || raw === null) {
    if (declared) throw new ModelRejected(meta.version, [{ field: 'explainer', reason: `the metadata's reasons.method is saabas-path-contributions: send the tree structure (${meta.reasons?.file ?? 'its reasons.file'}) with the model` }]);
    return null;
  }
  const parsed = treeExplainerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelRejected(meta.version, parsed.error.issues.slice(0, 10).map((i) => ({ field: ['explainer', ...i.path.map(String)].join('.'), reason: i.message })));
  }
  try {
    new TreeExplainer(parsed.data, meta.featureNames.length);
  } catch (err) {
    throw new ModelRejected(meta.version, [{ field: 'explainer', reason: (err as Error).message }]);
  }
  return parsed.data;
}
