// Simulations over the whole data set (../shared/data): the replay path's throughput with the compiled
// evaluator against json-rules-engine, in the same pass, and the wall time of a full simulation through
// the API (chunked workflow). `npx tsx bench/simulation.ts` runs it alone; `npm run bench simulation`.
// SIM_BENCH_TO=YYYY-MM-DD ends the range early (default: the whole data set); SIM_BENCH_JRE_EVERY=k
// evaluates json-rules-engine on every k-th transaction (default 10: it costs ~100× the compiled one).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { listOperators } from '../activities/ruleset-cache.ts';
import type { LoadedRuleset } from '../engine/decide-arm.ts';
import { decideArm } from '../engine/decide-arm.ts';
import type { Arm } from '../engine/deployment.ts';
import { buildFacts, type Facts } from '../engine/facts.ts';
import { replay } from '../engine/features/replay.ts';
import { loadRuleset, rulesOf } from '../engine/rules/load.ts';
import { createReferenceEvaluator } from '../engine/rules/reference.ts';
import { rulesetSchema } from '../engine/rules/ruleset.ts';
import { datasetFiles, readDataset } from '../simulations/dataset.ts';
import type { SimulationView } from '../simulations/views.ts';
import { startStack } from '../test/support/stack.ts';
import { waitFor } from '../test/support/wait.ts';
import { figure, runAlone, type BenchFigure } from './figure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = resolve(ROOT, '../shared/data');
const FROM = '2018-04-01';
const BATCH = 1_000;

const lastDay = (): string => {
  const files = datasetFiles(DATA);
  const month = (files[files.length - 1] as { month: string }).month;
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

interface ReplayFigures { rows: number; featureSeconds: number; compiledSeconds: number; jreRows: number; jreSeconds: number; disagreements: number; rules: number }

/**
 * One pass over the history: point-in-time features for every row (once), then the champion's ruleset
 * (rules/default.json) through decideArm with the compiled evaluator on every row and with
 * json-rules-engine on every k-th row, each timed over whole batches. Both must decide alike.
 */
async function replayPass(to: string, jreEvery: number): Promise<ReplayFigures> {
  const doc = rulesetSchema.parse(JSON.parse(readFileSync(resolve(ROOT, 'rules/default.json'), 'utf8')));
  const operators = listOperators({ has: () => false });
  const compiled = loadRuleset('default', doc, { operators, explain: false });
  const rules = rulesOf(doc);
  const reference = createReferenceEvaluator({ rules, conditions: doc.conditions ?? {} }, { operators });
  const jre: LoadedRuleset = { version: 'default', policy: doc.policy, evaluate: async (facts) => (await reference.evaluate(facts)).fired };
  const arm: Arm = { name: 'champion', rulesetVersion: 'default', modelVersions: [], shadow: false };

  const out: ReplayFigures = { rows: 0, featureSeconds: 0, compiledSeconds: 0, jreRows: 0, jreSeconds: 0, disagreements: 0, rules: rules.length };
  let batch: Facts[] = [];
  const evaluate = async () => {
    let t = performance.now();
    const decided = [];
    for (const facts of batch) decided.push(await decideArm(arm, compiled, facts, null));
    out.compiledSeconds += (performance.now() - t) / 1000;
    t = performance.now();
    const sampled = [];
    for (let i = 0; i < batch.length; i += jreEvery) sampled.push([i, await decideArm(arm, jre, batch[i] as Facts, null)] as const);
    out.jreSeconds += (performance.now() - t) / 1000;
    out.jreRows += sampled.length;
    for (const [i, d] of sampled) {
      const c = decided[i];
      if (c?.decision !== d.decision || c.firedRules.map((r) => r.name).join() !== d.firedRules.map((r) => r.name).join()) out.disagreements += 1;
    }
    batch = [];
  };
  const started = performance.now();
  let lastLog = started;
  for await (const row of replay(readDataset(DATA, { toMs: Date.parse(`${to}T00:00:00Z`) + 86_400_000 }))) {
    batch.push(buildFacts(row.tx, row.features, null));
    out.rows += 1;
    if (batch.length === BATCH) await evaluate();
    if (performance.now() - lastLog > 30_000) { lastLog = performance.now(); console.log(`replay: ${out.rows.toLocaleString('en')} rows, ${row.tx.occurred_at.slice(0, 10)}`); }
  }
  await evaluate();
  out.featureSeconds = (performance.now() - started) / 1000 - out.compiledSeconds - out.jreSeconds;
  return out;
}

/** A full simulation through the API: the champion's version as candidate beside the champion (its models too), default chunks. */
async function apiRun(to: string): Promise<{ seconds: number; transactions: number; chunks: number; chunkDays: number }> {
  const stack = await startStack({ LOG_LEVEL: 'silent', SIMULATION_DATA_DIR: DATA });
  try {
    const chunkDays = 7;
    const started = performance.now();
    const res = await stack.post('/v1/simulations', { from: FROM, to, candidate: { ruleset_version: 'default@1' }, chunk_days: chunkDays });
    if (res.status !== 202) throw new Error(`POST /v1/simulations: ${res.status} ${JSON.stringify(res.body)}`);
    let lastLog = 0;
    const sim = await waitFor(async () => {
      // The worker shares this process: a reply may be late or a kept-alive socket closed under load; ask again.
      const polled = await stack.get(`/v1/simulations/${res.body.id}`).catch(() => null);
      if (!polled) return null;
      // Typed as the API answers, so that a renamed field fails the type check rather than a bench run.
      const s = polled.body as SimulationView;
      if (s.status === 'completed') return s;
      if (s.status !== 'queued' && s.status !== 'running') throw new Error(`simulation ${s.status}: ${s.error}`);
      if (performance.now() - lastLog > 30_000) { lastLog = performance.now(); console.log(`api simulation: ${s.progress} %, ${s.rows_done.toLocaleString('en')} rows`); }
      return null;
    }, 3 * 3_600_000, 'the full simulation finished', 1_000);
    return { seconds: (performance.now() - started) / 1000, transactions: sim.result?.transactions ?? 0, chunks: sim.chunks_total, chunkDays };
  } finally {
    await stack.stop();
    await stack.dropSchema();
  }
}

export async function runSimulationBench(): Promise<BenchFigure[]> {
  const to = process.env['SIM_BENCH_TO'] ?? lastDay();
  const jreEvery = Number(process.env['SIM_BENCH_JRE_EVERY'] ?? 10);
  const figures: BenchFigure[] = [];
  let inProcessSeconds = Number.NaN;
  if (process.env['SIM_BENCH_SKIP_REPLAY'] !== '1') {
    const r = await replayPass(to, jreEvery);
    inProcessSeconds = r.featureSeconds + r.compiledSeconds;
    const compiledPerRow = r.compiledSeconds / r.rows;
    const jrePerRow = r.jreSeconds / Math.max(1, r.jreRows);
    console.log(`replay ${FROM} … ${to}: ${r.rows.toLocaleString('en')} rows, features ${r.featureSeconds.toFixed(1)} s, compiled rules ${r.compiledSeconds.toFixed(1)} s, `
      + `json-rules-engine ${r.jreSeconds.toFixed(1)} s on ${r.jreRows.toLocaleString('en')} rows; ${r.disagreements} disagreements`);
    // A speed figure for an evaluator that decides differently would be meaningless: the suite fails.
    if (r.disagreements > 0) throw new Error(`the compiled evaluator and json-rules-engine decided ${r.disagreements} sampled rows differently`);
    const replayRate = (perRow: number) => r.rows / (r.featureSeconds + perRow * r.rows);
    figures.push(
      figure(`replay throughput, whole data set (${r.rows} tx, ${r.rules} rules), compiled rules`, replayRate(compiledPerRow), 'tx/s',
        { name: `same replay with json-rules-engine (sampled 1 in ${jreEvery})`, value: replayRate(jrePerRow) }),
      figure('rule evaluation on replayed facts (decideArm), compiled', 1 / compiledPerRow, 'decisions/s', { name: 'json-rules-engine', value: 1 / jrePerRow }),
    );
  }
  if (process.env['SIM_BENCH_SKIP_API'] !== '1') {
    const a = await apiRun(to);
    console.log(`API simulation ${FROM} … ${to}: ${a.transactions.toLocaleString('en')} transactions, ${a.chunks} chunks of ${a.chunkDays} days, ${a.seconds.toFixed(1)} s`);
    figures.push(figure(`full simulation through the API (${a.transactions} tx, ${a.chunks} chunks of ${a.chunkDays} d, champion with its models on both sides)`, a.seconds, 's',
      { name: 'in-process replay of the same rows (features + compiled champion rules, one side, no models)', value: inProcessSeconds }));
  }
  return figures;
}

await runAlone(import.meta.url, runSimulationBench);
