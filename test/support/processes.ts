import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type TestStack } from './stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChildService {
  child: ChildProcess;
  logs: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `main.ts` in its own process (a real worker or API that a test can SIGKILL), and resolves
 * once a log line matching `ready` appears.
 */
export async function spawnMain(env: Record<string, string>, ready: RegExp, timeoutMs = 60_000): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'main.ts')], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
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
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`child exited (${code}) before ready:\n${logs.join('\n')}`)); });
  });
  return {
    child, logs,
    kill: (signal = 'SIGTERM') => new Promise<void>((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) { ok(); return; }
      child.once('exit', () => ok());
      child.kill(signal);
    }),
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
