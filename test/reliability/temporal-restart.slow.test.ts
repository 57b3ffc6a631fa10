import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { freePort, startTemporalDevServer, type DevServer } from '../../runtime/temporal-dev-server.ts';
import { toolPath } from '../../runtime/tools.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import { waitFor } from '../support/wait.ts';
import { decisionQuery, transactionWorkflowId } from '../../workflows/transaction.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, outageUnderLoad, sendBulk, steadyLoad, type Sent } from './steady-load.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('the Temporal dev server killed and restarted under load, its data kept on disk', () => {
  let dir: string;
  let temporal: DevServer;
  let stack: TestStack;
  let sent: Sent[];
  let down: { from: number; to: number };
  let bulkSent: Sent[] = [];
  let followUps: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-reliability-temporal-'));
    const port = await freePort();
    const serve = () => startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port, dbFile: join(dir, 'temporal.db') });
    temporal = await serve();
    stack = await startStack({ TEMPORAL_ADDRESS: temporal.address });
    // A bulk request while the server is down: decided in process and recorded, its REVIEWs and
    // DECLINEs handed to their workflows once the server is back (the client retries the start meanwhile).
    const txs = Array.from({ length: 10 }, (_, i) => aTransaction({ customer_id: `temporal-bulk-${i}`, amount: i < 2 ? '9500.00' : '20.00' }));
    const server = { stop: () => temporal.kill(), start: async () => { temporal = await serve(); } };
    ({ sent, down } = await outageUnderLoad(steadyLoad(stack, { count: 40, perSecond: 4, prefix: 'temporal' }), server, {
      downMs: 3_000, whileDown: async () => { bulkSent = await sendBulk(stack, txs, 1_000); },
    }));
    followUps = bulkSent.filter((b) => b.reply?.status === 200 && b.reply.body.decision !== 'APPROVE').map((b) => b.id);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await temporal?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('answers every request sent before the crash, and every one sent during it once the server is back', () => {
    assert.ok(sent.filter((s) => s.sentAt < down.from).length >= 10);
    assert.ok(sent.some((s) => s.sentAt > down.from && s.sentAt < down.to), 'requests were sent while the server was down');
    assert.deepEqual(failures(sent), []);
    assert.deepEqual(failures(bulkSent), [], 'the bulk request sent while the server was down');
    assert.ok(followUps.length >= 1, 'the 9,500 payments are not approved');
  });

  it('finishes the workflows that were in flight: every decision recorded exactly once', async () => {
    await assertRecordedExactlyOnce(stack.db, [...sent, ...bulkSent]);
    for (const id of followUps) {
      // Handed over through the request's batch workflow, which starts it once a worker has polled again
      // after the restart: it exists within seconds of the answer, not at once.
      const carried = await waitFor(() => stack.temporal.workflow.getHandle(transactionWorkflowId(id)).query(decisionQuery)
        .catch((err: unknown) => { if (err instanceof WorkflowNotFoundError) return null; throw err; }), 30_000, `the workflow of ${id}`);
      const answered = bulkSent.find((b) => b.id === id)?.reply?.body;
      assert.equal(carried?.decidedAt, answered?.decided_at, `the workflow of ${id} carries the decision the bulk request answered`);
    }
  });

  it('keeps its history in a write-ahead log (a history write waits for no fsync; a killed server loses no commit)', () => {
    assert.ok(existsSync(join(dir, 'temporal.db-wal')), 'the SQLite file has its write-ahead log beside it');
  });

  it('keeps the review cases of the workflows that were in flight', async () => {
    await assertEveryReviewHasItsCase(stack.db, [...sent, ...bulkSent]);
  });
});
