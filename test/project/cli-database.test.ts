import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMBEDDED_POSTGRES_PORT } from '../../runtime/embedded-postgres.ts';
import { portOpen } from '../../runtime/temporal-dev-server.ts';
import { embeddedEnv, fraudguard } from '../support/cli.ts';
import { EMBEDDED_SERVICES_LOCK, holdMachineLock } from '../support/machine-lock.ts';

const MODELS = resolve(import.meta.dirname, '../../models');
const register = ['models', 'register', join(MODELS, 'gbdt-20180731-95f3e7dd.onnx'), '--meta', join(MODELS, 'gbdt-20180731-95f3e7dd.json')];

// The commands that work on the database take the one the service uses: DATABASE_URL, or the embedded
// PostgreSQL `npm start` runs without it (test/project/npm-start.test.ts runs one against it).
describe('the CLI\'s database with DATABASE_URL unset', () => {
  const dirs: string[] = [];
  const dataDir = (withEmbedded: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-cli-db-'));
    dirs.push(dir);
    if (withEmbedded) mkdirSync(join(dir, 'postgres'));
    return dir;
  };
  // The embedded PostgreSQL's port must be free for the second case: no `npm start` test beside it.
  let release = async () => {};
  before(async () => { release = await holdMachineLock(EMBEDDED_SERVICES_LOCK); });
  after(async () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); await release(); });

  it('says there is none when npm start has not created its embedded one here', () => {
    for (const args of [register, ['audit', 'verify']]) {
      const r = fraudguard(args, embeddedEnv({ FRAUDGUARD_DATA_DIR: dataDir(false) }));
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /no database: DATABASE_URL is not set \(pass --database-url\) and `npm start` has not created its embedded one here/);
    }
  });

  it('says the embedded one runs while npm start does when it is not running', async (t) => {
    if (await portOpen(EMBEDDED_POSTGRES_PORT)) { t.skip(`something listens on ${EMBEDDED_POSTGRES_PORT}`); return; }
    for (const args of [register, ['audit', 'verify']]) {
      const r = fraudguard(args, embeddedEnv({ FRAUDGUARD_DATA_DIR: dataDir(true) }));
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /cannot use the database at postgres:\/\/fraudguard:\*\*\*@127\.0\.0\.1:54329\/fraudguard: .*\(the embedded PostgreSQL runs while `npm start` does: start it, or set DATABASE_URL\)/);
    }
  });
});
