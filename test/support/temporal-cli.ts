import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { toolPath } from '../../runtime/tools.ts';
import { testTemporalAddress } from './stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Temporal's own CLI against the tests' server (or the one at `address`), as an operator would run it.
 * Asynchronously: the worker under test runs in this process, and a command it must answer (a query)
 * would wait on a blocked loop.
 */
export async function temporalCli(args: string[], address?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  address ??= await testTemporalAddress();
  return new Promise((done) => {
    execFile(toolPath(ROOT, 'temporal') ?? 'temporal', [...args, '--address', address], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      done({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr: stderr || (err?.message ?? '') });
    });
  });
}
