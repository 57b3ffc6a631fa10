import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { portOpen } from '../../runtime/temporal-dev-server.ts';
import { aTransaction } from '../support/stack.ts';

// The README's first command on a machine with none of the services configured: `npm start` runs
// main.ts, which starts an embedded PostgreSQL, a Temporal dev server and the in-process feature store.
const ROOT = resolve(import.meta.dirname, '../..');
const EMBEDDED_POSTGRES_PORT = 54329;
const EMBEDDED_TEMPORAL_PORT = 7233;

interface LogLine { level: number; msg: string; port?: number }

/** Kills the processes whose command line names `text` (Linux's /proc; nothing elsewhere). */
function killProcessesMentioning(text: string): void {
  if (!existsSync('/proc')) return;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone meanwhile, or not ours to read */ }
  }
}

describe('npm start on embedded defaults (no DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-npm-start-'));
  // Run as root, PostgreSQL runs as the user "postgres", who must be able to enter it (mkdtemp makes it 700).
  chmodSync(dataDir, 0o755);
  const adminKey = `fgk_start_${randomBytes(18).toString('base64url')}`;
  // Everything it printed, in order: its own JSON log lines, and others (the Temporal SDK's core logs
  // as text) given the level their text names.
  const lines: LogLine[] = [];
  let child: ChildProcess;
  let base = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

  before(async () => {
    for (const port of [EMBEDDED_POSTGRES_PORT, EMBEDDED_TEMPORAL_PORT]) {
      assert.equal(await portOpen(port), false, `port ${port} is taken (a running \`npm start\`?): the embedded services need it`);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', FRAUDGUARD_DATA_DIR: dataDir, FRAUDGUARD_ADMIN_API_KEY: adminKey };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS', 'DATABASE_SCHEMA', 'METRICS_PORT']) delete env[name];
    child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
    const listening = new Promise<number>((ok, fail) => {
      const onText = (chunk: Buffer) => {
        for (const text of chunk.toString().split('\n').filter(Boolean)) {
          try {
            const line = JSON.parse(text) as LogLine;
            lines.push(line);
            if (line.msg.startsWith('FraudGuard API listening') && line.port) ok(line.port);
          } catch {
            lines.push({ level: /\bERROR\b/.test(text) ? 50 : /\bWARN\b/.test(text) ? 40 : 30, msg: text });
          }
        }
      };
      child.stdout?.on('data', onText);
      child.stderr?.on('data', onText);
      void exited.then(({ code }) => fail(new Error(`main.ts exited (${code}) before listening:\n${lines.map((l) => l.msg).join('\n')}`)));
    });
    base = `http://127.0.0.1:${await listening}`;
  });

  after(async () => {
    // Should a test have failed with the process still up: stop it as a user would, and kill it only
    // if that does not work, then whatever it left running on this data directory (the embedded
    // PostgreSQL and Temporal server would otherwise keep their ports, and the next run could not start).
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    killProcessesMentioning(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says which embedded service it starts for each setting left unset', () => {
    const said = lines.map((l) => l.msg);
    assert.ok(said.some((m) => m.startsWith('DATABASE_URL unset')), said.join('\n'));
    assert.ok(said.some((m) => m.startsWith('TEMPORAL_ADDRESS unset')), said.join('\n'));
    assert.ok(said.some((m) => m.startsWith('REDIS_URL unset')), said.join('\n'));
  });

  it('decides a transaction through its workflow and keeps the decision in the embedded PostgreSQL', async () => {
    const tx = aTransaction();
    const decided = await fetch(`${base}/v1/decisions`, { method: 'POST', headers: auth, body: JSON.stringify(tx) });
    assert.equal(decided.status, 200);
    const body = await decided.json() as { decision: string; workflow_id: string };
    assert.match(body.decision, /^(APPROVE|REVIEW|DECLINE)$/);
    assert.equal(body.workflow_id, `tx-${tx['id'] as string}`);
    const stored = await fetch(`${base}/v1/decisions/${tx['id'] as string}`, { headers: auth });
    assert.equal(stored.status, 200);
    assert.equal((await stored.json() as { persisted: boolean }).persisted, true);
  });

  it('on SIGTERM answers the request under way, then stops everything it started and exits with 0', async () => {
    // A bulk request takes long enough to be under way when the signal comes.
    const transactions = Array.from({ length: 1000 }, () => aTransaction());
    const reply = fetch(`${base}/v1/decisions/bulk`, { method: 'POST', headers: auth, body: JSON.stringify({ transactions }) });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const answered = await reply;
    assert.equal(answered.status, 200);
    assert.equal((await answered.json() as { decided: number }).decided, 1000);

    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, lines.map((l) => l.msg).join('\n'));
    for (const port of [EMBEDDED_POSTGRES_PORT, EMBEDDED_TEMPORAL_PORT]) assert.equal(await portOpen(port), false, `port ${port} still open after exit`);
    const stopping = lines.findIndex((l) => l.msg === 'stopping');
    assert.ok(stopping >= 0, 'says it is stopping');
    const complaints = lines.slice(stopping).filter((l) => l.level >= 40).map((l) => l.msg);
    assert.deepEqual(complaints, [], 'a clean stop logs no warning or error');
  });
});
