import { Router, type Request } from 'express';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LocalAnswers } from '../../activities/local-answers.ts';
import type { DecisionRepository } from '../../activities/pg/decision-repository.ts';
import type { LabelRecord, LabelRepository } from '../../activities/pg/label-repository.ts';
import type { Decision } from '../../engine/decision.ts';
import { parseTransaction, type Transaction } from '../../engine/transaction.ts';
import { decideUpdate, decisionQuery, transactionWorkflow, transactionWorkflowId, type TransactionWorkflowInput } from '../../workflows/transaction.ts';
import { ApiError, invalid, notFound, reusedId } from '../errors.ts';
import { REUSED_ID_MESSAGE, reusedIdCheck } from '../reused-ids.ts';
import { decideBulk, oneByOne, parseBulkEnvelope, type DecideMany } from '../bulk-decisions.ts';
import type { BulkInProcess } from '../bulk-in-process.ts';
import type { Logger } from 'pino';

export interface DecisionRouteDeps {
  temporal: Client;
  taskQueue: string;
  decisions: DecisionRepository;
  /** The labels a stored decision is shown with. */
  labels: Pick<LabelRepository, 'forTransaction'>;
  /** Each decision answered, with the seconds the caller waited (metrics). */
  onAnswered?: (decision: Decision, seconds: number) => void;
  log?: Logger;
  /** Decisions of one bulk request in flight at once when each goes through its workflow (default 64). */
  bulkConcurrency?: number;
  /** Decides a bulk request's batch in process (bulk-in-process.ts); without it each goes through its own workflow. */
  bulkInProcess?: BulkInProcess;
  /**
   * When the worker runs in this process: a client on the worker's own connection, through which a
   * transaction's workflow is started eagerly, and the answers its decision activity hands over.
   */
  eager?: { temporal: Client; answers: LocalAnswers };
  /** How far after this server's clock a transaction's `occurred_at` may lie (OCCURRED_AT_MAX_AHEAD). */
  maxAheadMs: number;
}

/** How long an eagerly started workflow's decision is awaited in process before the workflow is asked instead. */
const EAGER_ANSWER_TIMEOUT_MS = 3_000;

/** The caller's view of a decision: the acting arm only (shadow arms are never returned). */
export function decisionView(d: Decision) {
  return {
    transaction_id: d.transactionId,
    decision: d.decision,
    score: d.score,
    reasons: d.reasons,
    tags: d.tags,
    rules_fired: d.firedRules.map((r) => r.name),
    arm: d.arm,
    ruleset_version: d.rulesetVersion,
    model_versions: d.modelVersions,
    // The arm's combined model score before rule adjustments, each model's own score, and the reason
    // codes: per model, the features that pushed its score up the most (top_features: the arm's first model's).
    model_score: d.scores.combined,
    model_scores: Object.fromEntries(d.scores.models.map((m) => [m.role, m.score])),
    models: d.scores.models.map((m) => ({ role: m.role, version: m.modelVersion, score: m.score, top_features: m.topContributions })),
    top_features: d.scores.models[0]?.topContributions ?? [],
    deployment_version: d.deploymentVersion,
    degraded: d.degraded,
    latency_ms: Math.round(d.latencyMs * 100) / 100,
    decided_at: d.decidedAt,
    workflow_id: d.workflowId,
  };
}

/** A decision with what it was decided on, as GET /v1/decisions/:id and a case's screen show it. */
export const decisionDetailView = (d: Decision) => ({ ...decisionView(d), features: d.features, fired_rules: d.firedRules });

export const labelView = (l: LabelRecord) => ({ fraud: l.fraud, source: l.source, known_at: l.knownAt, reason: l.reason ?? null, created_by: l.createdBy });

/**
 * Decides one transaction through its workflow: started eagerly and answered in process when the
 * worker runs here (eagerDecision), else by update-with-start. Either is idempotent: the workflow id
 * is derived from the transaction id, so a retry joins the running workflow (or reads the finished
 * one) and gets the first decision back, never a second one.
 */
export async function decideThroughWorkflow(deps: DecisionRouteDeps, tx: Transaction, receivedAtMs: number): Promise<Decision> {
  if (deps.eager) {
    const answered = await eagerDecision(deps.eager, tx, transactionStart(deps, tx, receivedAtMs), deps.log);
    if (answered) return answered;
  }
  // Safe to repeat: the same workflow id with USE_EXISTING joins the workflow a failed attempt may
  // have started. A Temporal server restarting mid-call does exactly that: the SDK's own gRPC retry
  // finds the start already done ("StartDeduped") but the update not run.
  for (let attempt = 1; ; attempt++) {
    try {
      return await updateWithStart(deps, tx, receivedAtMs);
    } catch (err) {
      if (attempt >= 3 || !isTransientTemporalError(err)) throw err;
      deps.log?.warn({ transactionId: tx.id, attempt, err }, 'update-with-start failed on a transient error: trying again');
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/**
 * Eager start: the server hands the new workflow's first task back with the start's answer, to this
 * process's worker, so no task queue is involved, and the decision comes back from the local activity
 * in process (local-answers.ts) rather than through an update (the server refuses eager start inside
 * update-with-start). Null whenever that did not happen — the workflow existed already, the server
 * started it without handing over its task, the activity could not record its decision or was late,
 * the start failed — and the caller takes the ordinary update-with-start path, which joins the
 * workflow (USE_EXISTING) and waits for its decision.
 */
async function eagerDecision(eager: NonNullable<DecisionRouteDeps['eager']>, tx: Transaction, start: TransactionStart, log: Logger | undefined): Promise<Decision | null> {
  const expected = eager.answers.expect(start.workflowId, EAGER_ANSWER_TIMEOUT_MS);
  if (!expected) return null;
  try {
    const handle = await eager.temporal.workflow.start(transactionWorkflow, { ...start, requestEagerStart: true });
    if (!handle.eagerlyStarted) expected.cancel();
  } catch (err) {
    expected.cancel();
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) log?.debug({ transactionId: tx.id, err }, 'eager start failed: deciding through update-with-start');
  }
  return expected.answer;
}

/**
 * How a transaction's workflow is started, eagerly or with its update: the id derived from the
 * transaction's, joining a running workflow of that id (USE_EXISTING), never starting a second one
 * after it closed (REJECT_DUPLICATE).
 */
function transactionStart(deps: DecisionRouteDeps, tx: Transaction, receivedAtMs: number) {
  return {
    workflowId: transactionWorkflowId(tx.id),
    taskQueue: deps.taskQueue,
    args: [{ tx, receivedAtMs, decideAndRecord: true }] as [TransactionWorkflowInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
  };
}
type TransactionStart = ReturnType<typeof transactionStart>;

function isTransientTemporalError(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${(err as { cause?: Error })?.cause?.message ?? ''} ${(err as Error)?.stack ?? ''}`;
  return /StartDeduped|UNAVAILABLE|DEADLINE_EXCEEDED/.test(text);
}

async function updateWithStart(deps: DecisionRouteDeps, tx: Transaction, receivedAtMs: number): Promise<Decision> {
  const options = transactionStart(deps, tx, receivedAtMs);
  const { workflowId } = options;
  const start = new WithStartWorkflowOperation(transactionWorkflow, options);
  try {
    return await deps.temporal.workflow.executeUpdateWithStart(decideUpdate, { startWorkflowOperation: start });
  } catch (err) {
    // The workflow already finished (e.g. an APPROVE long persisted): its result is the decision.
    if (err instanceof WorkflowExecutionAlreadyStartedError || isClosedWorkflowError(err)) {
      return deps.temporal.workflow.getHandle(workflowId).result() as Promise<Decision>;
    }
    throw err;
  }
}

function isClosedWorkflowError(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${(err as { cause?: Error })?.cause?.message ?? ''}`;
  return /already completed|workflow execution already (completed|finished)|already started/i.test(text);
}

/** One decision through the workflow, reported to onAnswered with the seconds the caller waited for it. */
async function decideAndObserve(deps: DecisionRouteDeps, tx: Transaction, receivedAtMs: number): Promise<Decision> {
  const started = performance.now();
  const decision = await decideThroughWorkflow(deps, tx, receivedAtMs);
  deps.onAnswered?.(decision, (performance.now() - started) / 1000);
  return decision;
}

/** A batch's decisions reported to onAnswered, each with the seconds the request waited for the batch. */
function observed(deps: DecisionRouteDeps, decideMany: DecideMany, receivedAtMs: number): DecideMany {
  return async (txs) => {
    const outcomes = await decideMany(txs);
    const seconds = (Date.now() - receivedAtMs) / 1000;
    for (const d of outcomes.values()) if (!(d instanceof Error)) deps.onAnswered?.(d, seconds);
    return outcomes;
  };
}

export function decisionRoutes(deps: DecisionRouteDeps): Router {
  const router = Router();
  const reusedIds = reusedIdCheck({ transactionBody: deps.decisions.transactionBody, log: deps.log });

  router.post('/v1/decisions', async (req: Request, res) => {
    const receivedAtMs = Date.now();
    const parsed = parseTransaction(req.body, { nowMs: receivedAtMs, maxAheadMs: deps.maxAheadMs });
    if (!parsed.ok) throw invalid(parsed.issues);
    const decision = await decideAndObserve(deps, parsed.value, receivedAtMs);
    const reused = await reusedIds(parsed.value, decision);
    if (reused.length) throw reusedId(`${REUSED_ID_MESSAGE} (transaction ${parsed.value.id})`, reused);
    if (deps.log?.isLevelEnabled('debug')) {
      deps.log.child({ transactionId: decision.transactionId, workflowId: decision.workflowId, arm: decision.arm })
        .debug({ decision: decision.decision, latencyMs: decision.latencyMs }, 'decision answered');
    }
    res.status(200).json(decisionView(decision));
  });

  router.post('/v1/decisions/bulk', async (req: Request, res) => {
    const receivedAtMs = Date.now();
    const envelope = parseBulkEnvelope(req.body);
    if (!envelope.ok) throw invalid(envelope.issues);
    const throughWorkflows = oneByOne((tx) => decideThroughWorkflow(deps, tx, receivedAtMs), deps.bulkConcurrency ?? 64);
    const decideMany = deps.bulkInProcess ? deps.bulkInProcess(receivedAtMs, throughWorkflows) : throughWorkflows;
    const reply = await decideBulk(envelope.items, {
      view: decisionView, decideMany: observed(deps, decideMany, receivedAtMs), clock: { nowMs: receivedAtMs, maxAheadMs: deps.maxAheadMs },
      reusedId: reusedIds,
    });
    res.status(200).json(reply);
  });

  router.get('/v1/decisions/:id', async (req, res) => {
    const id = req.params['id'] as string;
    const stored = await deps.decisions.get(id);
    if (stored) {
      const [events, labels] = await Promise.all([deps.decisions.events(id), deps.labels.forTransaction(id)]);
      res.json({
        ...decisionDetailView(stored), persisted: true,
        events: events.map((e) => ({ type: e.type, payload: e.payload, created_at: e.createdAt })),
        labels: labels.map(labelView),
      });
      return;
    }
    // Decided but not yet persisted (Postgres down or slow): the workflow still knows it.
    try {
      const live = await deps.temporal.workflow.getHandle(transactionWorkflowId(id)).query(decisionQuery);
      if (live) { res.json({ ...decisionDetailView(live), persisted: false }); return; }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    throw notFound(`Decision for transaction "${id}"`);
  });

  return router;
}

export { ApiError };
