import type { Db } from '../../db/pool.ts';
import type { ArmDecision, Decision } from '../../engine/decision.ts';
import type { Transaction } from '../../engine/transaction.ts';

export interface StoredDecision extends Decision {
  recordedAt: string;
}

/** Decisions and their append-only events. Every write is idempotent: retried activities never duplicate. */
export function createDecisionRepository(db: Db) {
  return {
    /** Records the transaction, the acting and shadow decisions and a `decided` event, in one transaction. */
    async record(tx: Transaction, decision: Decision): Promise<{ inserted: boolean }> {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const body = stripDerived(tx);
        await client.query(
          `INSERT INTO transactions (id, occurred_at, amount, currency, customer_id, merchant_id, body)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
          [tx.id, tx.occurred_at, tx.amount, tx.currency, tx.customer_id, tx.merchant_id, body],
        );
        let inserted = false;
        for (const arm of [decision as ArmDecision, ...decision.shadows]) {
          const res = await client.query(
            `INSERT INTO decisions (transaction_id, arm, shadow, decision, score, reasons, fired_rules, features, scores,
               ruleset_version, model_version, deployment_version, latency_ms, degraded, workflow_id, decided_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
             ON CONFLICT (transaction_id, arm) DO NOTHING`,
            [tx.id, arm.arm, arm.shadow, arm.decision, arm.score, JSON.stringify(arm.reasons), JSON.stringify(arm.firedRules),
              JSON.stringify(decision.features), JSON.stringify({ ...arm.scores, tags: arm.tags }), arm.rulesetVersion,
              arm.modelVersions.join(',') || null, decision.deploymentVersion, decision.latencyMs, decision.degraded,
              decision.workflowId, decision.decidedAt],
          );
          if (!arm.shadow) inserted = (res.rowCount ?? 0) > 0;
        }
        await client.query(
          `INSERT INTO decision_events (transaction_id, type, idempotency_key, payload)
           VALUES ($1, 'decided', $2, $3) ON CONFLICT (idempotency_key) DO NOTHING`,
          [tx.id, `${decision.workflowId}:decided`, JSON.stringify({ decision: decision.decision, arm: decision.arm, score: decision.score })],
        );
        await client.query('COMMIT');
        return { inserted };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /** Appends an event once per idempotency key. */
    async appendEvent(transactionId: string, type: string, idempotencyKey: string, payload: unknown): Promise<void> {
      await db.query(
        `INSERT INTO decision_events (transaction_id, type, idempotency_key, payload) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [transactionId, type, idempotencyKey, JSON.stringify(payload)],
      );
    },

    async get(transactionId: string): Promise<StoredDecision | null> {
      const { rows } = await db.query<DecisionRow>(
        `SELECT d.*, t.occurred_at FROM decisions d JOIN transactions t ON t.id = d.transaction_id
         WHERE d.transaction_id = $1 ORDER BY d.shadow, d.arm`, [transactionId]);
      const acting = rows.find((r) => !r.shadow);
      if (!acting) return null;
      return { ...fromRow(acting), shadows: rows.filter((r) => r.shadow).map(armFromRow), recordedAt: acting.recorded_at.toISOString() };
    },

    /** The transaction as the client sent it (null when it was never recorded). */
    async transactionBody(transactionId: string): Promise<Record<string, unknown> | null> {
      const { rows } = await db.query<{ body: Record<string, unknown> }>('SELECT body FROM transactions WHERE id = $1', [transactionId]);
      return rows[0]?.body ?? null;
    },

    async events(transactionId: string): Promise<{ type: string; payload: unknown; createdAt: string }[]> {
      const { rows } = await db.query<{ type: string; payload: unknown; created_at: Date }>(
        'SELECT type, payload, created_at FROM decision_events WHERE transaction_id = $1 ORDER BY id', [transactionId]);
      return rows.map((r) => ({ type: r.type, payload: r.payload, createdAt: r.created_at.toISOString() }));
    },
  };
}

export type DecisionRepository = ReturnType<typeof createDecisionRepository>;

/** The transaction as the client sent it (the derived numeric views are recomputed on parse). */
function stripDerived(tx: Transaction): Record<string, unknown> {
  const { amountValue: _a, occurredAtMs: _o, ...rest } = tx;
  void _a; void _o;
  return rest;
}

interface DecisionRow {
  transaction_id: string; arm: string; shadow: boolean; decision: ArmDecision['decision']; score: number | null;
  reasons: ArmDecision['reasons']; fired_rules: ArmDecision['firedRules']; features: Decision['features'];
  scores: ArmDecision['scores'] & { tags?: string[] }; ruleset_version: string; model_version: string | null;
  deployment_version: number | null; latency_ms: number; degraded: boolean; workflow_id: string; decided_at: Date; recorded_at: Date;
}

function armFromRow(r: DecisionRow): ArmDecision {
  const { tags = [], ...scores } = r.scores;
  return {
    arm: r.arm, shadow: r.shadow, decision: r.decision, score: r.score, reasons: r.reasons, tags, firedRules: r.fired_rules,
    rulesetVersion: r.ruleset_version, modelVersions: r.model_version ? r.model_version.split(',') : [], scores,
  };
}

function fromRow(r: DecisionRow): Decision {
  return {
    ...armFromRow(r), transactionId: r.transaction_id, workflowId: r.workflow_id, deploymentVersion: r.deployment_version ?? 0,
    features: r.features, degraded: r.degraded, latencyMs: r.latency_ms, decidedAt: r.decided_at.toISOString(), shadows: [],
  };
}
