import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** One measured figure, printed and written to JSON beside the baseline measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  baseline: { name: string; value: number };
  /** value / baseline.value */
  ratio: number;
  target?: string;
  met?: boolean;
}

export function figure(name: string, value: number, unit: string, baseline: { name: string; value: number }, target?: { text: string; met: boolean }): BenchFigure {
  return {
    name, value: round(value), unit, baseline: { name: baseline.name, value: round(baseline.value) },
    ratio: baseline.value === 0 ? Number.NaN : round(value / baseline.value),
    ...(target ? { target: target.text, met: target.met } : {}),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function printFigures(figures: BenchFigure[]): void {
  const rows = figures.map((f) => [f.name, `${f.value} ${f.unit}`, `${f.baseline.name}: ${f.baseline.value} ${f.unit}`, `×${f.ratio}`,
    f.target ? `${f.target} → ${f.met ? 'met' : 'NOT met'}` : '']);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

/** The q-quantile (0–1) of `xs` by nearest rank; NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : Number.NaN;
}

/** Runs a suite and prints its figures when its module is the one started (`npx tsx bench/x.ts`). */
export async function runAlone(moduleUrl: string, run: () => Promise<BenchFigure[]>): Promise<void> {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  printFigures(await run());
  process.exit(0);
}

/** The machine's idle share (0–1) over the next `ms`, all cores together. */
async function idleShare(ms: number): Promise<number> {
  const sample = () => cpus().reduce((acc, c) => {
    const t = c.times;
    return { idle: acc.idle + t.idle, all: acc.all + t.user + t.nice + t.sys + t.idle + t.irq };
  }, { idle: 0, all: 0 });
  const a = sample();
  await sleep(ms);
  const b = sample();
  return b.all === a.all ? 1 : (b.idle - a.idle) / (b.all - a.all);
}

/**
 * Waits until the machine is quiet before a measurement: a run right after a heavy one otherwise
 * shares the cores with what that one left behind (the Temporal server persisting and expiring a few
 * thousand workflows, Postgres flushing), which moved figures by a quarter on this 2-core machine.
 * Quiet means at least `idle` of all cores idle over two consecutive half-seconds; gives up after
 * `maxMs` and returns how long it waited, so a busy machine shows in the log instead of stalling the run.
 */
export async function settle(opts: { idle?: number; maxMs?: number } = {}): Promise<number> {
  const { idle = 0.8, maxMs = 20_000 } = opts;
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < maxMs) quiet = (await idleShare(500)) >= idle ? quiet + 1 : 0;
  return performance.now() - started;
}
