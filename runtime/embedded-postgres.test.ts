import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningServerOf, unreachableByPostgresUser } from './embedded-postgres.ts';

describe('the embedded PostgreSQL\'s data directory, when FraudGuard runs as root', () => {
  it('is refused, naming the directory, when one above it is closed to other users (a checkout under /root)', () => {
    const home = mkdtempSync(join(tmpdir(), 'fg-home-')); // mode 700, like /root
    try {
      const checkout = join(home, 'fraudguard');
      mkdirSync(checkout);
      assert.equal(unreachableByPostgresUser(join(checkout, '.data/postgres'), 0), home);
      chmodSync(home, 0o755);
      assert.equal(unreachableByPostgresUser(join(checkout, '.data/postgres'), 0), null);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('is not checked for any other user: PostgreSQL then runs as that user', () => {
    assert.equal(unreachableByPostgresUser('/root/fraudguard/.data/postgres', 1000), null);
  });
});

describe('a PostgreSQL server already running on the embedded data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-pgdata-'));
  const pidFile = (pid: string) => writeFileSync(join(dir, 'postmaster.pid'), `${pid}\n${dir}\n1765000000\n54329\n`);

  it('is named by the pid in its postmaster.pid while that process lives', () => {
    pidFile(String(process.pid)); // a live process stands in for the server
    assert.equal(runningServerOf(dir), process.pid);
  });

  it('is not reported for a postmaster.pid left by a server that is gone, or for none', () => {
    pidFile('2147483646');
    assert.equal(runningServerOf(dir), null);
    rmSync(join(dir, 'postmaster.pid'));
    assert.equal(runningServerOf(dir), null);
    rmSync(dir, { recursive: true, force: true });
  });
});
