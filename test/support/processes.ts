import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type TestStack } from './stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChildService {
  child: ChildProcess;
  /** Every line it printed on stdout and stderr, in order. */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** Variables of this process's environment not to pass on (the settings whose absence a test is about). */
  unset?: readonly string[];
  /** Make it the leader of a process group of its own, as a shell runs a command (signal the group with -pid). */
  ownProcessGroup?: boolean;
  timeoutMs?: number;
  /** The checkout to run main.ts from (its working directory too): this one unless given. */
  root?: string;
}

/**
 * Runs `main.ts` in its own process (a real worker or API that a test can SIGKILL), and resolves
 * once a log line matching `ready` appears.
 */
export async function spawnMain(env: Record<string, string>, ready: RegExp, opts: SpawnOptions = {}): Promise<ChildService> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env };
  for (const name of opts.unset ?? []) delete childEnv[name];
  const root = opts.root ?? ROOT;
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'main.ts')], {
    cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false,
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`child not ready in ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    const onLine = (buf: Buffer) => {
      for (const line of buf.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        if (ready.test(line)) { clearTimeout(timer); ok(); }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    void exited.then(({ code }) => { clearTimeout(timer); fail(new Error(`child exited (${code}) before ready:\n${logs.join('\n')}`)); });
  });
  return {
    child, logs, exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * A worker in its own process serving `stack`'s schema, Redis prefix and Temporal task queue (the
 * stack itself runs another role), with `env` on top (case SLAs, webhooks): resolves once it has started.
 */
export function spawnWorker(stack: TestStack, env: Record<string, string> = {}): Promise<ChildService> {
  return spawnMain({
    FRAUDGUARD_ROLE: 'worker', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: stack.schema, REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `${stack.schema}:`, TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS as string, TEMPORAL_TASK_QUEUE: stack.taskQueue,
    ...env,
  }, /worker started/);
}
