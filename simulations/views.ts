import type { SimulationResultFigures, SimulationSummary } from '../activities/pg/simulation-repository.ts';
import type { SideFigures } from './metrics.ts';
import type { ChangedDecision } from './simulate.ts';

// A simulation as the API and the CLI's --json give it: snake_case, as every other answer of the API
// and the simulation request itself (`chunk_days`, `ruleset_version`). Rule names and days stay keys as
// they are: they are data, not field names.

export function sideFiguresView(s: SideFigures) {
  return {
    transactions: s.transactions, decisions: s.decisions, rates: s.rates, labelled: s.labelled, frauds: s.frauds,
    true_positives: s.truePositives, false_positives: s.falsePositives, false_negatives: s.falseNegatives,
    precision: s.precision, recall: s.recall, f1: s.f1, false_positive_rate: s.falsePositiveRate,
    fraud_amount_caught: s.fraudAmountCaught, fraud_amount_missed: s.fraudAmountMissed, review_workload: s.reviewWorkload,
    rules: s.rules, daily: s.daily,
  };
}

export function figuresView(f: SimulationResultFigures) {
  return {
    transactions: f.transactions, changed_decisions: f.changedDecisions,
    candidate: sideFiguresView(f.candidate), baseline: sideFiguresView(f.baseline),
  };
}

const sideView = (s: SimulationSummary['candidate']) => ({ label: s.label, ruleset_version: s.rulesetVersion, model_versions: s.modelVersions });

export function simulationView(s: SimulationSummary & { result?: SimulationResultFigures | null }) {
  return {
    id: s.id, status: s.status, from: s.from, to: s.to, progress: s.progress,
    candidate: sideView(s.candidate), baseline: sideView(s.baseline),
    chunks_total: s.chunksTotal, chunks_done: s.chunksDone, rows_done: s.rowsDone, error: s.error,
    created_by: s.createdBy, created_at: s.createdAt, started_at: s.startedAt, finished_at: s.finishedAt,
    ...(s.result === undefined ? {} : { result: s.result && figuresView(s.result) }),
  };
}

export function changeView(c: ChangedDecision) {
  return { transaction_id: c.transactionId, occurred_at: c.occurredAt, amount: c.amount, fraud: c.fraud, candidate: c.candidate, baseline: c.baseline };
}

export type SimulationView = ReturnType<typeof simulationView>;
export type SideFiguresView = ReturnType<typeof sideFiguresView>;
export type FiguresView = ReturnType<typeof figuresView>;
export type ChangeView = ReturnType<typeof changeView>;
