import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { run } from '../../cli/commands/features-export.ts';
import { DEFAULT_FEATURES, featureNames } from '../../engine/features/definitions.ts';
import { replay, type LabelledTransaction } from '../../engine/features/replay.ts';
import { readDataset } from '../../simulations/dataset.ts';
import { exportFeatures } from '../../simulations/export-features.ts';

const DATA = new URL('../../../shared/data', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fg-export-'));
const data = join(dir, 'data');

/** A small data set shaped like ../shared/data: the first rows of April and of May. */
function cut(month: string, rows: number): string[] {
  const lines = gunzipSync(readFileSync(join(DATA, `${month}.csv.gz`))).toString('utf8').split('\n');
  return lines.slice(0, rows + 1);
}

before(() => {
  writeFixture(join(data, '2018-04.csv.gz'), cut('2018-04', 3000));
  writeFixture(join(data, '2018-05.csv.gz'), cut('2018-05', 2000));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function writeFixture(path: string, lines: string[]): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
}

const parseCsv = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));

describe('dataset reader', () => {
  it('yields parsed transactions with their label, in time order, and never the fraud scenario', async () => {
    const seen: LabelledTransaction[] = [];
    for await (const r of readDataset(data)) seen.push(r);
    assert.equal(seen.length, 5000);
    const first = seen[0];
    assert.equal(first?.tx.id, '0');
    assert.equal(first?.tx.occurred_at, '2018-04-01T00:00:31Z');
    assert.equal(first?.tx.merchant_id, '3156');
    assert.equal(first?.tx.customer_id, '596');
    assert.equal(first?.tx.currency, 'EUR');
    assert.equal(first?.tx.amountValue, 57.16);
    assert.equal(first?.fraud, false);
    assert.ok(seen.every((r, i) => i === 0 || r.tx.occurredAtMs >= (seen[i - 1]?.tx.occurredAtMs ?? 0)));
    assert.ok(!('TX_FRAUD_SCENARIO' in (first?.tx ?? {})));
  });

  it('says which file and line is malformed', async () => {
    const bad = join(dir, 'bad');
    writeFixture(join(bad, '2018-04.csv.gz'), [
      'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO',
      '0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0',
      '1,2018-04-01,4961,3412,81.51,130,0,0,0',
    ]);
    await assert.rejects(async () => { for await (const _ of readDataset(bad)) void _; }, (err: Error & { code?: string }) => err.code === 'DATASET_INVALID' && /2018-04\.csv\.gz:3: TX_DATETIME/.test(err.message));
    await assert.rejects(async () => { for await (const _ of readDataset(join(dir, 'none'))) void _; }, { code: 'DATASET_INVALID' });
  });
});

describe('features export', () => {
  it('writes the range\'s transactions with every feature by name and the label, the history before it warming the windows', async () => {
    const out = join(dir, 'out', 'may.csv');
    const summary = await exportFeatures({ dataDir: data, from: '2018-05-01', to: '2018-05-01', out });
    const [header, ...rows] = parseCsv(out);
    assert.deepEqual(header, ['TRANSACTION_ID', ...featureNames(DEFAULT_FEATURES), 'TX_FRAUD']);
    assert.equal(rows.length, 2000);
    assert.equal(summary.written, 2000);
    assert.equal(summary.read, 5000);

    const expected = new Map<string, string[]>();
    for await (const r of replay(readDataset(data))) {
      expected.set(r.tx.id, [r.tx.id, ...featureNames(DEFAULT_FEATURES).map((n) => (r.features[n] === null ? '' : String(r.features[n]))), r.fraud ? '1' : '0']);
    }
    for (const row of rows) assert.deepEqual(row, expected.get(row[0] as string));
    const warmed = rows.filter((r) => Number(r[header?.indexOf('customer.tx_count_30d') ?? -1]) > 0).length;
    assert.ok(warmed > 1000, 'April\'s history is in May\'s windows');
  });

  it('runs from the command line, and refuses bad arguments with exit code 2', async () => {
    const out = join(dir, 'cli.csv');
    assert.equal(await run(['--data', data, '--from', '2018-04-01', '--to', '2018-04-30', '--out', out]), 0);
    assert.equal(parseCsv(out).length, 3001);
    assert.equal(await run(['--data', data, '--from', '2018-04-31', '--to', '2018-05-01', '--out', out]), 2);
    assert.equal(await run(['--data', data, '--from', '2018-05-01', '--to', '2018-04-01', '--out', out]), 2);
    assert.equal(await run(['--data', data, '--from', '2018-04-01', '--to', '2018-04-02', '--out', join(dir, 'x.parquet')]), 2);
    assert.equal(await run(['--data', data, '--from', '2018-04-01']), 2);
    assert.equal(await run(['--data', join(dir, 'none'), '--from', '2018-04-01', '--to', '2018-04-02', '--out', out]), 1);
  });
});
