import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Held by tests that start the embedded services or need their ports free. */
export const EMBEDDED_SERVICES_LOCK = 'embedded-services';

/**
 * Holds a lock shared by every test process on this machine, for tests of what exists once per machine
 * (the embedded services' fixed ports): `npm test` runs two files at a time, and two `npm start`s would
 * fight over ports 54329 and 7233. A directory is the lock (mkdir is atomic); a holder that died without
 * releasing it (its pid gone) loses it. Resolves to the release.
 */
export async function holdMachineLock(name: string, { waitMs = 15 * 60_000 } = {}): Promise<() => void> {
  const dir = join(tmpdir(), `fraudguard-test-${name}.lock`);
  const owner = join(dir, 'pid');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      const release = () => { rmSync(dir, { recursive: true, force: true }); process.off('exit', release); };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(owner);
    const abandoned = holder === null ? ageMs(dir) > 10_000 : !alive(holder);
    if (abandoned) { rmSync(dir, { recursive: true, force: true }); continue; }
    if (Date.now() > deadline) throw new Error(`${dir} is still held by process ${holder ?? '(starting)'} after ${waitMs / 1000} s`);
    await sleep(250);
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // just created: its holder is writing its pid
  }
}

function ageMs(path: string): number {
  try { return Date.now() - statSync(path).mtimeMs; } catch { return 0; }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
