import { inTransaction, type Db } from '../../db/pool.ts';
import { chainEntry, toJson, verifyChain, type AuditEntry, type ChainVerdict } from '../audit-chain.ts';

/** What a caller records; the repository adds seq, time and the chain. */
export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null | undefined;
  status?: number | null | undefined;
  request?: unknown;
  before?: unknown;
  after?: unknown;
}

interface Row {
  seq: number; at: string; actor: string; action: string; target: string | null; status: number | null;
  request: AuditEntry['request']; before: AuditEntry['before']; after: AuditEntry['after']; prev_hash: string; hash: string;
}
const toEntry = (r: Row): AuditEntry => ({
  seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, status: r.status,
  request: r.request, before: r.before, after: r.after, prevHash: r.prev_hash, hash: r.hash,
});

/**
 * The audit log: append-only (the table's trigger refuses UPDATE, DELETE and TRUNCATE) and
 * hash-chained (activities/audit-chain.ts). Appends are serialized by a transaction-scoped advisory
 * lock per schema, so each entry links to the one before it even with many API processes.
 */
export function createAuditRepository(db: Db) {
  /** Every entry in order, a page at a time (the log can be long). */
  async function* all(pageSize = 1000): AsyncGenerator<AuditEntry> {
    let after = 0;
    for (;;) {
      const { rows } = await db.query<Row>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, pageSize]);
      for (const r of rows) yield toEntry(r);
      if (rows.length < pageSize) return;
      after = (rows[rows.length - 1] as Row).seq;
    }
  }

  return {
    all,
    async append(rec: AuditRecord): Promise<AuditEntry> {
      return inTransaction(db, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('fraudguard.audit_log.' || current_schema(), 0))");
        const { rows } = await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
        const entry = chainEntry(rows[0] ?? null, {
          at: new Date().toISOString(), actor: rec.actor, action: rec.action, target: rec.target ?? null, status: rec.status ?? null,
          request: toJson(rec.request), before: toJson(rec.before), after: toJson(rec.after),
        });
        await client.query(
          `INSERT INTO audit_log (seq, at, actor, action, target, status, request, before, after, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.status,
            JSON.stringify(entry.request), JSON.stringify(entry.before), JSON.stringify(entry.after), entry.prevHash, entry.hash]);
        return entry;
      });
    },

    /** Entries after `afterSeq`, oldest first, optionally about one target. */
    async list(q: { afterSeq?: number; limit?: number; target?: string | undefined } = {}): Promise<AuditEntry[]> {
      const { rows } = await db.query<Row>(
        'SELECT * FROM audit_log WHERE seq > $1 AND ($3::text IS NULL OR target = $3) ORDER BY seq LIMIT $2',
        [q.afterSeq ?? 0, Math.min(q.limit ?? 100, 1000), q.target ?? null]);
      return rows.map(toEntry);
    },

    verify(): Promise<ChainVerdict> {
      return verifyChain(all());
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
