import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fraudguard } from '../test/support/cli.ts';
import { benchArguments } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-bench-'));
after(() => rmSync(dir, { recursive: true, force: true }));


describe('fraudguard bench', () => {
  it('runs every suite into bench/results/latest.json unless told which, and where', () => {
    const all = benchArguments([]);
    assert.ok(!('error' in all));
    assert.equal(all.jsonFile, 'bench/results/latest.json');
    assert.deepEqual(all.suites.map((s) => s.name), ['decisions', 'rules', 'features', 'scoring', 'model-decisions', 'cases', 'simulation']);
    const some = benchArguments(['scoring', '--json', 'out.json', 'rules']);
    assert.ok(!('error' in some));
    assert.deepEqual([some.suites.map((s) => s.name), some.jsonFile], [['rules', 'scoring'], 'out.json']);
  });

  it('refuses what it does not know, saying what', () => {
    assert.deepEqual(benchArguments(['--jsn', 'x']), { error: 'unknown option --jsn' });
    assert.deepEqual(benchArguments(['--json']), { error: '--json needs a file name' });
    assert.deepEqual(benchArguments(['--json', '--other']), { error: '--json needs a file name' });
    const misspelt = benchArguments(['decsions']);
    assert.ok('error' in misspelt && /unknown suite "decsions"; the suites are decisions, rules/.test(misspelt.error));

    const run = fraudguard(['bench', 'decsions']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /unknown suite "decsions"/);
    assert.match(run.stderr, /Usage: fraudguard bench \[--json FILE\]/);
  });

  it('writes one JSON entry per figure: name, value, unit, baseline name and value, ratio, target and met', () => {
    const file = join(dir, 'rules.json');
    const run = fraudguard(['bench', 'rules', '--json', file], { ...process.env, BENCH_RULES_TRANSACTIONS: '200', BENCH_RULES_ROUNDS: '2' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /wrote 4 figures to /);
    const figures = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    assert.equal(figures.length, 4);
    for (const f of figures) {
      assert.equal(typeof f['name'], 'string');
      assert.equal(f['unit'], 'µs/tx');
      const value = f['value'] as number;
      const baseline = f['baseline'] as { name: string; value: number };
      assert.ok(value > 0 && baseline.value > 0, JSON.stringify(f));
      assert.match(baseline.name, /json-rules-engine Engine\.run/);
      assert.ok(Math.abs((f['ratio'] as number) - value / baseline.value) < 0.002, JSON.stringify(f));
    }
    const targeted = figures.filter((f) => 'target' in f);
    assert.equal(targeted.length, 2, 'the "fired events" figures carry the ≥100× target');
    for (const f of targeted) {
      assert.equal(f['target'], '≥100× faster (ratio ≤ 0.01)');
      const speedup = (f['baseline'] as { value: number }).value / (f['value'] as number);
      assert.equal(typeof f['met'], 'boolean');
      // Computed before rounding: only a speed-up clearly on one side is checked against the flag.
      if (Math.abs(speedup - 100) > 1) assert.equal(f['met'], speedup >= 100, JSON.stringify(f));
    }
  });

  it('runs the simulation suite through the API, on a short range when told', () => {
    const file = join(dir, 'simulation.json');
    const run = fraudguard(['bench', 'simulation', '--json', file], { ...process.env, SIM_BENCH_TO: '2018-04-03' });
    assert.equal(run.code, 0, run.out);
    const figures = JSON.parse(readFileSync(file, 'utf8')) as { name: string; value: number; unit: string }[];
    const api = figures.find((f) => f.name.startsWith('full simulation through the API'));
    assert.ok(api && api.unit === 's' && api.value > 0, JSON.stringify(figures));
    assert.match(api.name, /\((?!0 tx)\d+ tx, 1 chunks of 7 d/, 'it counted the range\'s transactions');
  });
});
