import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdMachineLock } from '../support/machine-lock.ts';

// npm test runs two files at a time; tests of what exists once per machine take turns through this lock.
describe('the test processes\' machine lock', () => {
  it('makes a second holder wait until the first releases it', async () => {
    const name = `spec-${process.pid}-wait`;
    const releaseFirst = await holdMachineLock(name);
    let secondHeld = false;
    const second = holdMachineLock(name).then((release) => { secondHeld = true; return release; });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(secondHeld, false, 'waits while the first holds it');
    releaseFirst();
    (await second)();
    assert.equal(secondHeld, true);
  });

  it('takes over a lock whose holder died without releasing it', async () => {
    const name = `spec-${process.pid}-dead`;
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const dir = join(tmpdir(), `fraudguard-test-${name}.lock`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'pid'), gone.stdout);
    const release = await holdMachineLock(name, { waitMs: 5_000 });
    release();
  });

  it('gives up after its wait with the holder named', async () => {
    const name = `spec-${process.pid}-busy`;
    const release = await holdMachineLock(name);
    try {
      await assert.rejects(holdMachineLock(name, { waitMs: 300 }), new RegExp(`still held by process ${process.pid}`));
    } finally {
      release();
    }
  });
});
