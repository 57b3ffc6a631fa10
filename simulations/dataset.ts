import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { LabelledTransaction } from '../engine/features/replay.ts';
import { toTransaction, type transactionInputSchema } from '../engine/transaction.ts';
import type { z } from 'zod';

/**
 * Streams a directory shaped like ../shared/data — monthly `YYYY-MM.csv.gz` files with the ULB
 * handbook's columns — as parsed Transactions with their label, in file (= time) order.
 * TX_FRAUD_SCENARIO is label metadata and is never read. Amounts are taken as EUR, TX_DATETIME as UTC.
 */

export type { LabelledTransaction };

export interface DatasetFile { path: string; month: string; bytes: number }

export interface ReadDatasetOptions {
  /** Skip transactions before this time (epoch ms); files wholly before it are not opened. */
  fromMs?: number;
  /** Stop at the first transaction at or after this time (epoch ms). */
  toMs?: number;
  /** Compressed bytes read so far and in all the files to read: a progress measure known in advance. */
  onBytes?: (read: number, total: number) => void;
}

/** A file or row that does not have the handbook's shape: where, and what is wrong. */
export class DatasetInvalid extends Error {
  readonly code = 'DATASET_INVALID';
  constructor(readonly file: string, readonly line: number | null, readonly reason: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

const FILE = /^(\d{4}-\d{2})\.csv\.gz$/;
const COLUMNS = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD'] as const;
const INTEGER = /^\d{1,18}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const AMOUNT = /^\d{1,15}(?:\.\d{1,6})?$/;

/** `datasetFiles` for a request: the files, or why the server's data set cannot be replayed. */
export function usableDataset(dir: string): { ok: true; files: DatasetFile[] } | { ok: false; reason: string } {
  try {
    return { ok: true, files: datasetFiles(dir) };
  } catch (err) {
    if (err instanceof DatasetInvalid) return { ok: false, reason: `the server's data set is not usable: ${err.reason}` };
    throw err;
  }
}

/** The monthly files of `dir`, in time order; throws DatasetInvalid when there are none. */
export function datasetFiles(dir: string): DatasetFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new DatasetInvalid(dir, null, `cannot read the directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const files = names.filter((n) => FILE.test(n)).sort().map((n) => {
    const path = join(dir, n);
    return { path, month: (FILE.exec(n) as RegExpExecArray)[1] as string, bytes: statSync(path).size };
  });
  if (files.length === 0) throw new DatasetInvalid(dir, null, 'no monthly YYYY-MM.csv.gz file in it');
  return files;
}

const monthStart = (month: string): number => Date.parse(`${month}-01T00:00:00Z`);
const nextMonthStart = (month: string): number => {
  const d = new Date(monthStart(month));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** Whether a file's month overlaps [fromMs, toMs). */
const overlaps = (f: DatasetFile, fromMs: number, toMs: number) => nextMonthStart(f.month) > fromMs && monthStart(f.month) < toMs;

/** The UTC day of an instant, YYYY-MM-DD. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The days the files' months span (first day of the first, last day of the last), as YYYY-MM-DD. */
export function datasetSpan(files: readonly DatasetFile[]): { from: string; to: string } {
  return { from: isoDay(monthStart(files[0]?.month ?? '')), to: isoDay(nextMonthStart(files.at(-1)?.month ?? '') - 1) };
}

/**
 * Why a period [fromMs, toMs) cannot be replayed from these files — none of their months overlaps it —
 * naming the months they hold; undefined when some does. A replay of a period outside the data would
 * otherwise complete with no transaction and nothing to say why.
 */
export function periodOutside(files: readonly DatasetFile[], fromMs: number, toMs: number): string | undefined {
  if (files.some((f) => overlaps(f, fromMs, toMs))) return undefined;
  const span = datasetSpan(files);
  return `the data set holds ${span.from} … ${span.to} (${files.length} monthly files): ${isoDay(fromMs)} … ${isoDay(toMs - 1)} has no transaction in it`;
}

export async function* readDataset(dir: string, opts: ReadDatasetOptions = {}): AsyncGenerator<LabelledTransaction> {
  const { fromMs = -Infinity, toMs = Infinity, onBytes } = opts;
  const files = datasetFiles(dir).filter((f) => overlaps(f, fromMs, toMs));
  const total = files.reduce((n, f) => n + f.bytes, 0);
  let before = 0;
  for (const file of files) {
    const raw = createReadStream(file.path);
    let read = 0;
    raw.on('data', (chunk) => { read += chunk.length; onBytes?.(before + read, total); });
    const rows = raw.pipe(createGunzip()).on('error', (err) => rows.destroy(err)).pipe(parse({ relax_column_count: false }));
    let at: number[] | null = null;
    let line = 0;
    try {
      for await (const row of rows as AsyncIterable<string[]>) {
        line += 1;
        if (!at) { at = columnsOf(file.path, row); continue; }
        const item = parseRow(row, at, file.path, line);
        if (item.tx.occurredAtMs < fromMs) continue;
        if (item.tx.occurredAtMs >= toMs) return;
        yield item;
      }
    } catch (err) {
      if (err instanceof DatasetInvalid) throw err;
      throw new DatasetInvalid(file.path, line || null, (err as Error).message);
    } finally {
      raw.destroy();
    }
    before += file.bytes;
    onBytes?.(before, total);
  }
}

function columnsOf(file: string, header: string[]): number[] {
  return COLUMNS.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new DatasetInvalid(file, 1, `the header lacks ${c} (expected the handbook's columns: ${COLUMNS.join(', ')}, …)`);
    return i;
  });
}

type ParsedInput = z.output<typeof transactionInputSchema>;

// The data's own shape is checked here, at the edge; zod's API schema is not used because history
// holds what the API refuses today (33 zero-amount rows: card verifications), and a replay must see them.
function parseRow(row: string[], at: number[], file: string, line: number): LabelledTransaction {
  const [id, datetime, customer, terminal, amount, fraud] = at.map((i) => row[i] ?? '') as [string, string, string, string, string, string];
  const fail = (reason: string): never => { throw new DatasetInvalid(file, line, reason); };
  if (!INTEGER.test(id)) fail(`TRANSACTION_ID "${id}" is not an integer`);
  if (!DATETIME.test(datetime) || Number.isNaN(Date.parse(`${datetime.replace(' ', 'T')}Z`))) fail(`TX_DATETIME "${datetime}" is not YYYY-MM-DD HH:MM:SS`);
  if (!INTEGER.test(customer)) fail(`CUSTOMER_ID "${customer}" is not an integer`);
  if (!INTEGER.test(terminal)) fail(`TERMINAL_ID "${terminal}" is not an integer`);
  if (!AMOUNT.test(amount)) fail(`TX_AMOUNT "${amount}" is not a decimal amount`);
  if (fraud !== '0' && fraud !== '1') fail(`TX_FRAUD "${fraud}" is not 0 or 1`);
  const input: ParsedInput = {
    id, occurred_at: `${datetime.replace(' ', 'T')}Z`, amount, currency: 'EUR', customer_id: customer, terminal_id: terminal,
  };
  return { tx: toTransaction(input), fraud: fraud === '1' };
}
