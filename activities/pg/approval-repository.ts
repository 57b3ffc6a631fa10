import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.ts';

export const APPROVAL_ACTIONS = ['ruleset.publish', 'deployment.change'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'used';

export interface Approval {
  id: number;
  action: ApprovalAction;
  subject: string;
  comment: string | null;
  requestedBy: string;
  requestedAt: string;
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  usedBy: string | null;
  usedAt: string | null;
}

interface Row {
  id: number; action: ApprovalAction; subject: string; comment: string | null; requested_by: string; requested_at: Date;
  status: ApprovalStatus; decided_by: string | null; decided_at: Date | null; used_by: string | null; used_at: Date | null;
}
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toApproval = (r: Row): Approval => ({
  id: r.id, action: r.action, subject: r.subject, comment: r.comment, requestedBy: r.requested_by, requestedAt: r.requested_at.toISOString(),
  status: r.status, decidedBy: r.decided_by, decidedAt: iso(r.decided_at), usedBy: r.used_by, usedAt: iso(r.used_at),
});

/** Four-eyes approval records: requested, decided by someone else, used once. */
export function createApprovalRepository(db: Db) {
  return {
    async request(a: { action: ApprovalAction; subject: string; comment?: string | undefined; requestedBy: string }): Promise<Approval> {
      const { rows } = await db.query<Row>('INSERT INTO approvals (action, subject, comment, requested_by) VALUES ($1, $2, $3, $4) RETURNING *',
        [a.action, a.subject, a.comment ?? null, a.requestedBy]);
      return toApproval(rows[0] as Row);
    },

    async get(id: number): Promise<Approval | null> {
      const { rows } = await db.query<Row>('SELECT * FROM approvals WHERE id = $1', [id]);
      return rows[0] ? toApproval(rows[0]) : null;
    },

    async list(filter: { status?: ApprovalStatus | undefined } = {}): Promise<Approval[]> {
      const { rows } = await db.query<Row>('SELECT * FROM approvals WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT 500', [filter.status ?? null]);
      return rows.map(toApproval);
    },

    /** Approves or rejects a pending request; null when it is not pending or `by` requested it. */
    async decide(id: number, by: string, status: 'approved' | 'rejected'): Promise<Approval | null> {
      const { rows } = await db.query<Row>(
        `UPDATE approvals SET status = $3, decided_by = $2, decided_at = now()
         WHERE id = $1 AND status = 'pending' AND requested_by <> $2 RETURNING *`, [id, by, status]);
      return rows[0] ? toApproval(rows[0]) : null;
    },

    /**
     * Uses up one approval of `subject` granted by someone other than `author`. Pass the client of the
     * transaction that makes the change, so a change that fails leaves the approval unused.
     */
    async consume(q: { action: ApprovalAction; subject: string; author: string; usedBy: string }, client?: PoolClient): Promise<Approval | null> {
      const { rows } = await (client ?? db).query<Row>(
        `UPDATE approvals SET status = 'used', used_by = $4, used_at = now()
         WHERE id = (SELECT id FROM approvals WHERE action = $1 AND subject = $2 AND status = 'approved' AND decided_by <> $3
                     ORDER BY decided_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`, [q.action, q.subject, q.author, q.usedBy]);
      return rows[0] ? toApproval(rows[0]) : null;
    },
  };
}
export type ApprovalRepository = ReturnType<typeof createApprovalRepository>;
