import type { Db } from '../../db/pool.ts';
import type { CaseStatus, CaseView, Tier } from '../../workflows/case-machine.ts';

/** One transition of a case's machine, as the workflow mirrors it. `seq` counts the case's transitions from 1 (the opening). */
export interface CaseTransition {
  caseId: string;
  transactionId: string;
  workflowId: string;
  seq: number;
  /** The machine event (CLAIM, APPROVE, SLA_BREACHED …) or OPENED. */
  type: string;
  from: CaseStatus | null;
  /** The tier before the transition (null for the opening): the tier whose SLA a breach counts against. */
  fromTier: Tier | null;
  actor: string;
  at: number;
  payload: Record<string, unknown>;
  /** The case after the transition. */
  view: CaseView;
}

export interface CaseEventRecord {
  seq: number;
  type: string;
  from: CaseStatus | null;
  to: CaseStatus;
  actor: string;
  at: string;
  payload: Record<string, unknown>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** cases and case_events: the queryable mirror of the case machines. Writes are idempotent and never go back in time. */
export function createCaseRepository(db: Db) {
  return {
    /** Returns false when this transition was already mirrored (a retried activity): it must not be counted twice. */
    async record(t: CaseTransition): Promise<boolean> {
      const v = t.view;
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        // A late write of an older transition (activities may finish out of order) leaves the newer state alone.
        await client.query(
          `INSERT INTO cases (id, transaction_id, workflow_id, status, tier, claimed_by, claimed_at, sla_due_at, overdue, escalations,
             resolution, resolved_by, resolved_at, reason_code, opened_at, tier_since, seq)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
           ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, tier = EXCLUDED.tier, claimed_by = EXCLUDED.claimed_by,
             claimed_at = EXCLUDED.claimed_at, sla_due_at = EXCLUDED.sla_due_at, overdue = EXCLUDED.overdue, escalations = EXCLUDED.escalations,
             resolution = EXCLUDED.resolution, resolved_by = EXCLUDED.resolved_by, resolved_at = EXCLUDED.resolved_at,
             reason_code = EXCLUDED.reason_code, tier_since = EXCLUDED.tier_since, seq = EXCLUDED.seq, updated_at = now()
           WHERE cases.seq < EXCLUDED.seq`,
          [t.caseId, t.transactionId, t.workflowId, v.status, v.tier, v.claimedBy, iso(v.claimedAt), iso(v.slaDueAt), v.overdue, v.escalations,
            v.resolution?.outcome ?? null, v.resolution?.by ?? null, iso(v.resolution?.at ?? null), v.resolution?.reasonCode ?? null,
            iso(v.openedAt), iso(v.tierSince), t.seq]);
        const inserted = await client.query(
          `INSERT INTO case_events (case_id, seq, type, from_state, to_state, actor, at, payload)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (case_id, seq) DO NOTHING`,
          [t.caseId, t.seq, t.type, t.from, v.status, t.actor, iso(t.at), JSON.stringify(t.payload)]);
        // The transaction's own history shows the case's progress beside the decision.
        await client.query(
          `INSERT INTO decision_events (transaction_id, type, idempotency_key, payload) VALUES ($1, $2, $3, $4)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [t.transactionId, `case.${t.type.toLowerCase()}`, `${t.caseId}:${t.seq}`,
            JSON.stringify({ case_id: t.caseId, status: v.status, tier: v.tier, actor: t.actor, ...t.payload })]);
        await client.query('COMMIT');
        return inserted.rowCount === 1;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /** Unresolved cases by queue (tier) and state: the case queue gauge. */
    async queueSizes(): Promise<{ queue: string; state: string; count: number }[]> {
      const { rows } = await db.query<{ tier: string; status: string; n: number }>(
        'SELECT tier, status, count(*)::int AS n FROM cases WHERE resolution IS NULL GROUP BY tier, status ORDER BY tier, status');
      return rows.map((r) => ({ queue: r.tier, state: r.status, count: r.n }));
    },

    async workflowOf(caseId: string): Promise<string | null> {
      const { rows } = await db.query<{ workflow_id: string }>('SELECT workflow_id FROM cases WHERE id = $1', [caseId]);
      return rows[0]?.workflow_id ?? null;
    },

    async timeline(caseId: string): Promise<CaseEventRecord[]> {
      const { rows } = await db.query<{ seq: number; type: string; from_state: CaseStatus | null; to_state: CaseStatus; actor: string; at: Date; payload: Record<string, unknown> }>(
        'SELECT seq, type, from_state, to_state, actor, at, payload FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
      return rows.map((r) => ({ seq: r.seq, type: r.type, from: r.from_state, to: r.to_state, actor: r.actor, at: r.at.toISOString(), payload: r.payload }));
    },
  };
}

export type CaseRepository = ReturnType<typeof createCaseRepository>;
