import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { holdMachineLock } from '../support/machine-lock.ts';

const LOCK_MODULE = resolve(import.meta.dirname, '../support/machine-lock.ts');

// npm test runs two files at a time; tests of what exists once per machine take turns through this lock.
describe('the test processes\' machine lock', () => {
  it('makes a second holder wait until the first releases it', async () => {
    const name = `spec-${process.pid}-wait`;
    const releaseFirst = await holdMachineLock(name);
    let secondHeld = false;
    const second = holdMachineLock(name).then((release) => { secondHeld = true; return release; });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(secondHeld, false, 'waits while the first holds it');
    await releaseFirst();
    await (await second)();
    assert.equal(secondHeld, true);
  });

  it('is free again when its holder dies without releasing it', async () => {
    const name = `spec-${process.pid}-dead`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e',
      `const { holdMachineLock } = await import(${JSON.stringify(LOCK_MODULE)}); await holdMachineLock(${JSON.stringify(name)}); console.log('held'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok) => holder.stdout.on('data', (d: Buffer) => { if (d.toString().includes('held')) ok(); }));
    await assert.rejects(holdMachineLock(name, { waitMs: 300 }), /still held after 0.3 s/, 'held while its holder lives');
    holder.kill('SIGKILL');
    const release = await holdMachineLock(name, { waitMs: 10_000 });
    await release();
  });
});
