import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '../support/stack.ts';
import { freePort, startTemporalDevServer, type DevServer } from '../../runtime/temporal-dev-server.ts';
import { toolPath } from '../../runtime/tools.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, steadyLoad, type Sent } from './steady-load.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('the Temporal dev server restarted under load, its data kept on disk', () => {
  let dir: string;
  let temporal: DevServer;
  let stack: TestStack;
  let sent: Sent[];
  let stoppedAt = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-reliability-temporal-'));
    const port = await freePort();
    const serve = () => startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port, dbFile: join(dir, 'temporal.db') });
    temporal = await serve();
    stack = await startStack({ TEMPORAL_ADDRESS: temporal.address });
    const load = steadyLoad(stack, { count: 40, perSecond: 4, prefix: 'temporal' });
    await new Promise((r) => setTimeout(r, 4_000));
    stoppedAt = Date.now();
    await temporal.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    temporal = await serve();
    sent = await load.done;
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await temporal?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('answers every request sent before the restart, and every one sent during it once the server is back', () => {
    assert.ok(sent.filter((s) => s.sentAt < stoppedAt).length >= 10);
    assert.deepEqual(failures(sent), []);
  });

  it('finishes the workflows that were in flight: every decision recorded exactly once', async () => {
    await assertRecordedExactlyOnce(stack.db, sent);
  });

  it('keeps the review cases of the workflows that were in flight', async () => {
    await assertEveryReviewHasItsCase(stack.db, sent);
  });
});
