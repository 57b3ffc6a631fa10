import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unreachableByPostgresUser } from './embedded-postgres.ts';

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
