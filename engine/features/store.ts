import type { Transaction } from '../transaction.ts';

/** Feature values by stable name (e.g. `customer.tx_count_1d`). null = not computable (no history, degraded). */
export type FeatureVector = Record<string, number | null>;

/** A label: what became known about a transaction, and when (analyst outcome, chargeback). */
export interface Label {
  transactionId: string;
  customerId: string;
  merchantId: string;
  /** When the labelled transaction happened (epoch ms). */
  occurredAtMs: number;
  fraud: boolean;
  /** When the label became known (epoch ms): fraud-rate features count it only from then on. */
  knownAtMs: number;
}

/**
 * The one interface between the decision core and wherever feature state lives
 * (Redis online, in-process for the embedded default and simulations).
 */
export interface FeatureStore {
  /**
   * Reads every feature as of `tx.occurredAtMs` and records `tx`, atomically:
   * the returned vector never includes `tx` itself. Idempotent per transaction id.
   */
  observe(tx: Transaction): Promise<FeatureVector>;
  /** Records a label; fraud-rate features see it only at times >= knownAtMs. */
  label(label: Label): Promise<void>;
}
