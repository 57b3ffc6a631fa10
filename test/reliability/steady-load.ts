import assert from 'node:assert/strict';
import type { Db } from '../../db/pool.ts';
import { aTransaction, type HttpReply, type StackClient } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

/** What one decision request came back with (or how it failed). */
export interface Sent {
  id: string;
  sentAt: number;
  reply?: HttpReply;
  error?: string;
}

export interface SteadyLoad {
  /** Every request sent so far (complete once `done` resolves). */
  sent: Sent[];
  done: Promise<Sent[]>;
}

/**
 * A fixed number of decisions at a steady rate on loopback: each request is sent on its own schedule
 * whatever the earlier ones are doing (open loop, as a payment switch sends them), so a fault shows
 * up as slow or failed requests rather than as a pause in the load. Bounded: `count` requests.
 */
export function steadyLoad(client: StackClient, opts: { count: number; perSecond: number; customers?: number; prefix?: string }): SteadyLoad {
  const sent: Sent[] = [];
  const customers = opts.customers ?? 10;
  const done = (async () => {
    const pending: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < opts.count; i++) {
      const due = started + (i * 1000) / opts.perSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const tx = aTransaction({ customer_id: `${opts.prefix ?? 'load'}-c${i % customers}`, amount: (10 + (i % 90)).toFixed(2) });
      const entry: Sent = { id: tx['id'] as string, sentAt: Date.now() };
      sent.push(entry);
      pending.push(client.post('/v1/decisions', tx).then((reply) => { entry.reply = reply; }, (err: unknown) => { entry.error = (err as Error).message; }));
    }
    await Promise.all(pending);
    return sent;
  })();
  return { sent, done };
}

/**
 * A fault under load: once `load` has run `upMs` (default 4 s), `service` is stopped for `downMs` and
 * started again; `whileDown` (say, a bulk request) starts once it is down and is awaited after the
 * restart. Returns every request the load sent and the outage window.
 */
export async function outageUnderLoad(load: SteadyLoad, service: { stop(): Promise<unknown>; start(): Promise<unknown> },
  opts: { upMs?: number; downMs: number; whileDown?: () => Promise<unknown> }): Promise<{ sent: Sent[]; down: { from: number; to: number } }> {
  await new Promise((r) => setTimeout(r, opts.upMs ?? 4_000));
  const from = Date.now();
  await service.stop();
  const meanwhile = opts.whileDown?.();
  await new Promise((r) => setTimeout(r, opts.downMs));
  await service.start();
  const to = Date.now();
  const sent = await load.done;
  await meanwhile;
  return { sent, down: { from, to } };
}

/** One bulk request of `txs` after `delayMs`; each item as a Sent, its reply body the item's decision (or the error). */
export async function sendBulk(client: StackClient, txs: Record<string, unknown>[], delayMs = 0): Promise<Sent[]> {
  await new Promise((r) => setTimeout(r, delayMs));
  const sentAt = Date.now();
  const reply = await client.post('/v1/decisions/bulk', { transactions: txs });
  return txs.map((tx, i) => {
    const item = reply.body?.results?.[i];
    return { id: tx['id'] as string, sentAt, reply: { ...reply, status: reply.status === 200 && item?.ok ? 200 : reply.status, body: item?.decision ?? item ?? reply.body } };
  });
}

/** Requests that did not get a 200 decision, described for an assertion message. */
export function failures(sent: Sent[]): string[] {
  return sent.filter((s) => s.reply?.status !== 200)
    .map((s) => `${s.id}: ${s.error ?? `${s.reply?.status} ${JSON.stringify(s.reply?.body).slice(0, 200)}`}`);
}

/**
 * Waits until every id has its decision recorded, then checks each exactly once (one acting row, one
 * `decided` event) and that the recorded decision is the one the caller got.
 */
export async function assertRecordedExactlyOnce(db: Db, sent: Sent[], timeoutMs = 180_000): Promise<void> {
  const ids = sent.map((s) => s.id);
  await waitFor(async () => {
    const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT transaction_id)::int AS n FROM decisions WHERE transaction_id = ANY($1) AND NOT shadow', [ids]);
    return rows[0]?.n === ids.length;
  }, timeoutMs, `all ${ids.length} decisions recorded`);
  const { rows: counts } = await db.query<{ transaction_id: string; rows: number; events: number; decision: string; decided_at: Date }>(
    `SELECT d.transaction_id, count(*)::int AS rows, min(d.decision) AS decision, min(d.decided_at) AS decided_at,
            (SELECT count(*)::int FROM decision_events e WHERE e.transaction_id = d.transaction_id AND e.type = 'decided') AS events
     FROM decisions d WHERE d.transaction_id = ANY($1) AND NOT d.shadow GROUP BY d.transaction_id`, [ids]);
  const byId = new Map(counts.map((r) => [r.transaction_id, r]));
  const problems: string[] = [];
  for (const s of sent) {
    const r = byId.get(s.id);
    if (!r) { problems.push(`${s.id}: not recorded`); continue; }
    if (r.rows !== 1 || r.events !== 1) problems.push(`${s.id}: ${r.rows} decision rows, ${r.events} decided events`);
    if (s.reply?.status === 200 && (r.decision !== s.reply.body.decision || r.decided_at.toISOString() !== s.reply.body.decided_at)) {
      problems.push(`${s.id}: recorded ${r.decision} at ${r.decided_at.toISOString()}, answered ${s.reply.body.decision} at ${s.reply.body.decided_at}`);
    }
  }
  assert.deepEqual(problems, [], 'every decision recorded exactly once, as answered');
}

/** Every REVIEW has its case, and nothing else has one. */
export async function assertEveryReviewHasItsCase(db: Db, sent: Sent[], timeoutMs = 120_000): Promise<void> {
  const reviews = sent.filter((s) => s.reply?.body?.decision === 'REVIEW').map((s) => s.id);
  assert.ok(reviews.length > 0, 'the load had REVIEW decisions to check');
  await waitFor(async () => {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE transaction_id = ANY($1)', [reviews]);
    return rows[0]?.n === reviews.length;
  }, timeoutMs, `a case for each of the ${reviews.length} REVIEW decisions`);
  const { rows: others } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE transaction_id = ANY($1)',
    [sent.filter((s) => s.reply?.body?.decision !== 'REVIEW').map((s) => s.id)]);
  assert.equal(others[0]?.n, 0, 'no case for a decision that is not REVIEW');
}
