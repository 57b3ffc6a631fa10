import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dynamicConfigArgs } from './temporal-dynamic-config.ts';
import { dropUnusedVisibilityIndexes, type IndexDropResult } from './temporal-visibility-indexes.ts';
import { StartupError } from './startup-error.ts';

export interface DevServer {
  address: string;
  /** The server process's id (the bench reads its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
  /** Ends the server as a crash would (SIGKILL), for fault tests. */
  kill(): Promise<void>;
  /** With a SQLite file: what became of its unused visibility indexes (temporal-visibility-indexes.ts). */
  visibilityIndexes?: IndexDropResult;
}

/** Where `npm start` runs its dev server when TEMPORAL_ADDRESS is unset: the CLI's default port, so `temporal` commands find it. */
export const EMBEDDED_TEMPORAL_PORT = 7233;
/** And its web UI: the CLI's default, the gRPC port plus 1000. */
export const EMBEDDED_TEMPORAL_UI_PORT = 8233;

export interface DevServerOptions {
  executable: string;
  port: number;
  /** SQLite file: keeps workflow history across restarts. Omit for an in-memory server (tests). */
  dbFile?: string;
  namespace?: string;
  /** Serve Temporal's web UI on this port of 127.0.0.1; without it the server is headless (tests, benches). */
  uiPort?: number;
  onLog?: (line: string) => void;
  /** Let the process exit while the server runs (a test file's own server, stopped on exit). */
  unref?: boolean;
  /**
   * Run it in a process group of its own, so that a terminal's Ctrl-C, which goes to the whole
   * foreground group, reaches only its owner, which stops it after its worker has drained (`npm start`:
   * main.ts stops everything on SIGINT, SIGTERM and SIGHUP). Else it stops at once with its owner's group.
   */
  ownProcessGroup?: boolean;
}

/**
 * The dev server's SQLite file runs in rollback-journal mode with a full sync by default: every history
 * write waits for two fsyncs, which held an empty workflow to 36 workflows/s on the development machine.
 * With a write-ahead log synced at checkpoints (WAL, synchronous=NORMAL) it runs at 90/s, as fast as
 * in memory. A killed server keeps every committed write (the log is replayed when it reopens); a
 * power cut can lose the last writes before a checkpoint, which a production cluster's database does
 * not (deploy/temporal).
 */
const SQLITE_PRAGMA_ARGS: readonly string[] = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

/** Starts Temporal's own CLI dev server (`temporal server start-dev`) and waits until it accepts connections. */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  if (await portOpen(opts.port)) {
    throw new StartupError(`Port ${opts.port} is already in use: stop what listens there, or set TEMPORAL_ADDRESS to use a running Temporal server.`);
  }
  if (opts.uiPort !== undefined && await portOpen(opts.uiPort)) {
    throw new StartupError(`Port ${opts.uiPort} (Temporal's web UI) is already in use: stop what listens there, or set TEMPORAL_UI_PORT to another port, or to off.`);
  }
  // The UI is served by the CLI itself (no flag newer CLIs alone know: one already on PATH may be older).
  const ui = opts.uiPort === undefined ? ['--headless'] : ['--ui-port', String(opts.uiPort)];
  const args = ['server', 'start-dev', ...ui, '--ip', '127.0.0.1', '--port', String(opts.port),
    '--namespace', opts.namespace ?? 'default', '--log-level', 'warn', ...dynamicConfigArgs(),
  ];
  // An existing file is slimmed before the server opens it; a new one once the server has created its schema.
  let visibilityIndexes: IndexDropResult | undefined;
  const newFile = opts.dbFile !== undefined && !existsSync(opts.dbFile);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    if (!newFile) visibilityIndexes = await dropUnusedVisibilityIndexes(opts.dbFile);
    args.push('--db-filename', opts.dbFile, ...SQLITE_PRAGMA_ARGS);
  }
  const child: ChildProcess = spawn(opts.executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false });
  const output: string[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
      opts.onLog?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  if (opts.unref) {
    child.unref();
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }
  let exited = false;
  // Whatever way this process ends (a crash included), the server it started ends with it.
  const orphanGuard = () => { if (!exited) child.kill('SIGKILL'); };
  process.once('exit', orphanGuard);
  child.once('exit', () => { exited = true; process.removeListener('exit', orphanGuard); });

  const deadline = Date.now() + 60_000;
  const ports = opts.uiPort === undefined ? [opts.port] : [opts.port, opts.uiPort];
  for (const port of ports) {
    while (!(await portOpen(port))) {
      if (exited) throw new Error(`Temporal dev server exited at start:\n${output.join('\n')}`);
      if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`Temporal dev server did not listen on ${port} within 60 s:\n${output.join('\n')}`); }
      await sleep(100);
    }
  }
  if (opts.dbFile && newFile) visibilityIndexes = await dropUnusedVisibilityIndexes(opts.dbFile);
  // Sends the signal and waits for the exit; a server that ignores SIGTERM for 10 s is killed.
  const end = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    if (exited) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = signal === 'SIGTERM' ? setTimeout(() => child.kill('SIGKILL'), 10_000) : undefined;
    await done;
    clearTimeout(timer);
  };
  return {
    address: `127.0.0.1:${opts.port}`,
    pid: child.pid,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    ...(visibilityIndexes ? { visibilityIndexes } : {}),
  };
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on loopback (for tests that run their own servers). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
