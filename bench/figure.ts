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
