import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import type { Decision } from '../engine/decision.ts';
import { parseTransaction, type Transaction } from '../engine/transaction.ts';
import { pgDecisionLedger } from './decision-ledger.ts';
import { createDecisionRepository } from './pg/decision-repository.ts';
import { TEST_DATABASE_URL } from '../test/support/stack.ts';

const txOf = (id: string): Transaction => {
  const parsed = parseTransaction({ id, occurred_at: '2026-11-22T10:00:00Z', amount: '42.50', currency: 'EUR', customer_id: 'c-1', merchant_id: 'm-1' });
  if (!parsed.ok) throw new Error('fixture');
  return parsed.value;
};
const decisionOf = (tx: Transaction, decision: Decision['decision'], decidedAt: string, withShadow = true): Decision => ({
  arm: 'champion', shadow: false, decision, score: 0.1, reasons: [], tags: [], firedRules: [], rulesetVersion: 'default@1', modelVersions: [],
  scores: { combined: null, models: [] }, transactionId: tx.id, workflowId: `tx-${tx.id}`, deploymentVersion: 1, features: { 'tx.hour': 10 },
  degraded: false, latencyMs: 3, decidedAt,
  shadows: withShadow ? [{ arm: 'shadow', shadow: true, decision: 'DECLINE', score: 1, reasons: [], tags: [], firedRules: [], rulesetVersion: 'x@1', modelVersions: [], scores: { combined: null, models: [] } }] : [],
});

describe('decision ledger (PostgreSQL): the first decision recorded for an id is the answer', () => {
  const schema = `ledger_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: pg.Pool;
  before(async () => {
    await migrate(TEST_DATABASE_URL, schema);
    db = createPool(TEST_DATABASE_URL, schema, 4);
  });
  after(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db?.end();
  });

  it('records new decisions in one statement with their shadow arms and one decided event each', async () => {
    const ledger = pgDecisionLedger(createDecisionRepository(db), { timeoutMs: 2_000 });
    const items = ['a1', 'a2', 'a3'].map((id) => { const tx = txOf(`${schema}-${id}`); return { tx, decision: decisionOf(tx, 'APPROVE', '2026-11-22T10:00:01.000Z') }; });
    const committed = await ledger.commitMany(items);
    for (const { tx, decision } of items) assert.deepEqual(committed.get(tx.id), decision);
    const ids = items.map((i) => i.tx.id);
    const rows = await db.query('SELECT transaction_id, shadow FROM decisions WHERE transaction_id = ANY($1)', [ids]);
    assert.equal(rows.rowCount, 6);
    const events = await db.query(`SELECT transaction_id FROM decision_events WHERE type = 'decided' AND transaction_id = ANY($1)`, [ids]);
    assert.equal(events.rowCount, 3);
  });

  it('answers an id already recorded with the recorded decision, and writes nothing of the later one', async () => {
    const repo = createDecisionRepository(db);
    const ledger = pgDecisionLedger(repo, { timeoutMs: 2_000 });
    const tx = txOf(`${schema}-b1`);
    const first = decisionOf(tx, 'REVIEW', '2026-11-22T10:00:01.000Z');
    assert.deepEqual(await ledger.commit(tx, first), { decision: first, recorded: true });
    const later = { ...decisionOf(tx, 'APPROVE', '2026-11-22T10:00:09.000Z', false), arm: 'challenger' };
    const fresh = txOf(`${schema}-b2`);
    const answers = await ledger.commitMany([{ tx, decision: later }, { tx: fresh, decision: decisionOf(fresh, 'APPROVE', '2026-11-22T10:00:09.000Z') }]);
    assert.equal(answers.get(tx.id)?.decision, 'REVIEW');
    assert.equal(answers.get(tx.id)?.decidedAt, first.decidedAt);
    assert.deepEqual(answers.get(tx.id)?.shadows.map((s) => s.arm), ['shadow']);
    assert.equal(answers.get(fresh.id)?.decision, 'APPROVE');
    assert.deepEqual(await ledger.commit(tx, later).then((c) => [c.decision.decidedAt, c.recorded]), [first.decidedAt, true]);
    const { rows } = await db.query('SELECT arm FROM decisions WHERE transaction_id = $1 ORDER BY arm', [tx.id]);
    assert.deepEqual(rows.map((r) => r.arm), ['champion', 'shadow'], 'the later decision\'s other arm was not written');
    const events = await db.query('SELECT count(*)::int AS n FROM decision_events WHERE transaction_id = $1', [tx.id]);
    assert.equal(events.rows[0].n, 1);
    assert.deepEqual((await repo.record(tx, later)).inserted, false, 'the workflow\'s own persistence step finds it recorded');
  });

  it('settles batches racing on the same ids, in any order, on one decision per id', async () => {
    const ledger = pgDecisionLedger(createDecisionRepository(db), { timeoutMs: 2_000 });
    const txs = Array.from({ length: 200 }, (_, i) => txOf(`${schema}-race-${String(i).padStart(3, '0')}`));
    const batch = (at: string, order: 'asc' | 'desc') => (order === 'asc' ? txs : [...txs].reverse()).map((tx) => ({ tx, decision: decisionOf(tx, 'APPROVE', at) }));
    const answers = await Promise.all([
      ledger.commitMany(batch('2026-11-22T10:00:01.000Z', 'asc')), ledger.commitMany(batch('2026-11-22T10:00:02.000Z', 'desc')),
      ledger.commitMany(batch('2026-11-22T10:00:03.000Z', 'desc')), ...txs.slice(0, 20).map((tx) => ledger.commit(tx, decisionOf(tx, 'REVIEW', '2026-11-22T10:00:04.000Z'))),
    ]);
    const [a, b, c] = answers as Map<string, Decision>[];
    for (const tx of txs) {
      const first = a?.get(tx.id);
      assert.equal(b?.get(tx.id)?.decidedAt, first?.decidedAt, tx.id);
      assert.equal(c?.get(tx.id)?.decidedAt, first?.decidedAt, tx.id);
    }
    txs.slice(0, 20).forEach((tx, i) => assert.equal((answers[3 + i] as { decision: Decision }).decision.decidedAt, a?.get(tx.id)?.decidedAt));
    const { rows } = await db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = ANY($1) AND NOT shadow', [txs.map((t) => t.id)]);
    assert.equal(rows[0].n, 200);
  });

  it('answers with the decision as made when Postgres cannot be reached, and throws for a batch', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 500 });
    down.on('error', () => undefined);
    try {
      const ledger = pgDecisionLedger(createDecisionRepository(down), { timeoutMs: 300 });
      const tx = txOf(`${schema}-c1`);
      const mine = decisionOf(tx, 'APPROVE', '2026-11-22T10:00:01.000Z');
      assert.deepEqual(await ledger.commit(tx, mine), { decision: mine, recorded: false }, 'its workflow records it later');
      await assert.rejects(ledger.commitMany([{ tx, decision: mine }]));
    } finally {
      await down.end();
    }
  });
});
