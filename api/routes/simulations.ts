import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/pool.ts';
import { createRulesetReader } from '../../activities/pg/ruleset-repository.ts';
import { createSimulationRepository } from '../../activities/pg/simulation-repository.ts';
import { DEFAULT_FEATURES } from '../../engine/features/definitions.ts';
import type { FieldIssue } from '../../engine/transaction.ts';
import { datasetSpan, isoDay, periodOutside, usableDataset } from '../../simulations/dataset.ts';
import { recordedSpan } from '../../simulations/history.ts';
import { resolveSides, SideInvalid } from '../../simulations/sides.ts';
import { changeView, simulationView } from '../../simulations/views.ts';
import { chunkRange, dayStartMs, simulationRequestSchema, type SimulationPlan, type SimulationRequest } from '../../simulations/spec.ts';
import { simulationWorkflow } from '../../workflows/simulation.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { parseInput } from '../parse-input.ts';
import { workflowEnding } from '../workflow-ending.ts';
import { rulesetCheck } from './ruleset-views.ts';

export interface SimulationRouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** The data set directory (monthly YYYY-MM.csv.gz) a `dataset` simulation replays. */
  datasetDir: string;
  actorOf: (req: Request) => string;
}

const DAY_MS = 86_400_000;
const FINISHED = new Set(['completed', 'failed', 'cancelled']);
const simulationWorkflowId = (id: string) => `simulation-${id}`;

/** The query parameters of the listing routes (also described in api/openapi.ts). */
export const simulationQueries = {
  list: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50).describe('How many simulations, newest first') }),
  changes: z.strictObject({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(50),
  }),
};

/** A history a simulation can replay, and the days it holds (GET /v1/simulations/sources). */
export type SourceSpan = { name: 'dataset' | 'postgres' } & (
  | { available: true; from: string; to: string; files?: number }
  | { available: false; reason: string });

/**
 * /v1/simulations: start one, list them, read one (status, percent done, candidate and baseline
 * figures side by side), page through the decisions that change, cancel one.
 *
 * Every simulation runs as the chunked simulation workflow, small ones too (a one-week run is one
 * chunk): one code path gives every run progress, cancellation, a stored result and survival of a
 * worker crash; the workflow's overhead (a few hundred ms) is nothing beside a replay. The CLI
 * (`fraudguard simulate`) is the in-process way, for a terminal or a cron job.
 */
export function simulationRoutes(deps: SimulationRouteDeps): Router {
  const router = Router();
  const repo = createSimulationRepository(deps.db);
  const reader = createRulesetReader(deps.db);
  const check = rulesetCheck(deps.db);

  /**
   * A run whose workflow was ended from outside (terminated in Temporal's CLI or UI, or timed out) would
   * show `running` for ever, its progress frozen: it is marked failed, saying how its workflow ended.
   */
  async function endedOutside(id: string): Promise<boolean> {
    const workflowId = simulationWorkflowId(id);
    const ending = await workflowEnding(deps.temporal, workflowId);
    // Its own endings (completed, cancelled through the API, failed in a chunk) are recorded by the workflow itself.
    if (ending !== 'terminated' && ending !== 'timed out') return false;
    await repo.fail(id, 'failed', `its workflow ${workflowId} was ${ending} outside FraudGuard`);
    return true;
  }

  router.post('/v1/simulations', async (req, res) => {
    const body = parseInput(simulationRequestSchema, req.body ?? {});
    for (const side of ['candidate', 'baseline'] as const) {
      const document = body[side]?.document;
      if (!document) continue;
      const checked = await check(document);
      if (!checked.ok) throw invalid(checked.problems.map((p) => ({ field: `${side}.document${p.path.replace(/^\$/, '')}`, reason: p.reason })), 'The ruleset document has problems: see fields.');
    }
    const fromMs = dayStartMs(body.from);
    const toMs = dayStartMs(body.to) + DAY_MS;
    if (body.source === 'dataset') {
      const dataset = usableDataset(deps.datasetDir);
      if (!dataset.ok) throw invalid([{ field: 'source', reason: dataset.reason }]);
      const outside = periodOutside(dataset.files, fromMs, toMs);
      if (outside) throw invalid([{ field: 'from', reason: outside }]);
    }
    let sides;
    try {
      sides = await resolveSides(body, reader);
    } catch (err) {
      if (err instanceof SideInvalid) throw invalid([{ field: err.field, reason: err.reason }]);
      throw err;
    }
    const unknownModels = await unregisteredModels(deps.db, body);
    if (unknownModels.length) throw invalid(unknownModels);
    const plan: SimulationPlan = {
      id: randomUUID(),
      source: body.source === 'dataset' ? { kind: 'dataset', dir: deps.datasetDir } : { kind: 'postgres' },
      fromMs, toMs, candidate: sides.candidate, baseline: sides.baseline, chunks: chunkRange(fromMs, toMs, body.chunk_days),
    };
    await repo.create(plan, deps.actorOf(req), { definitions: DEFAULT_FEATURES });
    try {
      await deps.temporal.workflow.start(simulationWorkflow, {
        workflowId: simulationWorkflowId(plan.id), taskQueue: deps.taskQueue, args: [{ simulationId: plan.id, chunks: plan.chunks.length }],
      });
    } catch (err) {
      await repo.fail(plan.id, 'failed', `could not be started: ${(err as Error).message}`);
      throw err;
    }
    const created = await repo.get(plan.id);
    res.status(202).location(`/v1/simulations/${plan.id}`).json(created && simulationView(created));
  });

  router.get('/v1/simulations', async (req, res) => {
    const { limit } = parseInput(simulationQueries.list, req.query);
    let listed = await repo.list(limit);
    const ended = await Promise.all(listed.filter((s) => !FINISHED.has(s.status)).map((s) => endedOutside(s.id)));
    if (ended.some(Boolean)) listed = await repo.list(limit);
    res.json({ simulations: listed.map(simulationView) });
  });

  // What each history holds, so a client offers periods that have transactions in them.
  router.get('/v1/simulations/sources', async (_req, res) => {
    const usable = usableDataset(deps.datasetDir);
    const dataset: SourceSpan = usable.ok
      ? { name: 'dataset', available: true, ...datasetSpan(usable.files), files: usable.files.length }
      : { name: 'dataset', available: false, reason: usable.reason };
    const recorded = await recordedSpan(deps.db);
    const postgres: SourceSpan = recorded
      ? { name: 'postgres', available: true, from: isoDay(recorded.firstMs), to: isoDay(recorded.lastMs) }
      : { name: 'postgres', available: false, reason: 'no transaction has been recorded yet' };
    res.json({ sources: [dataset, postgres] });
  });

  router.get('/v1/simulations/:id', async (req, res) => {
    const id = idParam(req);
    let sim = await repo.get(id);
    if (!sim) throw notFound(`Simulation "${req.params['id']}"`);
    if (!FINISHED.has(sim.status) && await endedOutside(id)) sim = await repo.get(id) ?? sim;
    res.json(simulationView(sim));
  });

  router.get('/v1/simulations/:id/changes', async (req, res) => {
    const id = idParam(req);
    const { page, page_size: pageSize } = parseInput(simulationQueries.changes, req.query);
    if (!(await repo.get(id))) throw notFound(`Simulation "${id}"`);
    const { total, items } = await repo.changes(id, page, pageSize);
    res.json({ changes: items.map(changeView), page, page_size: pageSize, total, next_page: page * pageSize < total ? page + 1 : null });
  });

  router.post('/v1/simulations/:id/cancel', async (req, res) => {
    const id = idParam(req);
    const sim = await repo.get(id);
    if (!sim) throw notFound(`Simulation "${id}"`);
    if (FINISHED.has(sim.status)) throw conflict(`Simulation ${id} is already ${sim.status}.`, { status: sim.status });
    try {
      await deps.temporal.workflow.getHandle(simulationWorkflowId(id)).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await repo.fail(id, 'cancelled', 'cancelled by a user');
    }
    res.status(202).json({ id, status: 'cancelling' });
  });

  return router;
}

function idParam(req: Request): string {
  const id = req.params['id'] as string;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw notFound(`Simulation "${id}"`);
  return id;
}


/**
 * The model versions a request names that the registry does not hold (a retired model is fine: it stays
 * loadable for replays), each with its field: refused before the run, not found failing in a chunk.
 */
async function unregisteredModels(db: Db, body: SimulationRequest): Promise<FieldIssue[]> {
  const named: { field: string; version: string }[] = [];
  for (const side of ['candidate', 'baseline'] as const) {
    const s = body[side];
    s?.model_versions?.forEach((version, i) => named.push({ field: `${side}.model_versions.${i}`, version }));
    const d = s?.deployment;
    if (d) {
      [['champion', d.champion] as const, ...d.challengers.map((c, k) => [`challengers.${k}`, c] as const)].forEach(([at, arm]) =>
        arm.modelVersions.forEach((version, i) => named.push({ field: `${side}.deployment.${at}.modelVersions.${i}`, version })));
    }
  }
  if (named.length === 0) return [];
  const { rows } = await db.query<{ version: string }>('SELECT version FROM models WHERE version = ANY($1)', [named.map((n) => n.version)]);
  const registered = new Set(rows.map((r) => r.version));
  return named.filter((n) => !registered.has(n.version)).map((n) => ({ field: n.field, reason: `model version ${n.version} is not registered` }));
}
