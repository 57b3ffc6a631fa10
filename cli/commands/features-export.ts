import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { DatasetInvalid } from '../../simulations/dataset.ts';
import { ExportInvalid, exportFeatures, parseRange, type ExportProgress } from '../../simulations/export-features.ts';
import { ReplayOutOfOrder } from '../../engine/features/replay.ts';
import { USAGE as COMMAND_USAGE } from '../usage.ts';

const USAGE = COMMAND_USAGE['features export'];

/**
 * `fraudguard features export`: the point-in-time feature matrix of DIR's transactions in [--from, --to]
 * (dates are whole UTC days, --to included), history before --from replayed to warm the windows.
 * Exit 0 written, 1 the data or the output failed, 2 usage.
 */
export async function run(argv: string[]): Promise<number> {
  let values: { data?: string; from?: string; to?: string; out?: string };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
      data: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' },
    } }));
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${USAGE}`);
    return 2;
  }
  const missing = (['data', 'from', 'to', 'out'] as const).filter((k) => !values[k]);
  if (missing.length) {
    console.error(`missing ${missing.map((m) => `--${m}`).join(', ')}\nUsage: ${USAGE}`);
    return 2;
  }
  const { data, from, to, out } = values as Required<typeof values>;
  try {
    parseRange(from, to);
    if (!out.toLowerCase().endsWith('.csv')) throw new ExportInvalid('--out', `${out}: only CSV is written; name the file *.csv`);
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${USAGE}`);
    return 2;
  }

  const bar = new SingleBar({
    format: 'features export |{bar}| {percentage}% · {rows} rows ({written} written) · {rate} rows/s · ETA {eta_formatted}',
    hideCursor: true, etaBuffer: 50, fps: 5, noTTYOutput: false, stream: process.stderr,
  });
  const started = performance.now();
  let begun = false;
  const onProgress = (p: ExportProgress) => {
    const payload = { rows: p.read.toLocaleString('en'), written: p.written.toLocaleString('en'), rate: Math.round(p.read / Math.max(0.001, (performance.now() - started) / 1000)).toLocaleString('en') };
    if (!begun) { bar.start(Math.max(1, p.bytesTotal), 0, payload); begun = true; }
    bar.update(p.bytesRead, payload);
  };
  try {
    const s = await exportFeatures({ dataDir: data, from, to, out, onProgress });
    bar.stop();
    console.log(`wrote ${s.written.toLocaleString('en')} rows (${s.frauds.toLocaleString('en')} frauds) × ${s.columns.length} columns to ${s.out}; replayed ${s.read.toLocaleString('en')} transactions in ${s.seconds.toFixed(1)} s (${Math.round(s.read / s.seconds).toLocaleString('en')}/s)`);
    if (s.written === 0) console.error(`warning: no transaction of ${data} falls in ${from} … ${to}`);
    return 0;
  } catch (err) {
    bar.stop();
    if (err instanceof ExportInvalid) { console.error(`${err.message}\nUsage: ${USAGE}`); return 2; }
    if (err instanceof DatasetInvalid || err instanceof ReplayOutOfOrder) { console.error(err.message); return 1; }
    console.error(`features export failed: ${(err as Error).message}`);
    return 1;
  }
}
