import type { SideFigures } from '../simulations/metrics.ts';

/** Candidate and baseline figures side by side, as the terminal shows them. */
export function figuresTable(candidate: SideFigures, baseline: SideFigures, labels: { candidate: string; baseline: string }): string {
  const pct = (x: number | null, digits = 2) => (x === null ? '–' : `${(x * 100).toFixed(digits)} %`);
  const num = (x: number) => x.toLocaleString('en');
  const money = (x: number) => x.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const rows: [string, (s: SideFigures) => string][] = [
    ['transactions', (s) => num(s.transactions)],
    ['approve', (s) => `${num(s.decisions.APPROVE)} (${pct(s.rates.APPROVE)})`],
    ['review', (s) => `${num(s.decisions.REVIEW)} (${pct(s.rates.REVIEW)})`],
    ['decline', (s) => `${num(s.decisions.DECLINE)} (${pct(s.rates.DECLINE)})`],
    ['labelled / frauds', (s) => `${num(s.labelled)} / ${num(s.frauds)}`],
    ['precision', (s) => pct(s.precision)],
    ['recall', (s) => pct(s.recall)],
    ['F1', (s) => (s.f1 === null ? '–' : s.f1.toFixed(4))],
    ['false-positive rate', (s) => pct(s.falsePositiveRate, 3)],
    ['fraud amount caught', (s) => money(s.fraudAmountCaught)],
    ['fraud amount missed', (s) => money(s.fraudAmountMissed)],
    ['review workload', (s) => num(s.reviewWorkload)],
  ];
  const ruleNames = [...new Set([...Object.keys(candidate.rules), ...Object.keys(baseline.rules)])].sort();
  const rule = (s: SideFigures, name: string) => {
    const r = s.rules[name];
    return r ? `${num(r.hits)} ${r.hits === 1 ? 'hit' : 'hits'}, precision ${pct(r.precision, 1)}` : '–';
  };
  for (const name of ruleNames) rows.push([`rule: ${name}`, (s) => rule(s, name)]);
  const table = [['', labels.candidate, labels.baseline], ...rows.map(([label, f]) => [label, f(candidate), f(baseline)])];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => (r[c] as string).length)));
  return table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[c] as number))).join('   ')).join('\n');
}
