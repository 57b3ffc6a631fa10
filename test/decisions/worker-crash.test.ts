import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { aTransaction, startStack, TEST_DATABASE_URL, type TestStack } from '../support/stack.ts';
import { spawnWorker, type ChildService } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

describe('a worker killed between the decision and its persistence step', () => {
  let api: TestStack;
  let worker: ChildService | undefined;

  before(async () => {
    api = await startStack({ FRAUDGUARD_ROLE: 'api' });
    worker = await spawnWorker(api);
  });
  after(async () => { await worker?.kill('SIGKILL'); await api?.stop(); await api?.dropSchema(); });

  it('records the decision exactly once after the worker restarts', async () => {
    // Hold the decisions table: the decision's commit waits out its timeout (the decision is answered
    // anyway), then the workflow's persistence activity blocks on it, and the worker dies meanwhile.
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${api.schema}` });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE');

    const tx = aTransaction({ customer_id: 'crash-1' });
    const res = await api.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await new Promise((r) => setTimeout(r, 500)); // let the persistence activity start and block

    await worker?.kill('SIGKILL');
    // Postgres finds a dead client out only when it answers it: end the dead worker's statements still
    // waiting on the lock, so that what records the decision is the restarted worker's persistence step.
    await blocker.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE NOT granted AND relation = '${api.schema}.decisions'::regclass`);
    await blocker.query('ROLLBACK');
    await blocker.end();
    const { rows: before } = await api.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = $1', [tx['id']]);
    assert.equal(before[0].n, 0, 'nothing was recorded by the killed worker');

    worker = await spawnWorker(api);
    await waitFor(async () => (await api.db.query('SELECT 1 FROM decisions WHERE transaction_id = $1', [tx['id']])).rowCount, 60_000, 'decision recorded');
    const { rows } = await api.db.query('SELECT decision, decided_at FROM decisions WHERE transaction_id = $1', [tx['id']]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].decision, res.body.decision);
    assert.equal(rows[0].decided_at.toISOString(), res.body.decided_at, 'the recorded decision is the one returned, not a new one');
    const { rows: events } = await api.db.query("SELECT count(*)::int AS n FROM decision_events WHERE transaction_id = $1 AND type = 'decided'", [tx['id']]);
    assert.equal(events[0].n, 1);
  });
});
