#!/usr/bin/env node
// `npm test`: one Temporal dev server for the whole run (tests that need Temporal read
// FRAUDGUARD_TEST_TEMPORAL), then node's test runner over every *.test.ts, two files at a time
// (TEST_CONCURRENCY): each file has its own schema, key prefix and task queue, and most of a file's time
// is spent waiting on Temporal, Postgres or a browser, so two at once take about two thirds of the time
// of one by one on two cores. Tests of what exists once per machine (the embedded services' ports) take
// a lock (test/support/machine-lock.ts).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const root = resolve(import.meta.dirname, '..');
const setup = spawnSync(process.execPath, [join(root, 'scripts/setup.mjs'), '--quiet', '--test'], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);

const SKIP = new Set(['node_modules', '.git', '.data', 'editor', 'ml', 'dist']);
function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) && dir === root) continue;
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}
const filters = process.argv.slice(2);
let files = findTests(root).sort();
// Browser tests live beside the editor; include them explicitly.
files.push(...findTests(join(root, 'editor')).filter((f) => !f.includes('node_modules')));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (!process.env.FRAUDGUARD_INCLUDE_SLOW) files = files.filter((f) => !f.includes('.slow.'));

const tools = JSON.parse(readFileSync(join(root, '.data/tools.json'), 'utf8'));
// The server the product itself starts (runtime/temporal-dev-server.ts: its settings included), loaded through tsx.
register();
const { startTemporalDevServer, freePort } = await import('../runtime/temporal-dev-server.ts');
const temporal = await startTemporalDevServer({ executable: tools.temporal ?? 'temporal', port: await freePort() });

const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY || 2}`, '--test-reporter=spec', ...files], {
  cwd: root, stdio: 'inherit', env: { ...process.env, FRAUDGUARD_TEST_TEMPORAL: temporal.address },
});
const code = await new Promise((ok) => child.on('exit', (c, s) => ok(c ?? (s ? 1 : 0))));
await temporal.stop();
process.exit(code);
