import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import type { DecisionRepository } from './pg/decision-repository.ts';

/** Step 5: the durable record. Runs as a normal activity retried until Postgres takes it. */
export function createPersistenceActivities(deps: { decisions: DecisionRepository }) {
  return {
    async recordDecision({ tx, decision }: { tx: Transaction; decision: Decision }): Promise<void> {
      await deps.decisions.record(tx, decision);
    },
  };
}
