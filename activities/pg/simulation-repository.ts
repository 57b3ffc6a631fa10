import type { Db } from '../../db/pool.ts';
import { figuresOf, merge, emptyCounts, type SideFigures } from '../../simulations/metrics.ts';
import type { ChangedDecision, SimulationCounts } from '../../simulations/simulate.ts';
import type { SimulationPlan } from '../../simulations/spec.ts';

export type SimulationStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SimulationSummary {
  id: string;
  status: SimulationStatus;
  from: string;
  /** The last instant replayed (the range is [from, to]): its date is the request's `to`. */
  to: string;
  candidate: { label: string; rulesetVersion: string; modelVersions: string[] };
  baseline: { label: string; rulesetVersion: string; modelVersions: string[] };
  chunksTotal: number;
  chunksDone: number;
  rowsDone: number;
  /** 0–100 */
  progress: number;
  error: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SimulationResultFigures {
  transactions: number;
  candidate: SideFigures;
  baseline: SideFigures;
  changedDecisions: number;
}

/** Simulations, their per-chunk counts and the changed decisions. */
export function createSimulationRepository(db: Db) {
  const summaryOf = (r: SimRow, chunksDone: number): SimulationSummary => ({
    id: r.id, status: r.status, from: r.from_ts.toISOString(), to: new Date(r.to_ts.getTime() - 1).toISOString(),
    candidate: sideSummary(r.candidate), baseline: sideSummary(r.baseline),
    chunksTotal: r.chunks_total, chunksDone, rowsDone: r.rows_done,
    progress: r.status === 'completed' ? 100 : Math.min(99, Math.round(((chunksDone + (r.current_fraction ?? 0)) / Math.max(1, r.chunks_total)) * 100)),
    error: r.error, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null, finishedAt: r.finished_at?.toISOString() ?? null,
  });

  return {
    async create(plan: SimulationPlan, createdBy: string, featureSet: unknown): Promise<void> {
      await db.query(
        `INSERT INTO simulations (id, status, source, candidate, baseline, feature_set, from_ts, to_ts, chunks_total, created_by, result)
         VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [plan.id, JSON.stringify(plan.source), JSON.stringify(plan.candidate), JSON.stringify(plan.baseline), JSON.stringify(featureSet),
          new Date(plan.fromMs), new Date(plan.toMs), plan.chunks.length, createdBy, JSON.stringify({ chunks: plan.chunks })]);
    },

    async plan(id: string): Promise<SimulationPlan | null> {
      const { rows } = await db.query<SimRow>('SELECT * FROM simulations WHERE id = $1', [id]);
      const r = rows[0];
      if (!r) return null;
      const chunks = (r.result as { chunks?: SimulationPlan['chunks'] } | null)?.chunks ?? [];
      return { id: r.id, source: r.source, fromMs: r.from_ts.getTime(), toMs: r.to_ts.getTime(), candidate: r.candidate, baseline: r.baseline, chunks };
    },

    async get(id: string): Promise<(SimulationSummary & { result: SimulationResultFigures | null }) | null> {
      const { rows } = await db.query<SimRow & { chunks_done: number }>(
        `SELECT s.*, (SELECT count(*) FROM simulation_chunks c WHERE c.simulation_id = s.id)::int AS chunks_done FROM simulations s WHERE id = $1`, [id]);
      const r = rows[0];
      if (!r) return null;
      const figures = (r.result as { figures?: SimulationResultFigures } | null)?.figures ?? null;
      return { ...summaryOf(r, r.chunks_done), result: figures };
    },

    async list(limit = 50): Promise<SimulationSummary[]> {
      const { rows } = await db.query<SimRow & { chunks_done: number }>(
        `SELECT s.*, (SELECT count(*) FROM simulation_chunks c WHERE c.simulation_id = s.id)::int AS chunks_done
         FROM simulations s ORDER BY created_at DESC LIMIT $1`, [limit]);
      return rows.map((r) => summaryOf(r, r.chunks_done));
    },

    async markStarted(id: string): Promise<void> {
      await db.query(`UPDATE simulations SET status = 'running', started_at = coalesce(started_at, now()) WHERE id = $1 AND status IN ('queued', 'running')`, [id]);
    },

    async progress(id: string, rowsDone: number, currentFraction: number): Promise<void> {
      await db.query(`UPDATE simulations SET rows_done = $2, current_fraction = $3 WHERE id = $1`, [id, rowsDone, currentFraction]);
    },

    /** Transactions counted by the chunks finished so far. */
    async rowsFinished(id: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `SELECT coalesce(sum((counts->>'transactions')::bigint), 0)::bigint AS n FROM simulation_chunks WHERE simulation_id = $1`, [id]);
      return rows[0]?.n ?? 0;
    },

    async finishedChunks(id: string): Promise<number[]> {
      const { rows } = await db.query<{ chunk: number }>('SELECT chunk FROM simulation_chunks WHERE simulation_id = $1', [id]);
      return rows.map((r) => r.chunk);
    },

    /** Stores a chunk's counts and changed decisions, replacing any earlier attempt of the same chunk. */
    async saveChunk(id: string, chunk: number, counts: SimulationCounts, changes: ChangedDecision[]): Promise<void> {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query('DELETE FROM simulation_changes WHERE simulation_id = $1 AND chunk = $2', [id, chunk]);
        for (let i = 0; i < changes.length; i += 500) {
          const part = changes.slice(i, i + 500);
          await client.query(
            `INSERT INTO simulation_changes (simulation_id, chunk, transaction_id, occurred_at, change)
             SELECT $1, $2, x.transaction_id, x.occurred_at, x.change FROM jsonb_to_recordset($3::jsonb) AS x(transaction_id text, occurred_at timestamptz, change jsonb)`,
            [id, chunk, JSON.stringify(part.map((c) => ({ transaction_id: c.transactionId, occurred_at: c.occurredAt, change: c })))]);
        }
        await client.query(
          `INSERT INTO simulation_chunks (simulation_id, chunk, counts) VALUES ($1, $2, $3)
           ON CONFLICT (simulation_id, chunk) DO UPDATE SET counts = EXCLUDED.counts, finished_at = now()`,
          [id, chunk, JSON.stringify({ ...counts, changed: { total: counts.changed.total, sample: [] } })]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /** Merges the chunks' counts into the final figures. */
    async complete(id: string): Promise<SimulationResultFigures> {
      const { rows } = await db.query<{ counts: SimulationCounts }>('SELECT counts FROM simulation_chunks WHERE simulation_id = $1 ORDER BY chunk', [id]);
      let candidate = emptyCounts(), baseline = emptyCounts(), transactions = 0, changed = 0;
      for (const { counts } of rows) {
        candidate = merge(candidate, counts.candidate);
        baseline = merge(baseline, counts.baseline);
        transactions += counts.transactions;
        changed += counts.changed.total;
      }
      const figures: SimulationResultFigures = { transactions, candidate: figuresOf(candidate), baseline: figuresOf(baseline), changedDecisions: changed };
      await db.query(
        `UPDATE simulations SET status = 'completed', finished_at = now(), rows_done = $2,
           result = jsonb_set(coalesce(result, '{}'), '{figures}', $3::jsonb) WHERE id = $1`,
        [id, transactions, JSON.stringify(figures)]);
      return figures;
    },

    async fail(id: string, status: 'failed' | 'cancelled', error: string): Promise<void> {
      await db.query(`UPDATE simulations SET status = $2, error = $3, finished_at = now() WHERE id = $1 AND status <> 'completed'`, [id, status, error]);
    },

    async changes(id: string, page: number, pageSize: number): Promise<{ total: number; items: ChangedDecision[] }> {
      const [{ rows: items }, { rows: total }] = await Promise.all([
        db.query<{ change: ChangedDecision }>(
          'SELECT change FROM simulation_changes WHERE simulation_id = $1 ORDER BY occurred_at, transaction_id LIMIT $2 OFFSET $3',
          [id, pageSize, (page - 1) * pageSize]),
        db.query<{ n: number }>('SELECT count(*)::int AS n FROM simulation_changes WHERE simulation_id = $1', [id]),
      ]);
      return { total: total[0]?.n ?? 0, items: items.map((r) => r.change) };
    },
  };
}
export type SimulationRepository = ReturnType<typeof createSimulationRepository>;

interface SimRow {
  id: string; status: SimulationStatus; source: SimulationPlan['source']; candidate: SimulationPlan['candidate']; baseline: SimulationPlan['baseline'];
  from_ts: Date; to_ts: Date; chunks_total: number; rows_done: number; current_fraction: number | null; error: string | null; result: unknown;
  created_by: string; created_at: Date; started_at: Date | null; finished_at: Date | null;
}

function sideSummary(s: SimulationPlan['candidate']) {
  return { label: s.label, rulesetVersion: s.rulesetVersion, modelVersions: s.modelVersions };
}
