import type { ArmDecision, Outcome } from '../engine/decision.ts';

/**
 * One side's (candidate or baseline) counts, as plain data: accumulated one transaction at a time
 * (constant memory over millions of rows), stored per chunk, and merged by addition — so chunks can
 * run on any worker, in any order, and a re-run chunk replaces its own counts without double counting.
 * "Flagged" = REVIEW or DECLINE: what catch rate and workload are measured on.
 */
export interface SideCounts {
  transactions: number;
  decisions: Record<Outcome, number>;
  labelled: number;
  frauds: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  fraudAmountCaught: number;
  fraudAmountMissed: number;
  rules: Record<string, { hits: number; frauds: number; labelled: number }>;
  daily: Record<string, { transactions: number; decline: number; review: number; frauds: number; caught: number }>;
}

export interface SideFigures extends Omit<SideCounts, 'rules'> {
  rates: Record<Outcome, number>;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  falsePositiveRate: number | null;
  /** REVIEW decisions: the cases analysts would have worked. */
  reviewWorkload: number;
  rules: Record<string, { hits: number; frauds: number; precision: number | null }>;
}

export function emptyCounts(): SideCounts {
  return {
    transactions: 0, decisions: { APPROVE: 0, REVIEW: 0, DECLINE: 0 }, labelled: 0, frauds: 0,
    truePositives: 0, falsePositives: 0, falseNegatives: 0, fraudAmountCaught: 0, fraudAmountMissed: 0, rules: {}, daily: {},
  };
}

export interface CountedRow {
  /** YYYY-MM-DD of the transaction. */
  day: string;
  amount: number;
  /** The label when known; null when unlabelled. */
  fraud: boolean | null;
  decision: ArmDecision;
}

export function count(c: SideCounts, row: CountedRow): void {
  const d = row.decision.decision;
  const flagged = d !== 'APPROVE';
  c.transactions += 1;
  c.decisions[d] += 1;
  const day = (c.daily[row.day] ??= { transactions: 0, decline: 0, review: 0, frauds: 0, caught: 0 });
  day.transactions += 1;
  if (d === 'DECLINE') day.decline += 1;
  if (d === 'REVIEW') day.review += 1;
  for (const rule of row.decision.firedRules) {
    const r = (c.rules[rule.name] ??= { hits: 0, frauds: 0, labelled: 0 });
    r.hits += 1;
    if (row.fraud !== null) { r.labelled += 1; if (row.fraud) r.frauds += 1; }
  }
  if (row.fraud === null) return;
  c.labelled += 1;
  if (row.fraud) {
    c.frauds += 1;
    day.frauds += 1;
    if (flagged) { c.truePositives += 1; c.fraudAmountCaught += row.amount; day.caught += 1; } else { c.falseNegatives += 1; c.fraudAmountMissed += row.amount; }
  } else if (flagged) {
    c.falsePositives += 1;
  }
}

/** a + b, as new counts. */
export function merge(a: SideCounts, b: SideCounts): SideCounts {
  const out = emptyCounts();
  for (const src of [a, b]) {
    out.transactions += src.transactions;
    for (const o of ['APPROVE', 'REVIEW', 'DECLINE'] as const) out.decisions[o] += src.decisions[o];
    out.labelled += src.labelled; out.frauds += src.frauds;
    out.truePositives += src.truePositives; out.falsePositives += src.falsePositives; out.falseNegatives += src.falseNegatives;
    out.fraudAmountCaught += src.fraudAmountCaught; out.fraudAmountMissed += src.fraudAmountMissed;
    for (const [name, r] of Object.entries(src.rules)) {
      const t = (out.rules[name] ??= { hits: 0, frauds: 0, labelled: 0 });
      t.hits += r.hits; t.frauds += r.frauds; t.labelled += r.labelled;
    }
    for (const [day, d] of Object.entries(src.daily)) {
      const t = (out.daily[day] ??= { transactions: 0, decline: 0, review: 0, frauds: 0, caught: 0 });
      t.transactions += d.transactions; t.decline += d.decline; t.review += d.review; t.frauds += d.frauds; t.caught += d.caught;
    }
  }
  return out;
}

export function figuresOf(c: SideCounts): SideFigures {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  const precision = ratio(c.truePositives, c.truePositives + c.falsePositives);
  const recall = ratio(c.truePositives, c.truePositives + c.falseNegatives);
  return {
    ...c,
    fraudAmountCaught: round2(c.fraudAmountCaught),
    fraudAmountMissed: round2(c.fraudAmountMissed),
    rates: {
      APPROVE: ratio(c.decisions.APPROVE, c.transactions) ?? 0,
      REVIEW: ratio(c.decisions.REVIEW, c.transactions) ?? 0,
      DECLINE: ratio(c.decisions.DECLINE, c.transactions) ?? 0,
    },
    precision, recall,
    f1: precision === null || recall === null || precision + recall === 0 ? null : (2 * precision * recall) / (precision + recall),
    falsePositiveRate: ratio(c.falsePositives, c.labelled - c.frauds),
    reviewWorkload: c.decisions.REVIEW,
    rules: Object.fromEntries(Object.entries(c.rules).sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => [name, { hits: r.hits, frauds: r.frauds, precision: ratio(r.frauds, r.labelled) }])),
    daily: Object.fromEntries(Object.entries(c.daily).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
