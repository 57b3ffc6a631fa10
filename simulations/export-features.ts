import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_FEATURES, featureNames, type FeatureDefinition } from '../engine/features/definitions.ts';
import { replay } from '../engine/features/replay.ts';
import { readDataset } from './dataset.ts';

/**
 * The training matrix: every transaction of [from, to] with its point-in-time features, computed by
 * the same code that serves them online (no training/serving skew). The history before `from` is
 * replayed to warm the windows but not written. CSV: TRANSACTION_ID, every feature by name, TX_FRAUD;
 * a missing feature (null) is an empty cell.
 */

export interface ExportProgress {
  /** Transactions replayed (history included) and written. */
  read: number;
  written: number;
  /** Compressed bytes of the data files read so far, and in all the files the range needs. */
  bytesRead: number;
  bytesTotal: number;
}

export interface ExportOptions {
  dataDir: string;
  /** YYYY-MM-DD (from the start of that UTC day) or an ISO-8601 date-time. */
  from: string;
  /** YYYY-MM-DD (through the end of that UTC day) or an ISO-8601 date-time (excluded). */
  to: string;
  /** The CSV file to write (its folder is created); written whole or not at all. */
  out: string;
  definitions?: readonly FeatureDefinition[];
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportSummary {
  read: number;
  written: number;
  frauds: number;
  columns: string[];
  seconds: number;
  out: string;
}

/** Options that cannot be acted on: which one and why. */
export class ExportInvalid extends Error {
  readonly code = 'EXPORT_INVALID';
  constructor(readonly option: string, readonly reason: string) {
    super(`${option}: ${reason}`);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** [fromMs, toMs): a date covers its whole UTC day, a date-time is an instant. */
export function parseRange(from: string, to: string): { fromMs: number; toMs: number } {
  const at = (option: string, text: string, endOfDay: boolean): number => {
    const day = DATE.test(text);
    const ms = day ? Date.parse(`${text}T00:00:00Z`) : DATETIME.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(ms) || (day && new Date(ms).toISOString().slice(0, 10) !== text)) {
      throw new ExportInvalid(option, `"${text}" is not a date (YYYY-MM-DD) or an ISO-8601 date-time with a zone (2018-08-14T12:00:00Z)`);
    }
    return day && endOfDay ? ms + 86_400_000 : ms;
  };
  const fromMs = at('--from', from, false);
  const toMs = at('--to', to, true);
  if (toMs <= fromMs) throw new ExportInvalid('--to', `${to} is not after --from ${from}`);
  return { fromMs, toMs };
}

export async function exportFeatures(opts: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  const { fromMs, toMs } = parseRange(opts.from, opts.to);
  if (!opts.out.toLowerCase().endsWith('.csv')) throw new ExportInvalid('--out', `${opts.out}: only CSV is written; name the file *.csv`);
  const definitions = opts.definitions ?? DEFAULT_FEATURES;
  const names = featureNames(definitions);
  const columns = ['TRANSACTION_ID', ...names, 'TX_FRAUD'];
  const progress: ExportProgress = { read: 0, written: 0, bytesRead: 0, bytesTotal: 0 };
  let frauds = 0;

  await mkdir(dirname(opts.out), { recursive: true });
  const partial = `${opts.out}.partial`;
  const file = createWriteStream(partial);
  const write = async (text: string) => { if (!file.write(text)) await once(file, 'drain'); };
  try {
    await write(`${columns.join(',')}\n`);
    const history = readDataset(opts.dataDir, {
      toMs,
      onBytes: (read, total) => { progress.bytesRead = read; progress.bytesTotal = total; opts.onProgress?.(progress); },
    });
    let lines: string[] = [];
    for await (const row of replay(history, { definitions })) {
      progress.read += 1;
      if (row.tx.occurredAtMs < fromMs) continue;
      let line = row.tx.id;
      for (const name of names) {
        const v = row.features[name];
        line += v === null || v === undefined ? ',' : `,${v}`;
      }
      lines.push(`${line},${row.fraud ? 1 : 0}`);
      if (row.fraud) frauds += 1;
      progress.written += 1;
      if (lines.length === 2000) { await write(`${lines.join('\n')}\n`); lines = []; }
    }
    if (lines.length) await write(`${lines.join('\n')}\n`);
    file.end();
    await once(file, 'close');
    await rename(partial, opts.out);
  } catch (err) {
    file.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  opts.onProgress?.(progress);
  return { read: progress.read, written: progress.written, frauds, columns, seconds: (performance.now() - started) / 1000, out: opts.out };
}
