import { Router } from 'express';
import { z } from 'zod';
import { inTransaction, type Db } from '../../db/pool.ts';
import { ModelRejected } from '../../activities/model-metadata.ts';
import { ModelNotFound, ModelVersionExists, type ModelRegistry, type RegisteredModel } from '../../activities/model-registry.ts';
import { createDeploymentRepository } from '../../activities/pg/deployment-repository.ts';
import type { Deployment } from '../../engine/deployment.ts';
import { noteAudit } from '../audit-trail.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { parseInput } from '../parse-input.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The body of POST /v1/models (also in GET /openapi.json). */
export const modelRegistrationSchema = z.strictObject({
  onnx: z.string().min(1, 'is required: the ONNX file, base64-encoded').regex(BASE64, 'must be the ONNX file, base64-encoded')
    .describe('The ONNX file, base64-encoded (`base64 -w0 model.onnx`)'),
  metadata: z.record(z.string(), z.unknown()).describe('The metadata document ml/train.py writes beside the model (name, version, role, featureNames, onnx, missingValues, …)'),
  explainer: z.record(z.string(), z.unknown()).optional()
    .describe('The tree structure for reason codes (the file the metadata names in reasons.file); required when reasons.method is saabas-path-contributions'),
});
const listSchema = z.object({ status: z.enum(['active', 'retired']).optional() });

const inForce = (record: { version: number; spec: Omit<Deployment, 'version'> } | null): Deployment | null =>
  (record ? { ...record.spec, version: record.version } : null);

/** Where a version is used by the deployment in force: the arms naming it. */
function armsUsing(deployment: Deployment | null, version: string): string[] {
  if (!deployment) return [];
  return [deployment.champion, ...deployment.challengers].filter((a) => a.modelVersions.includes(version)).map((a) => a.name);
}

const trainingOf = (m: RegisteredModel) => {
  const t = m.metadata['training'] as { split?: unknown; rows?: unknown; frauds?: unknown } | undefined;
  return t ? { split: t.split ?? null, rows: t.rows ?? null, frauds: t.frauds ?? null } : null;
};

export const modelView = (m: RegisteredModel, current: Deployment | null) => ({
  version: m.version, name: m.name, role: m.role, status: m.status,
  feature_names: m.featureNames, sha256: m.sha256,
  training: trainingOf(m),
  metrics: m.metadata['metrics'] ?? null,
  thresholds: m.metadata.thresholds ?? null,
  default_weight: m.metadata.combine.weight,
  reasons_method: m.metadata.reasons?.method ?? null,
  in_use: current ? { deployment_version: current.version, arms: armsUsing(current, m.version) } : null,
  created_at: m.createdAt, retired_at: m.retiredAt,
});

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const modelRequests = { register: modelRegistrationSchema, list: listSchema };

/**
 * The model registry over HTTP (DESIGN.md, "Models are ONNX"): register a version by uploading its
 * ONNX file with the metadata ml/train.py wrote (checked against the feature set by loading it and
 * scoring a probe row: a mismatch is a 400 naming the field), list versions, read one, and retire one
 * the deployment in force no longer names (409 while an arm does). Versions are immutable: a second
 * upload under a version is a 409. Every change is audited (who, when, which version, its checksum).
 */
/** `registry`: the process's own (runtime/scorer.ts), which checks an upload on the scoring thread. */
export function modelRoutes(deps: { db: Db; registry: ModelRegistry }): Router {
  const router = Router();
  const { registry } = deps;
  const deployments = createDeploymentRepository(deps.db);

  router.get('/v1/models', async (req, res) => {
    const parsed = parseInput(listSchema, req.query);
    const [models, current] = await Promise.all([registry.list(parsed), deployments.current()]);
    res.json({ models: models.map((m) => modelView(m, inForce(current))) });
  });

  /** The registered version, or 404 when there is none. */
  const registered = (version: string) => registry.get(version).catch((err: unknown) => {
    throw err instanceof ModelNotFound ? notFound(`Model version "${version}"`) : err;
  });

  router.get('/v1/models/:version', async (req, res) => {
    const [model, current] = await Promise.all([registered(req.params['version'] as string), deployments.current()]);
    res.json({ ...modelView(model, inForce(current)), metadata: model.metadata });
  });

  router.post('/v1/models', async (req, res) => {
    const parsed = parseInput(modelRegistrationSchema, req.body);
    const onnx = new Uint8Array(Buffer.from(parsed.onnx, 'base64'));
    try {
      const model = await registry.register({ onnx, metadata: parsed.metadata, explainer: parsed.explainer });
      const view = modelView(model, null);
      noteAudit(res, { target: `model:${model.version}`, after: { version: model.version, role: model.role, sha256: model.sha256, feature_names: model.featureNames } });
      res.status(201).json(view);
    } catch (err) {
      if (err instanceof ModelRejected) throw invalid(err.issues, `Model ${err.version} was refused: see fields.`);
      if (err instanceof ModelVersionExists) {
        throw new ApiError(409, 'MODEL_VERSION_EXISTS', `${err.message}.`, undefined, { version: err.version });
      }
      throw err;
    }
  });

  router.post('/v1/models/:version/retire', async (req, res) => {
    const version = req.params['version'] as string;
    // Under the deployment lock: a deployment naming this version cannot be appended between the check and the retirement.
    const { before, after } = await inTransaction(deps.db, async (client) => {
      const current = await deployments.lockCurrent(client);
      const before = await registered(version);
      const arms = armsUsing(inForce(current), version);
      if (current && arms.length) {
        throw new ApiError(409, 'MODEL_IN_USE',
          `Model version ${version} is used by deployment ${current.version} (arm${arms.length > 1 ? 's' : ''} ${arms.join(', ')}): deploy a change that no longer names it, then retire it.`,
          undefined, { deployment_version: current.version, arms });
      }
      return { before, after: await registry.retire(version, client) };
    });
    noteAudit(res, { target: `model:${version}`, before: { status: before.status }, after: { status: after.status, retired_at: after.retiredAt } });
    res.json(modelView(after, null));
  });

  return router;
}
