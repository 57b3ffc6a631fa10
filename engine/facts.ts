import type { FeatureVector } from './features/store.ts';
import type { ArmScores } from './scoring.ts';
import type { Transaction } from './transaction.ts';
import { amountInBase, type FxRates } from './fx-rates.ts';

/** The facts a rule can name: transaction fields, features, model scores and derived helpers. */
export type Facts = Record<string, unknown>;

export const TRANSACTION_FACTS = [
  'id', 'amount', 'amount_text', 'currency', 'customer_id', 'merchant_id', 'terminal_id', 'device_id', 'ip',
  'card_bin', 'country', 'channel', 'mcc', 'email', 'email_domain', 'metadata', 'local_hour', 'amount_base',
] as const;

export interface FactOptions {
  /** Conversion rates to the base currency, for `amount_base` (fx-rates.ts). */
  fxRates?: FxRates | undefined;
}

export function buildFacts(tx: Transaction, features: FeatureVector, scores: ArmScores | null, opts: FactOptions = {}): Facts {
  const facts: Facts = {
    id: tx.id,
    amount: tx.amountValue,
    amount_text: tx.amount,
    currency: tx.currency,
    customer_id: tx.customer_id,
    merchant_id: tx.merchant_id,
    terminal_id: tx.terminal_id,
    device_id: tx.device_id,
    ip: tx.ip,
    card_bin: tx.card_bin,
    country: tx.country,
    channel: tx.channel,
    mcc: tx.mcc,
    email: tx.email,
    email_domain: tx.email?.split('@')[1]?.toLowerCase(),
    metadata: tx.metadata ?? {},
    local_hour: localHour(tx),
    amount_base: amountInBase(tx.amountValue, tx.currency, opts.fxRates),
  };
  for (const [name, value] of Object.entries(features)) facts[name] = value ?? undefined;
  if (scores) {
    facts['score'] = scores.combined ?? undefined;
    for (const m of scores.models) facts[`score.${m.role}`] = m.score;
  }
  return facts;
}

/** Hour of day (0–23) in the customer's time zone when metadata.timezone names one, else in the offset the timestamp was sent with. */
function localHour(tx: Transaction): number {
  const tz = tx.metadata?.['timezone'];
  if (typeof tz === 'string') {
    try {
      const hour = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: tz }).format(tx.occurredAtMs);
      return Number(hour);
    } catch { /* unknown zone: fall through to the sender's offset */ }
  }
  const m = /T(\d{2}):/.exec(tx.occurred_at);
  return m ? Number(m[1]) : new Date(tx.occurredAtMs).getUTCHours();
}
