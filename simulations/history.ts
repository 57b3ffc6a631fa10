import type { Db } from '../db/pool.ts';
import { parseTransaction, type Transaction } from '../engine/transaction.ts';
import { readDataset } from './dataset.ts';

/**
 * Where a simulation's history comes from, as one time-ordered stream of transactions with their
 * label: the data set files (labels known a fixed delay after their transaction, as the handbook has
 * it) or the transactions recorded in Postgres (the latest label of each, known when it was recorded;
 * null when none).
 */
export interface HistoryRow {
  tx: Transaction;
  /** The label used for the figures; null = unlabelled (not counted in precision, recall, …). */
  label: boolean | null;
  /** When a fraud label became known (epoch ms); absent: the replay's default delay. */
  knownAtMs?: number;
}

export type HistorySource = { kind: 'dataset'; dir: string } | { kind: 'postgres' };

export interface HistoryRange {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export async function* readHistory(source: HistorySource, range: HistoryRange, db?: Db): AsyncGenerator<HistoryRow> {
  if (source.kind === 'dataset') {
    for await (const row of readDataset(source.dir, range)) yield { tx: row.tx, label: row.fraud };
    return;
  }
  if (!db) throw new Error('a Postgres history needs a database');
  yield* readRecorded(db, range);
}

/** The first and last instants of the transactions recorded in Postgres; null when none is. */
export async function recordedSpan(db: Db): Promise<{ firstMs: number; lastMs: number } | null> {
  const { rows } = await db.query<{ first: Date | null; last: Date | null }>('SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM transactions');
  const { first, last } = rows[0] ?? { first: null, last: null };
  return first && last ? { firstMs: first.getTime(), lastMs: last.getTime() } : null;
}

const PAGE = 5_000;

interface RecordedRow { id: string; at: string; body: Record<string, unknown>; fraud: boolean | null; known_at: Date | null }

/** Recorded transactions in (occurred_at, id) order, a page at a time (keyset: constant memory, no long cursor). */
async function* readRecorded(db: Db, range: HistoryRange): AsyncGenerator<HistoryRow> {
  // The position is kept as Postgres' own text of the timestamp: exact to the microsecond, unlike a Date.
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const result: { rows: RecordedRow[] } = await db.query<RecordedRow>(
      `SELECT t.id, t.occurred_at::text AS at, t.body, l.fraud, l.known_at
         FROM transactions t
         LEFT JOIN LATERAL (SELECT fraud, known_at FROM labels WHERE transaction_id = t.id ORDER BY id DESC LIMIT 1) l ON true
        WHERE t.occurred_at >= $1 AND t.occurred_at < $2
          AND ($3::timestamptz IS NULL OR (t.occurred_at, t.id) > ($3::timestamptz, $4::text))
        ORDER BY t.occurred_at, t.id LIMIT ${PAGE}`,
      [new Date(range.fromMs), new Date(range.toMs), after?.at ?? null, after?.id ?? null]);
    const rows: RecordedRow[] = result.rows;
    for (const r of rows) {
      const parsed = parseTransaction(r.body);
      if (!parsed.ok) continue; // recorded bodies were validated on the way in; a schema change may refuse old ones
      yield { tx: parsed.value, label: r.fraud, ...(r.fraud && r.known_at ? { knownAtMs: r.known_at.getTime() } : {}) };
    }
    const last: RecordedRow | undefined = rows[rows.length - 1];
    if (!last || rows.length < PAGE) return;
    after = { at: last.at, id: last.id };
  }
}
