import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The shared data set, read in the tests from ../shared/data relative to the repository. */
export const DATA_DIR = resolve(import.meta.dirname, '../../../shared/data');

export interface SliceRow { id: string; day: string; customer: string; amount: number; fraud: boolean }

/**
 * The rows of [fromDay, toDay] (inclusive, YYYY-MM-DD) read straight from the CSV with a plain split:
 * an independent reading, not the simulation's own (simulations/dataset.ts), to check its figures with.
 */
export function readSlice(fromDay: string, toDay: string): SliceRow[] {
  // Every month file from the first day's to the last day's, those in between included.
  const months: string[] = [];
  for (let m = new Date(`${fromDay.slice(0, 7)}-01T00:00:00Z`); m.toISOString().slice(0, 7) <= toDay.slice(0, 7); m.setUTCMonth(m.getUTCMonth() + 1)) {
    months.push(m.toISOString().slice(0, 7));
  }
  const rows: SliceRow[] = [];
  for (const month of months) {
    const lines = gunzipSync(readFileSync(resolve(DATA_DIR, `${month}.csv.gz`))).toString('utf8').split('\n');
    const header = (lines[0] as string).split(',');
    const at = (name: string) => header.indexOf(name);
    const [id, dt, customer, amount, fraud] = [at('TRANSACTION_ID'), at('TX_DATETIME'), at('CUSTOMER_ID'), at('TX_AMOUNT'), at('TX_FRAUD')];
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const cells = line.split(',');
      const day = (cells[dt] as string).slice(0, 10);
      if (day < fromDay || day > toDay) continue;
      rows.push({ id: cells[id] as string, day, customer: cells[customer] as string, amount: Number(cells[amount]), fraud: cells[fraud] === '1' });
    }
  }
  return rows;
}

/** A ruleset of one rule on the amount alone: its decisions follow from the CSV without any feature. */
export function amountRuleset(threshold: number, type: 'review' | 'decline', name = 'amount-only') {
  return {
    name,
    rules: [{ name: `Amount over ${threshold}`, priority: 1, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: threshold }] },
      event: { type, params: { code: 'AMOUNT_OVER', reason: `Amount above ${threshold}` } } }],
    policy: { precedence: ['DECLINE', 'REVIEW', 'APPROVE'] },
  };
}

/** rules/default.json, the seeded champion's document. */
export function defaultRuleset(): { name: string; rules: unknown[]; policy: unknown } {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../../rules/default.json'), 'utf8'));
}

/** What the figures must be for a one-rule ruleset flagging `flagged` rows, computed from the labels alone. */
export function expectedFigures(rows: SliceRow[], flagged: (r: SliceRow) => boolean) {
  const tp = rows.filter((r) => r.fraud && flagged(r));
  const fp = rows.filter((r) => !r.fraud && flagged(r));
  const fn = rows.filter((r) => r.fraud && !flagged(r));
  const frauds = rows.filter((r) => r.fraud).length;
  const precision = tp.length / (tp.length + fp.length);
  const recall = tp.length / (tp.length + fn.length);
  const sum = (xs: SliceRow[]) => Math.round(xs.reduce((s, r) => s + r.amount, 0) * 100) / 100;
  const days: Record<string, { transactions: number; frauds: number; flagged: number; caught: number }> = {};
  for (const r of rows) {
    const d = (days[r.day] ??= { transactions: 0, frauds: 0, flagged: 0, caught: 0 });
    d.transactions += 1;
    if (r.fraud) d.frauds += 1;
    if (flagged(r)) d.flagged += 1;
    if (r.fraud && flagged(r)) d.caught += 1;
  }
  return {
    transactions: rows.length, frauds, flagged: tp.length + fp.length, truePositives: tp.length, falsePositives: fp.length, falseNegatives: fn.length,
    precision, recall, f1: (2 * precision * recall) / (precision + recall), falsePositiveRate: fp.length / (rows.length - frauds),
    fraudAmountCaught: sum(tp), fraudAmountMissed: sum(fn), days,
  };
}
