import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { createRulesetReader } from '../../activities/pg/ruleset-repository.ts';
import { createRuleCaches, listOperators } from '../../activities/ruleset-cache.ts';
import { modelDirectoryIndex, type ModelLoader } from '../../activities/onnx-scorer.ts';
import { COMMITTED_MODELS_DIR, seededChampionModels } from '../../runtime/scorer.ts';
import { createPool, type Db } from '../../db/pool.ts';
import { DEFAULT_LISTS } from '../../db/seed.ts';
import { DEFAULT_FEATURES } from '../../engine/features/definitions.ts';
import { ReplayOutOfOrder } from '../../engine/features/replay.ts';
import type { CustomOperators } from '../../engine/rules/load.ts';
import { KNOWN_OPERATORS, productFacts, validateRuleset } from '../../engine/rules/validate.ts';
import { datasetFiles, DatasetInvalid, periodOutside } from '../../simulations/dataset.ts';
import { ExportInvalid, parseRange } from '../../simulations/export-features.ts';
import { figuresOf } from '../../simulations/metrics.ts';
import { modelFile, simulationModels, simulationScorer } from '../../simulations/model-scorer.ts';
import { createThreadedOnnxScorer } from '../../activities/onnx-scorer-thread.ts';
import { replayRange } from '../../simulations/replay-range.ts';
import { loadSide, resolveSides, SideInvalid } from '../../simulations/sides.ts';
import type { ResolvedSide } from '../../simulations/spec.ts';
import { changeView, figuresView } from '../../simulations/views.ts';
import { commandArgs, commandConfig, commandDatabase } from '../command-setup.ts';
import { figuresTable } from '../simulation-table.ts';
import { USAGE as COMMAND_USAGE } from '../usage.ts';

const USAGE = COMMAND_USAGE['simulate'];
const ROOT = resolve(import.meta.dirname, '../..');
const DEFAULT_RULESET = resolve(ROOT, 'rules/default.json');

/** A problem with the command line or its inputs: exit 2 with the usage. */
class UsageProblem extends Error {}

/**
 * `fraudguard simulate`: replays DIR's transactions of [--from, --to] (whole UTC days, --to included;
 * the history before --from warms the feature windows) through a candidate beside the baseline, in
 * this process, with the production code path, and prints both sides' figures.
 *
 * Rulesets: a JSON file, or a saved version (`name@3`, read from DATABASE_URL). The baseline defaults
 * to the champion of the deployment in force when DATABASE_URL is set, else to rules/default.json
 * (the champion every installation starts with); the candidate defaults to the baseline's ruleset.
 * --model (repeatable): the candidate's models, an ONNX file (its metadata .json beside it) or a
 * registered / models/ version. --json writes the figures and the changed decisions; --decisions
 * writes every transaction's decision and score on both sides, one JSON object a line.
 * Exit 0 done, 1 the data or a run failed, 2 usage.
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = commandArgs(argv, {
    data: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, candidate: { type: 'string' }, baseline: { type: 'string' },
    model: { type: 'string', multiple: true }, json: { type: 'string' }, decisions: { type: 'string' },
  }, USAGE);
  if (!parsed) return 2;
  const v = parsed.values;
  const missing = (['data', 'from', 'to'] as const).filter((k) => !v[k]);
  if (missing.length || parsed.positionals.length) {
    console.error(`${missing.length ? `missing ${missing.map((m) => `--${m}`).join(', ')}` : `unexpected ${parsed.positionals.join(' ')}`}\nUsage: ${USAGE}`);
    return 2;
  }
  let db: Db | undefined;
  let thread: ReturnType<typeof createThreadedOnnxScorer> | undefined;
  try {
    const { fromMs, toMs } = parseRange(v.from as string, v.to as string);
    const outside = periodOutside(datasetFiles(v.data as string), fromMs, toMs);
    if (outside) throw new UsageProblem(`--from/--to: ${outside}`);
    const config = commandConfig();
    if (!config) return 2;
    if (config.DATABASE_URL) db = createPool(config.DATABASE_URL, config.DATABASE_SCHEMA, 2);

    const files = new Map<string, ModelLoader>();
    const modelVersions: string[] = [];
    for (const m of v.model ?? []) {
      if (m.toLowerCase().endsWith('.onnx')) {
        const file = await modelFile(m).catch((err: unknown) => { throw new UsageProblem(`--model ${m}: ${(err as Error).message}`); });
        files.set(file.version, file.load);
        modelVersions.push(file.version);
      } else modelVersions.push(m);
    }
    const { operators, lists } = await listsOf(db);
    // Offline unless DATABASE_URL says otherwise; a saved version then needs it, and the embedded database's is named.
    const local = db ? null : commandDatabase(undefined, config);
    const embedded = local?.embedded ? ` (npm start's embedded database: DATABASE_URL=${local.url})` : '';
    const sides = await resolveCli(v.candidate, v.baseline, modelVersions.length ? modelVersions : undefined, db, lists, embedded);
    // Scored on a thread of its own, as in the service: reading and feature replay overlap inference.
    thread = createThreadedOnnxScorer({ load: simulationModels({ db, modelsDir: COMMITTED_MODELS_DIR, files }) });
    const scorer = simulationScorer(thread);
    const candidate = loadSide('candidate', sides.candidate, operators);
    const baseline = loadSide('baseline', sides.baseline, operators);

    const decisions = v.decisions ? await openLines(v.decisions) : null;
    const bar = new SingleBar({
      format: 'simulate |{bar}| {percentage}% · {rows} transactions · {rate} tx/s · ETA {eta_formatted}',
      hideCursor: true, etaBuffer: 30, fps: 5, noTTYOutput: false, stream: process.stderr,
    });
    const started = performance.now();
    bar.start(1000, 0, { rows: '0', rate: '0' });
    let result;
    try {
      result = await replayRange({
        source: { kind: 'dataset', dir: v.data as string }, fromMs, toMs, candidate, baseline, scorer, fxRates: config.FX_RATES,
        onProgress: (fraction, counted) => bar.update(Math.round(fraction * 1000), {
          rows: counted.toLocaleString('en'), rate: Math.round(counted / Math.max(0.001, (performance.now() - started) / 1000)).toLocaleString('en'),
        }),
        onRow: decisions ? (row, c, b) => decisions.write(`${JSON.stringify({
          transaction_id: row.tx.id, occurred_at: row.tx.occurred_at, amount: row.tx.amount, fraud: row.fraud,
          candidate: { decision: c.decision, score: c.score, rules: c.firedRules.map((r) => r.name) },
          baseline: { decision: b.decision, score: b.score, rules: b.firedRules.map((r) => r.name) },
        })}\n`) : undefined,
      });
    } finally {
      bar.stop();
      await decisions?.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const { counts } = result;
    const figures = { transactions: counts.transactions, candidate: figuresOf(counts.candidate), baseline: figuresOf(counts.baseline), changedDecisions: counts.changed.total };
    console.log(figuresTable(figures.candidate, figures.baseline, { candidate: `candidate: ${sides.candidate.label}`, baseline: `baseline: ${sides.baseline.label}` }));
    console.log(`\n${counts.changed.total.toLocaleString('en')} decisions change · ${counts.transactions.toLocaleString('en')} transactions simulated in ${seconds.toFixed(1)} s (${Math.round(counts.transactions / Math.max(seconds, 0.001)).toLocaleString('en')}/s)`);
    if (counts.transactions === 0) console.error(`warning: no transaction of ${v.data} falls in ${v.from} … ${v.to}`);
    if (v.json) {
      await mkdir(dirname(resolve(v.json)), { recursive: true });
      await writeFile(v.json, `${JSON.stringify({
        data: resolve(v.data as string), from: v.from, to: v.to, seconds,
        candidate: sideRecord(sides.candidate), baseline: sideRecord(sides.baseline), features: DEFAULT_FEATURES,
        figures: figuresView(figures), changes: counts.changed.sample.map(changeView), ...(v.decisions ? { decisions: resolve(v.decisions) } : {}),
      }, null, 2)}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageProblem || err instanceof ExportInvalid || err instanceof SideInvalid) { console.error(`${err.message}\nUsage: ${USAGE}`); return 2; }
    if (err instanceof DatasetInvalid || err instanceof ReplayOutOfOrder) { console.error(err.message); return 1; }
    console.error(`simulate failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await thread?.close();
    await db?.end();
  }
}

/** The lists' contents from the database when there is one; offline, the seeded lists, empty. */
async function listsOf(db: Db | undefined): Promise<{ operators: CustomOperators; lists: Set<string> }> {
  if (!db) return { operators: listOperators({ has: () => false }), lists: new Set(DEFAULT_LISTS.map((l) => l.name)) };
  const reader = createRulesetReader(db);
  const { lists } = createRuleCaches(reader);
  await lists.refresh();
  return { operators: listOperators(lists), lists: new Set((await reader.listRevisions()).keys()) };
}

const VERSION = /^[a-z0-9][a-z0-9_-]{0,62}@\d+$/;

async function resolveCli(candidateArg: string | undefined, baselineArg: string | undefined, modelVersions: string[] | undefined, db: Db | undefined, lists: Set<string>, databaseHint: string): Promise<{ candidate: ResolvedSide; baseline: ResolvedSide }> {
  const fromFile = async (option: string, path: string): Promise<ResolvedSide> => {
    let doc: unknown;
    try { doc = JSON.parse(await readFile(path, 'utf8')); } catch (err) { throw new UsageProblem(`${option} ${path}: ${(err as Error).message}`); }
    const checked = validateRuleset(doc, { facts: productFacts(), operators: KNOWN_OPERATORS, lists });
    if (!checked.ok) throw new UsageProblem(checked.problems.map((p) => `${option} ${path}: ${p.path}: ${p.reason}`).join('\n'));
    return { label: path, rulesetVersion: `file:${path}`, document: checked.ruleset, modelVersions: [] };
  };
  const side = (option: string, arg: string | undefined) => {
    if (arg === undefined) return { kind: 'default' as const };
    if (existsSync(arg)) return { kind: 'file' as const, path: arg };
    if (VERSION.test(arg)) {
      if (!db) throw new UsageProblem(`${option} ${arg}: a saved version is read from the database: set DATABASE_URL${databaseHint} or give a ruleset file`);
      return { kind: 'version' as const, id: arg };
    }
    throw new UsageProblem(`${option} ${arg}: neither a file nor a version id like default@3`);
  };
  const c = side('--candidate', candidateArg);
  const b = side('--baseline', baselineArg);

  let baseline: ResolvedSide;
  let candidate: ResolvedSide;
  if (db) {
    const resolved = await resolveSides({
      candidate: { ...(c.kind === 'version' ? { ruleset_version: c.id } : {}), ...(modelVersions ? { model_versions: modelVersions } : {}) },
      baseline: b.kind === 'version' ? { ruleset_version: b.id } : undefined,
    }, createRulesetReader(db)).catch((err: unknown) => { throw err instanceof SideInvalid ? new UsageProblem(err.message.replace(/^candidate/, '--candidate').replace(/^baseline/, '--baseline')) : err; });
    baseline = b.kind === 'file' ? { ...(await fromFile('--baseline', b.path)), ...modelsOf(resolved.baseline) } : resolved.baseline;
    candidate = c.kind === 'file' ? { ...(await fromFile('--candidate', c.path)), ...modelsOf(resolved.candidate) } : resolved.candidate;
    if (c.kind === 'default') candidate = { ...baseline, ...modelsOf(resolved.candidate) };
  } else {
    // Offline, the baseline is the champion every installation is seeded with: rules/default.json
    // scored by the newest committed model of each role, combined by their own weights (runtime/scorer.ts).
    const seeded = seededChampionModels([...(await modelDirectoryIndex(COMMITTED_MODELS_DIR).catch(() => new Map())).values()].map((m) => m.meta));
    baseline = { ...(await fromFile('--baseline', b.kind === 'file' ? b.path : DEFAULT_RULESET)), ...seeded, ...(b.kind === 'file' ? {} : { label: 'rules/default.json (seeded champion)' }) };
    candidate = c.kind === 'file' ? { ...(await fromFile('--candidate', c.path)), ...seeded } : { ...baseline };
    if (modelVersions) candidate = { label: candidate.label, rulesetVersion: candidate.rulesetVersion, document: candidate.document, modelVersions };
  }
  return { candidate, baseline };
}

function sideRecord(s: ResolvedSide) {
  return { label: s.label, ruleset_version: s.rulesetVersion, model_versions: s.modelVersions, model_weights: s.modelWeights ?? null, document: s.document };
}

const modelsOf = (s: ResolvedSide) => ({ modelVersions: s.modelVersions, ...(s.modelWeights ? { modelWeights: s.modelWeights } : {}) });

async function openLines(path: string): Promise<{ write(line: string): Promise<void>; close(): Promise<void> }> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  const file = createWriteStream(path);
  return {
    async write(line) { if (!file.write(line)) await once(file, 'drain'); },
    async close() { file.end(); await once(file, 'close'); },
  };
}
