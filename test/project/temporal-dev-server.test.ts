import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, portOpen, startTemporalDevServer } from '../../runtime/temporal-dev-server.ts';
import { StartupError } from '../../runtime/startup-error.ts';
import { toolPath } from '../../runtime/tools.ts';
import { KEPT_INDEXES, UNUSED_INDEX_PREFIXES } from '../../runtime/temporal-visibility-indexes.ts';
import { temporalCli } from '../support/temporal-cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the embedded Temporal dev server', () => {
  it('refuses to start when its web UI\'s port is taken, naming the port and the setting, and starts nothing', async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', () => ok()));
    const uiPort = (taken.address() as { port: number }).port;
    const port = await freePort();
    try {
      await assert.rejects(startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port, uiPort }), (err: unknown) =>
        err instanceof StartupError && err.message === `Port ${uiPort} (Temporal's web UI) is already in use: stop what listens there, or set TEMPORAL_UI_PORT to another port, or to off.`);
      assert.equal(await portOpen(port), false, 'no server was started');
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
  });

  it('serves the web UI on the port it is given, and none when it is given none', async () => {
    const executable = toolPath(ROOT, 'temporal') ?? 'temporal';
    const uiPort = await freePort();
    const withUi = await startTemporalDevServer({ executable, port: await freePort(), uiPort });
    try {
      const page = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(page.status, 200);
    } finally {
      await withUi.stop();
    }
    const headless = await startTemporalDevServer({ executable, port: await freePort() });
    try {
      assert.equal(await portOpen(uiPort), false);
      assert.equal(await portOpen(Number(headless.address.split(':')[1]) + 1000), false, 'not on the CLI\'s default UI port either');
    } finally {
      await headless.stop();
    }
  });

  it('drops from its SQLite file only the visibility indexes of search attributes FraudGuard never sets, and lists workflows as before', async () => {
    const executable = toolPath(ROOT, 'temporal') ?? 'temporal';
    const dir = mkdtempSync(join(tmpdir(), 'fg-temporal-file-'));
    const dbFile = join(dir, 'temporal.db');
    const indexes = () => execFileSync('python3', ['-c', 'import sqlite3, sys; print("\\n".join(n for (n,) in sqlite3.connect(sys.argv[1]).execute("SELECT name FROM sqlite_master WHERE type = \'index\' AND tbl_name = \'executions_visibility\'")))', dbFile], { encoding: 'utf8' }).trim().split('\n');
    const cli = async (address: string, ...args: string[]) => {
      const run = await temporalCli(args, address);
      assert.equal(run.status, 0, `temporal ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    const port = await freePort();
    // Visibility is written just after the workflow: the first lists may not have it yet.
    const listed = async (address: string, query: string, count = 1): Promise<string[]> => {
      for (let i = 0; ; i++) {
        const ids = (JSON.parse(await cli(address, 'workflow', 'list', '--query', query, '--output', 'json')) as { execution: { workflowId: string } }[] | null ?? []).map((w) => w.execution.workflowId).sort();
        if (ids.length >= count || i > 50) return ids;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await startTemporalDevServer({ executable, port, dbFile });
    try {
      assert.ok(first.visibilityIndexes && 'dropped' in first.visibilityIndexes && first.visibilityIndexes.dropped >= 30, JSON.stringify(first.visibilityIndexes));
      const left = indexes();
      assert.deepEqual(left.filter((n) => UNUSED_INDEX_PREFIXES.some((p) => n.startsWith(p)) && !(KEPT_INDEXES as readonly string[]).includes(n)), []);
      for (const kept of ['default_idx', 'by_workflow_id', 'by_workflow_type', 'by_status', 'by_execution_time', 'by_task_queue', ...KEPT_INDEXES]) assert.ok(left.includes(kept), `${kept} kept`);

      // A search attribute an operator adds lands on one of the columns whose index went: a list on it reads the table, same answer.
      await cli(first.address, 'operator', 'search-attribute', 'create', '--name', 'CustomerId', '--type', 'Keyword');
      await cli(first.address, 'workflow', 'start', '--type', 'probe', '--task-queue', 'nobody', '--workflow-id', 'w-1', '--search-attribute', 'CustomerId="c-42"');
      await cli(first.address, 'workflow', 'start', '--type', 'probe', '--task-queue', 'nobody', '--workflow-id', 'w-2', '--search-attribute', 'CustomerId="c-7"');
      assert.deepEqual(await listed(first.address, 'CustomerId = "c-42"'), ['w-1']);
      assert.deepEqual(await listed(first.address, 'WorkflowType = "probe"', 2), ['w-1', 'w-2']);
    } finally {
      await first.stop();
    }
    const again = await startTemporalDevServer({ executable, port, dbFile });
    try {
      assert.deepEqual(again.visibilityIndexes, { dropped: 0 }, 'nothing left to drop on the next start');
      assert.deepEqual(await listed(again.address, 'CustomerId = "c-42"'), ['w-1'], 'the file\'s workflows are there after a restart');
    } finally {
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
