import type { Logger } from 'pino';
import type { Decision } from '../engine/decision.ts';
import type { Transaction } from '../engine/transaction.ts';
import type { DecisionRepository } from './pg/decision-repository.ts';
import { withTimeout } from './with-timeout.ts';

/**
 * The commit point of a decision: the first decision recorded for a transaction id is the one that
 * counts, whichever path made it (a transaction's workflow, a bulk request). Recording it before the
 * caller hears it makes a second path that decided the same id concurrently answer with the first.
 */
export interface DecisionLedger {
  /**
   * This decision if it is the first recorded for its id, else the one recorded; this one when the
   * ledger cannot be reached. `recorded`: a decision for the id is on record (this one or the first),
   * so the workflow need not write it again.
   */
  commit(tx: Transaction, decision: Decision): Promise<{ decision: Decision; recorded: boolean }>;
  /** The same for many, in one statement. Throws when the ledger cannot be reached: the caller chooses a durable way round. */
  commitMany(items: readonly { tx: Transaction; decision: Decision }[]): Promise<Map<string, Decision>>;
}

/**
 * The ledger on Postgres's decision record. A single decision never waits on an unreachable or slow
 * database beyond `timeoutMs`: it is answered, and its workflow's persistence step (retried without
 * limit) records it when Postgres returns; during such an outage only the cross-path guarantee is relaxed.
 */
export function pgDecisionLedger(decisions: DecisionRepository, opts: { timeoutMs: number; log?: Logger }): DecisionLedger {
  const recorded = async (ids: string[]): Promise<Map<string, Decision>> => {
    const stored = await decisions.getMany(ids);
    return new Map([...stored].map(([id, { recordedAt: _r, ...d }]) => [id, d]));
  };
  const commitMany: DecisionLedger['commitMany'] = async (items) => {
    const inserted = await retryingConflicts(() => decisions.recordMany(items));
    const lost = items.filter(({ tx }) => !inserted.has(tx.id)).map(({ tx }) => tx.id);
    const theirs = lost.length ? await recorded(lost) : new Map<string, Decision>();
    return new Map(items.map(({ tx, decision }) => [tx.id, theirs.get(tx.id) ?? decision]));
  };
  return {
    commitMany,
    async commit(tx, decision) {
      try {
        return { decision: (await withTimeout(commitMany([{ tx, decision }]), opts.timeoutMs)).get(tx.id) ?? decision, recorded: true };
      } catch (err) {
        opts.log?.warn({ transactionId: tx.id, err: (err as Error).message }, 'decision not recorded before its answer (Postgres unavailable): its workflow records it later');
        return { decision, recorded: false };
      }
    },
  };
}

/**
 * Postgres aborts one of two statements that wait on each other (deadlock, serialization failure):
 * the other has committed, so running the aborted one again settles which decision came first.
 */
async function retryingConflicts<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt));
    }
  }
}
