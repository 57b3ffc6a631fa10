import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

// Tests run through tsx, which strips types without checking them: a type error would otherwise reach
// main with every test green.
const ROOT = resolve(import.meta.dirname, '../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

async function tsc(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    await promisify(execFile)(process.execPath, [TSC, ...args], { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

describe('the TypeScript sources', () => {
  it('type-check under the project\'s strict settings (server, tests, bench)', async () => {
    const result = await tsc('--noEmit');
    assert.ok(result.ok, result.output);
  });

  it('type-check in the web application\'s own project (editor/)', async () => {
    const result = await tsc('-p', 'editor');
    assert.ok(result.ok, result.output);
  });
});
