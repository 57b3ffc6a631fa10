import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** `npx fraudguard …` as an operator runs it from the checkout: its exit code, what it printed on each stream, and both together. */
export function fraudguard(args: string[], env: Record<string, string | undefined> = process.env): { code: number | null; stdout: string; stderr: string; out: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'cli/fraudguard.mjs'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}` };
}

/** This process's environment without the service settings, as on a machine running the embedded defaults. */
export function embeddedEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, TEMPORAL_ADDRESS: _temporal, ...rest } = process.env;
  return { ...rest, ...extra };
}
