// Scoring cost in onnxruntime-node: one row, and batches of 100 and 1,000 rows (bulk requests,
// simulations), each beside the single-row ORT run measured in the same process; and the in-process
// decision core (facts → default ruleset → policy) with the scores, for comparison.
// Run alone: `npx tsx bench/scoring.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { SESSION_OPTIONS } from '../activities/model-metadata.ts';
import { createOnnxScorer, modelsInDirectory } from '../activities/onnx-scorer.ts';
import { decideArm } from '../engine/decide-arm.ts';
import { armSchema } from '../engine/deployment.ts';
import { buildFacts } from '../engine/facts.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import { loadRuleset } from '../engine/rules/load.ts';
import { rulesetSchema } from '../engine/rules/ruleset.ts';
import { parseTransaction } from '../engine/transaction.ts';
import { figure, runAlone, type BenchFigure } from './figure.ts';

const MODELS = fileURLToPath(new URL('../models/', import.meta.url));
const RULESET = fileURLToPath(new URL('../rules/default.json', import.meta.url));

interface Fixture { version: string; featureNames: string[]; rows: (number | null)[][] }

/** The committed model of a role (models/<version>.json) and its parity fixture's rows. */
function committed(role: string): { version: string; fixture: Fixture } {
  for (const f of readdirSync(MODELS).filter((n) => n.endsWith('.json') && !n.endsWith('.trees.json'))) {
    const meta = JSON.parse(readFileSync(MODELS + f, 'utf8')) as { version?: string; role?: string; onnx?: unknown };
    if (meta.role === role && meta.onnx && meta.version) {
      return { version: meta.version, fixture: JSON.parse(readFileSync(`${MODELS}parity/${meta.version}.json`, 'utf8')) as Fixture };
    }
  }
  throw new Error(`no committed ${role} model in ${MODELS}`);
}

/** Median over `rounds` of the mean time of `iterations` calls, in µs. */
async function timeUs(iterations: number, rounds: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.max(20, iterations / 10); i++) await fn();
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    means.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  means.sort((a, b) => a - b);
  return means[Math.floor(means.length / 2)] as number;
}

export async function runScoringBench(): Promise<BenchFigure[]> {
  const gbdt = committed('gbdt');
  const anomaly = committed('anomaly');
  const names = gbdt.fixture.featureNames;
  const width = names.length;
  const vectors: FeatureVector[] = Array.from({ length: 1000 }, (_, i) => {
    const row = gbdt.fixture.rows[i % gbdt.fixture.rows.length] as (number | null)[];
    return Object.fromEntries(names.map((n, j) => [n, row[j] ?? null]));
  });

  // Baseline: the bare ORT run of the GBDT on one row (tensor built once).
  const session = await InferenceSession.create(readFileSync(`${MODELS}${gbdt.version}.onnx`), SESSION_OPTIONS);
  const one = new Tensor('float32', Float32Array.from(names.map((n) => vectors[0]?.[n] ?? Number.NaN)), [1, width]);
  const ortSingle = await timeUs(2000, 7, () => session.run({ input: one }));
  const base = { name: 'bare ORT run, GBDT, 1 row', value: ortSingle };

  const both = [gbdt.version, anomaly.version];
  const scorer = createOnnxScorer({ load: modelsInDirectory(MODELS) });
  const noReasons = createOnnxScorer({ load: modelsInDirectory(MODELS), topReasons: 0 });
  const figures: BenchFigure[] = [figure('bare ORT run, GBDT, 1 row', ortSingle, 'µs', base)];
  figures.push(figure('scorer.score, GBDT, 1 row, with reason codes', await timeUs(2000, 7, () => scorer.score([gbdt.version], vectors[0] as FeatureVector)), 'µs', base));
  figures.push(figure('scorer.score, GBDT + anomaly, 1 row, with reason codes', await timeUs(1000, 7, () => scorer.score(both, vectors[0] as FeatureVector)), 'µs', base));
  for (const n of [100, 1000]) {
    const rows = vectors.slice(0, n);
    const x = new Float32Array(n * width);
    rows.forEach((v, r) => names.forEach((name, j) => { x[r * width + j] = v[name] ?? Number.NaN; }));
    const batchTensor = new Tensor('float32', x, [n, width]);
    const iters = n === 100 ? 200 : 30;
    figures.push(figure(`bare ORT run, GBDT, batch of ${n}: per row`, (await timeUs(iters, 7, () => session.run({ input: batchTensor }))) / n, 'µs', base));
    figures.push(figure(`scorer.scoreBatch, GBDT, batch of ${n}, with reason codes: per row`, (await timeUs(iters, 7, () => scorer.scoreBatch([gbdt.version], rows))) / n, 'µs', base));
    figures.push(figure(`scorer.scoreBatch, GBDT + anomaly, batch of ${n}, no reason codes: per row`, (await timeUs(iters, 7, () => noReasons.scoreBatch(both, rows))) / n, 'µs', base));
    figures.push(figure(`scorer.scoreBatch, GBDT + anomaly, batch of ${n}, with reason codes: per row`, (await timeUs(Math.max(5, iters / 5), 5, () => scorer.scoreBatch(both, rows))) / n, 'µs', base));
  }

  // The whole in-process decision for one row: scores + facts + the default ruleset + policy.
  const ruleset = loadRuleset('default@bench', rulesetSchema.parse(JSON.parse(readFileSync(RULESET, 'utf8'))), { operators: { inList: () => false, notInList: () => true }, explain: true });
  const arm = armSchema.parse({ name: 'champion', rulesetVersion: 'default@bench', modelVersions: both });
  const parsed = parseTransaction({ id: 'bench-1', occurred_at: '2018-08-09T14:00:00Z', amount: '57.16', currency: 'EUR', customer_id: 'c1', merchant_id: 'm1' });
  if (!parsed.ok) throw new Error('bench transaction does not parse');
  const tx = parsed.value;
  const features = { ...(vectors[0] as FeatureVector), amount: tx.amountValue };
  figures.push(figure('decision core, 1 row: score (GBDT + anomaly, reasons) + facts + default rules + policy', await timeUs(1000, 7, async () => {
    const scores = await scorer.score(both, features);
    return decideArm(arm, ruleset, buildFacts(tx, features, scores), scores);
  }), 'µs', base));

  await Promise.all([scorer.release(), noReasons.release(), session.release()]);
  return figures;
}

await runAlone(import.meta.url, runScoringBench);
