import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Connection, Client } from '@temporalio/client';
import { EMBEDDED_POSTGRES_PORT } from '../../runtime/embedded-postgres.ts';
import { EMBEDDED_TEMPORAL_PORT, EMBEDDED_TEMPORAL_UI_PORT, portOpen } from '../../runtime/temporal-dev-server.ts';
import { embeddedEnv, fraudguard } from '../support/cli.ts';
import { EMBEDDED_SERVICES_LOCK, holdMachineLock } from '../support/machine-lock.ts';
import { spawnMain, type ChildService } from '../support/processes.ts';
import { aTransaction } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

// The README's first command on a machine with none of the services configured: `npm start` runs
// main.ts, which starts an embedded PostgreSQL, a Temporal dev server and the in-process feature store.
interface Running extends ChildService { base: string }

/** main.ts with no service configured, as the leader of its own process group (as a shell runs a command). */
async function startMain(dataDir: string, adminKey: string): Promise<Running> {
  const service = await spawnMain({ PORT: '0', HOST: '127.0.0.1', FRAUDGUARD_DATA_DIR: dataDir, FRAUDGUARD_ADMIN_API_KEY: adminKey },
    /FraudGuard API listening/, { unset: ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS', 'DATABASE_SCHEMA', 'METRICS_PORT'], ownProcessGroup: true });
  const listening = service.logs.map(parsed).find((l) => l.msg.startsWith('FraudGuard API listening'));
  return { ...service, base: `http://127.0.0.1:${listening?.port}` };
}

/** A printed line: its own JSON log lines as they are, the others (the Temporal SDK's core logs, as text) at the level their text names. */
function parsed(text: string): { level: number; msg: string; port?: number } {
  try {
    return JSON.parse(text) as { level: number; msg: string; port?: number };
  } catch {
    return { level: /\bERROR\b/.test(text) ? 50 : /\bWARN\b/.test(text) ? 40 : 30, msg: text };
  }
}

/** Kills the processes whose command line names `text` (Linux's /proc; nothing elsewhere). */
function killProcessesMentioning(text: string): void {
  if (!existsSync('/proc')) return;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone meanwhile, or not ours to read */ }
  }
}

/** After it said it was stopping: its exit, every embedded service gone, and not a warning on the way. */
async function assertStoppedCleanly(run: Running): Promise<void> {
  const { code, signal } = await run.exited;
  const said = run.logs.join('\n');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, said);
  for (const port of [EMBEDDED_POSTGRES_PORT, EMBEDDED_TEMPORAL_PORT, EMBEDDED_TEMPORAL_UI_PORT]) assert.equal(await portOpen(port), false, `port ${port} still open after exit`);
  const lines = run.logs.map(parsed);
  const stopping = lines.findIndex((l) => l.msg === 'stopping');
  assert.ok(stopping >= 0, `says it is stopping:\n${said}`);
  assert.deepEqual(lines.slice(stopping).filter((l) => l.level >= 40).map((l) => l.msg), [], 'a clean stop logs no warning or error');
}

/** Sends a bulk request of 1,000 (long enough to be under way when the signal comes), then `signal`; its answer. */
async function bulkAnsweredAcross(run: Running, headers: Record<string, string>, signal: () => void): Promise<{ status: number; decided: number }> {
  const transactions = Array.from({ length: 1000 }, () => aTransaction());
  const reply = fetch(`${run.base}/v1/decisions/bulk`, { method: 'POST', headers, body: JSON.stringify({ transactions }) });
  await new Promise((r) => setTimeout(r, 150));
  signal();
  const answered = await reply;
  return { status: answered.status, decided: (await answered.json() as { decided: number }).decided };
}

describe('npm start on embedded defaults (no DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-npm-start-'));
  // Run as root, PostgreSQL runs as the user "postgres", who must be able to enter it (mkdtemp makes it 700).
  chmodSync(dataDir, 0o755);
  const adminKey = `fgk_start_${randomBytes(18).toString('base64url')}`;
  const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const tx = aTransaction();
  const runs: Running[] = [];
  let release = async () => {};

  before(async () => {
    release = await holdMachineLock(EMBEDDED_SERVICES_LOCK);
    for (const port of [EMBEDDED_POSTGRES_PORT, EMBEDDED_TEMPORAL_PORT, EMBEDDED_TEMPORAL_UI_PORT]) {
      assert.equal(await portOpen(port), false, `port ${port} is taken (a running \`npm start\`?): the embedded services need it`);
    }
    runs.push(await startMain(dataDir, adminKey));
  });

  after(async () => {
    // Should a test have failed with the process still up: stop it as a user would, and kill it only
    // if that does not work, then whatever it left running on this data directory (the embedded
    // PostgreSQL and Temporal server would otherwise keep their ports, and the next run could not start).
    for (const run of runs) {
      const timer = setTimeout(() => void run.kill('SIGKILL'), 20_000);
      await run.kill('SIGTERM');
      clearTimeout(timer);
    }
    killProcessesMentioning(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    await release();
  });

  it('says which embedded service it starts for each setting left unset', () => {
    const said = (runs[0] as Running).logs.map((l) => parsed(l).msg);
    assert.ok(said.some((m) => m.startsWith('DATABASE_URL unset')), said.join('\n'));
    assert.ok(said.some((m) => m.startsWith('TEMPORAL_ADDRESS unset')), said.join('\n'));
    assert.ok(said.some((m) => m.startsWith('REDIS_URL unset')), said.join('\n'));
    assert.ok(said.some((m) => m === 'unused visibility indexes dropped from the embedded Temporal server\'s file'), said.join('\n'));
  });

  it('decides a transaction through its workflow and keeps the decision in the embedded PostgreSQL', async () => {
    const { base } = runs[0] as Running;
    const decided = await fetch(`${base}/v1/decisions`, { method: 'POST', headers: auth, body: JSON.stringify(tx) });
    assert.equal(decided.status, 200);
    const body = await decided.json() as { decision: string; workflow_id: string };
    assert.match(body.decision, /^(APPROVE|REVIEW|DECLINE)$/);
    assert.equal(body.workflow_id, `tx-${tx['id'] as string}`);
    const stored = await fetch(`${base}/v1/decisions/${tx['id'] as string}`, { headers: auth });
    assert.equal(stored.status, 200);
    assert.equal((await stored.json() as { persisted: boolean }).persisted, true);
  });

  it('serves Temporal\'s web UI on 127.0.0.1, where the transaction\'s workflow is listed', async () => {
    const said = (runs[0] as Running).logs.map((l) => parsed(l).msg);
    const ui = `http://127.0.0.1:${EMBEDDED_TEMPORAL_UI_PORT}`;
    assert.ok(said.includes(`Temporal's web UI: ${ui} (every transaction's workflow history)`), said.join('\n'));
    const page = await fetch(`${ui}/namespaces/default/workflows`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    // What the UI's own pages ask its server for.
    const query = encodeURIComponent(`WorkflowId = "tx-${tx['id'] as string}"`);
    type Listing = { executions: { execution: { workflowId: string }; type: { name: string } }[] };
    // Listings are read from the visibility store, which the server writes just after the workflow.
    const { executions } = await waitFor(async () => {
      const listed = await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${query}`);
      assert.equal(listed.status, 200);
      const body = await listed.json() as Listing;
      return body.executions?.length ? body : null;
    }, 10_000, 'the workflow listed');
    assert.deepEqual(executions.map((e) => [e.execution.workflowId, e.type.name]), [[`tx-${tx['id'] as string}`, 'transactionWorkflow']]);
  });

  it('lets the CLI work on the embedded database while it runs, with DATABASE_URL unset as for the service', async () => {
    const listed = await fetch(`${(runs[0] as Running).base}/v1/lists`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'cli_check', kind: 'other' }) });
    assert.equal(listed.status, 201, 'an audited change for the command to find');
    const verified = fraudguard(['audit', 'verify'], embeddedEnv({ FRAUDGUARD_DATA_DIR: dataDir }));
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /audit log intact: [1-9]\d* entries/);
  });

  it('on SIGTERM (a container being stopped) answers the request under way, then stops everything and exits with 0', async () => {
    const run = runs[0] as Running;
    assert.deepEqual(await bulkAnsweredAcross(run, auth, () => run.child.kill('SIGTERM')), { status: 200, decided: 1000 });
    await assertStoppedCleanly(run);
  });

  it('started again on the same data directory, has the first run\'s decision and its workflow', async () => {
    const run = await startMain(dataDir, adminKey);
    runs.push(run);
    const stored = await fetch(`${run.base}/v1/decisions/${tx['id'] as string}`, { headers: auth });
    assert.equal(stored.status, 200);
    const connection = await Connection.connect({ address: `127.0.0.1:${EMBEDDED_TEMPORAL_PORT}` });
    try {
      const described = await new Client({ connection }).workflow.getHandle(`tx-${tx['id'] as string}`).describe();
      assert.equal(described.status.name, 'COMPLETED');
    } finally {
      await connection.close();
    }
  });

  it('on a terminal\'s Ctrl-C (SIGINT to its whole process group) answers the request under way, stops everything and exits with 0, without a warning', async () => {
    const run = runs[1] as Running;
    // The signal reaches every process of the group at once: an embedded service in it would stop
    // before the request under way had committed its decisions.
    assert.deepEqual(await bulkAnsweredAcross(run, auth, () => process.kill(-(run.child.pid as number), 'SIGINT')), { status: 200, decided: 1000 });
    await assertStoppedCleanly(run);
  });

  it('killed outright with its whole process group, says at the next start that its PostgreSQL is still running, and which process it is', async () => {
    const run = await startMain(dataDir, adminKey);
    runs.push(run);
    process.kill(-(run.child.pid as number), 'SIGKILL');
    await run.exited;
    // The embedded servers run in process groups of their own: nothing stopped them.
    const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Should it start after all, it is stopped with the others when the file ends.
    const refused = await startMain(dataDir, adminKey).then((started) => { runs.push(started); return 'it started'; }, (err: Error) => err.message);
    assert.match(refused, new RegExp(`The embedded PostgreSQL of .* is already running \\(pid ${pid}\\).*\`kill ${pid}\``));
    assert.doesNotMatch(refused, /\n\s+at /, 'an error the operator can act on, without a stack trace');
  });
});
