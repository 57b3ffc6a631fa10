import type { ArmDecision } from '../engine/decision.ts';
import { decideArm, type LoadedRuleset } from '../engine/decide-arm.ts';
import type { Arm } from '../engine/deployment.ts';
import { buildFacts } from '../engine/facts.ts';
import type { FxRates } from '../engine/fx-rates.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import { modelInput, type ArmScores, type ModelWeights } from '../engine/scoring.ts';
import type { Transaction } from '../engine/transaction.ts';
import { count, emptyCounts, type SideCounts } from './metrics.ts';

/** A transaction of the history with its point-in-time features (from the replay) and its label. */
export interface FeaturedRow {
  tx: Transaction;
  features: FeatureVector;
  fraud: boolean | null;
}

/** One arm with its loaded ruleset. */
export interface ArmRuleset {
  arm: Arm;
  ruleset: LoadedRuleset;
}

/**
 * What a side of the comparison runs: an arm's ruleset and models; for a deployment (champion and
 * challengers), `route` picks each transaction's acting arm as production would (engine/routing.ts),
 * and `arm` / `ruleset` are its champion's.
 */
export interface SimulationSide extends ArmRuleset {
  route?: (tx: Transaction) => ArmRuleset;
}

export interface ChangedDecision {
  transactionId: string;
  occurredAt: string;
  amount: string;
  fraud: boolean | null;
  candidate: { decision: ArmDecision['decision']; score: number | null; reasons: string[] };
  baseline: { decision: ArmDecision['decision']; score: number | null; reasons: string[] };
}

/** The counts of one run (or one chunk of a run): merged by addition, turned into figures by figuresOf. */
export interface SimulationCounts {
  candidate: SideCounts;
  baseline: SideCounts;
  changed: { total: number; sample: ChangedDecision[] };
  transactions: number;
}

/** What a replay needs of a scorer: many rows at once, one ONNX run per model (simulations/model-scorer.ts). */
export interface BatchScorer {
  scoreBatch(modelVersions: string[], vectors: FeatureVector[], weights?: ModelWeights): Promise<ArmScores[]>;
}

export interface SimulateOptions {
  rows: AsyncIterable<FeaturedRow>;
  candidate: SimulationSide;
  baseline: SimulationSide;
  scorer: BatchScorer;
  /** The conversion rates production decides with (amount_base), so both agree. */
  fxRates?: FxRates | undefined;
  /** Keep at most this many changed decisions in the result (the total is always counted). */
  changedSampleLimit?: number;
  /** Rows scored together: one ONNX run per batch instead of one per row. */
  batchSize?: number;
  onRow?: (row: FeaturedRow, candidate: ArmDecision, baseline: ArmDecision) => void | Promise<void>;
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/**
 * Replays featured history through two sides with the production code path (buildFacts → decideArm
 * → policy): what a simulation says is what production would have decided.
 */
export async function simulate(opts: SimulateOptions): Promise<SimulationCounts> {
  const candidate = emptyCounts();
  const baseline = emptyCounts();
  const changed: ChangedDecision[] = [];
  let changedTotal = 0;
  let done = 0;
  const limit = opts.changedSampleLimit ?? 1_000;
  const batchSize = opts.batchSize ?? 512;
  let batch: FeaturedRow[] = [];
  // A candidate that changes only rules has the baseline's models: score once for both sides.
  const sameModels = !opts.candidate.route && !opts.baseline.route && modelsKey(opts.candidate.arm) === modelsKey(opts.baseline.arm);

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const candArms = armsOf(opts.candidate, rows);
    const baseArms = armsOf(opts.baseline, rows);
    const candScores = await scoreArms(opts.scorer, candArms, rows);
    const baseScores = sameModels ? candScores : await scoreArms(opts.scorer, baseArms, rows);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as FeaturedRow;
      const cs = candScores[i] ?? null;
      const bs = baseScores[i] ?? null;
      const ca = candArms[i] as ArmRuleset;
      const ba = baseArms[i] as ArmRuleset;
      const c = await decideArm(ca.arm, ca.ruleset, buildFacts(row.tx, row.features, cs, { fxRates: opts.fxRates }), cs);
      const b = await decideArm(ba.arm, ba.ruleset, buildFacts(row.tx, row.features, bs, { fxRates: opts.fxRates }), bs);
      const day = row.tx.occurred_at.slice(0, 10);
      count(candidate, { day, amount: row.tx.amountValue, fraud: row.fraud, decision: c });
      count(baseline, { day, amount: row.tx.amountValue, fraud: row.fraud, decision: b });
      if (c.decision !== b.decision) {
        changedTotal += 1;
        if (changed.length < limit) {
          changed.push({
            transactionId: row.tx.id, occurredAt: row.tx.occurred_at, amount: row.tx.amount, fraud: row.fraud,
            candidate: { decision: c.decision, score: c.score, reasons: c.reasons.map((r) => r.message) },
            baseline: { decision: b.decision, score: b.score, reasons: b.reasons.map((r) => r.message) },
          });
        }
      }
      await opts.onRow?.(row, c, b);
    }
    done += rows.length;
    opts.onProgress?.(done);
  };

  for await (const row of opts.rows) {
    if (opts.signal?.aborted) throw new Error('simulation cancelled');
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { candidate, baseline, changed: { total: changedTotal, sample: changed }, transactions: done };
}

const modelsKey = (arm: Arm) => JSON.stringify([arm.modelVersions, arm.modelWeights ?? null]);

function armsOf(side: SimulationSide, rows: FeaturedRow[]): ArmRuleset[] {
  const route = side.route;
  return route ? rows.map((r) => route(r.tx)) : rows.map(() => side);
}

/** Each row scored by its own arm's models: rows grouped by models, one batch per group. */
async function scoreArms(scorer: BatchScorer, arms: ArmRuleset[], rows: FeaturedRow[]): Promise<(ArmScores | null)[]> {
  const groups = new Map<string, { arm: Arm; at: number[] }>();
  arms.forEach((a, i) => {
    const key = modelsKey(a.arm);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { arm: a.arm, at: [] });
    g.at.push(i);
  });
  if (groups.size === 1) return scoreRows(scorer, (arms[0] as ArmRuleset).arm, rows);
  const out: (ArmScores | null)[] = new Array<ArmScores | null>(rows.length).fill(null);
  for (const { arm, at } of groups.values()) {
    const scores = await scoreRows(scorer, arm, at.map((i) => rows[i] as FeaturedRow));
    at.forEach((i, k) => { out[i] = scores[k] ?? null; });
  }
  return out;
}

/** The arm's models on each row's model input (its features and its amount), combined as the arm says: as a decision does. */
async function scoreRows(scorer: BatchScorer, arm: Arm, rows: FeaturedRow[]): Promise<(ArmScores | null)[]> {
  const versions = arm.modelVersions;
  if (versions.length === 0) return rows.map(() => null);
  return scorer.scoreBatch(versions, rows.map((r) => modelInput(r.tx.amountValue, r.features)), arm.modelWeights);
}
