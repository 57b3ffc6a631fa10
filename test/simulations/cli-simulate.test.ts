import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fraudguard } from '../support/cli.ts';
import { amountRuleset } from './fixtures.ts';

const cli = (args: string[]) => fraudguard(['simulate', ...args], { ...process.env, DATABASE_URL: '' });

describe('fraudguard simulate', () => {
  let dir: string;
  // A data directory of our own, shaped like ../shared/data: two monthly files, 30 transactions.
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-sim-'));
    const header = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO';
    const month = (m: string, first: number) => [header, ...Array.from({ length: 15 }, (_, i) => {
      const n = first + i;
      return `${n},2031-${m}-${String(1 + i).padStart(2, '0')} 12:00:00,${n % 4},${n % 3},${n % 5 === 0 ? '500.00' : '20.00'},0,0,${n % 10 === 0 ? 1 : 0},0`;
    })].join('\n');
    writeFileSync(join(dir, '2031-01.csv.gz'), gzipSync(month('01', 0)));
    writeFileSync(join(dir, '2031-02.csv.gz'), gzipSync(month('02', 15)));
    writeFileSync(join(dir, 'candidate.json'), JSON.stringify(amountRuleset(220, 'decline')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replays any directory shaped like the data set and writes the figures and every decision', () => {
    const out = join(dir, 'out.json');
    const decisions = join(dir, 'decisions.ndjson');
    const run = cli(['--data', dir, '--from', '2031-01-05', '--to', '2031-02-10', '--candidate', join(dir, 'candidate.json'), '--json', out, '--decisions', decisions]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /candidate/);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    // 2031-01-05 … 01-15 (11 rows, ids 4–14) and 02-01 … 02-10 (10 rows, ids 15–24); the four days before warm the windows.
    assert.equal(result.figures.transactions, 21);
    const ids = Array.from({ length: 21 }, (_, i) => i + 4);
    const large = ids.filter((n) => n % 5 === 0);
    assert.equal(result.figures.candidate.decisions.DECLINE, large.length);
    assert.equal(result.figures.candidate.frauds, ids.filter((n) => n % 10 === 0).length);
    assert.equal(result.figures.candidate.true_positives, ids.filter((n) => n % 10 === 0).length, 'every fraud here is a large amount');
    assert.ok(result.features.length > 0, 'the feature definitions used are recorded');
    const lines = readFileSync(decisions, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 21);
    assert.deepEqual(lines.filter((l) => l.candidate.decision === 'DECLINE').map((l) => Number(l.transaction_id)), large);
  });

  it('exits 2 with the usage on a wrong command line, 1 on a directory without data', () => {
    const missing = cli(['--from', '2031-01-01', '--to', '2031-01-02']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --data/);
    assert.match(missing.stderr, /Usage: fraudguard simulate/);
    assert.equal(cli(['--data', dir, '--from', '2031-01-09', '--to', '2031-01-02']).code, 2);
    assert.equal(cli(['--data', dir, '--from', '2031-01-01', '--to', '2031-01-02', '--candidate', 'nothing-like-this']).code, 2);
    const later = cli(['--data', dir, '--from', '2031-03-01', '--to', '2031-03-31']);
    assert.equal(later.code, 2);
    assert.match(later.stderr, /--from\/--to: the data set holds 2031-01-01 … 2031-02-28 \(2 monthly files\): 2031-03-01 … 2031-03-31 has no transaction in it/);
    const empty = mkdtempSync(join(tmpdir(), 'fg-empty-'));
    try {
      const run = cli(['--data', empty, '--from', '2031-01-01', '--to', '2031-01-02']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /no monthly YYYY-MM\.csv\.gz/);
    } finally { rmSync(empty, { recursive: true, force: true }); }
  });
});
