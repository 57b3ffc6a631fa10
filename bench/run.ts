// `npm run bench` / `fraudguard bench [--json FILE]`: every benchmark, each figure beside the
// baseline measured in the same run. Figures are printed, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { printFigures, type BenchFigure } from './figure.ts';
import { USAGE as COMMAND_USAGE } from '../cli/usage.ts';

type Suite = { name: string; load: () => Promise<() => Promise<BenchFigure[]>> };

export const SUITES: Suite[] = [
  { name: 'decisions', load: async () => (await import('./decisions.ts')).runDecisionsBench },
  { name: 'rules', load: async () => (await import('./rules.ts')).runRulesBench },
  { name: 'features', load: async () => (await import('./features.ts')).runFeaturesBench },
  { name: 'scoring', load: async () => (await import('./scoring.ts')).runScoringBench },
  { name: 'model-decisions', load: async () => (await import('./model-decisions.ts')).runModelDecisionsBench },
  { name: 'cases', load: async () => (await import('./cases.ts')).runCasesBench },
  { name: 'simulation', load: async () => (await import('./simulation.ts')).runSimulationBench },
];

const USAGE = `Usage: ${COMMAND_USAGE.bench}`;

/** The suites and the JSON file asked for, or what is wrong with the arguments. */
export function benchArguments(argv: readonly string[]): { suites: Suite[]; jsonFile: string } | { error: string } {
  let jsonFile = 'bench/results/latest.json';
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') {
      const file = argv[++i];
      if (!file || file.startsWith('--')) return { error: '--json needs a file name' };
      jsonFile = file;
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else if (!SUITES.some((s) => s.name === arg)) {
      return { error: `unknown suite "${arg}"; the suites are ${SUITES.map((s) => s.name).join(', ')}` };
    } else {
      names.push(arg);
    }
  }
  return { suites: SUITES.filter((s) => names.length === 0 || names.includes(s.name)), jsonFile };
}

/** Runs the suites; 0 when every suite ran, 1 when one failed, 2 for bad arguments. */
export async function runBench(argv: string[]): Promise<number> {
  const args = benchArguments(argv);
  if ('error' in args) {
    console.error(`${args.error}\n${USAGE}`);
    return 2;
  }
  const { suites, jsonFile } = args;
  const figures: BenchFigure[] = [];
  let failed = 0;
  for (const suite of suites) {
    console.log(`\n== ${suite.name}`);
    try {
      const run = await suite.load();
      const got = await run();
      printFigures(got);
      figures.push(...got);
    } catch (err) {
      failed += 1;
      console.error(`${suite.name}: failed: ${(err as Error).message}`);
    }
    // Written after every suite: a run stopped part-way (the simulation takes minutes) keeps what it measured.
    mkdirSync(dirname(jsonFile), { recursive: true });
    writeFileSync(jsonFile, JSON.stringify(figures, null, 2));
  }
  console.log(`\nwrote ${figures.length} figures to ${jsonFile}`);
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runBench(process.argv.slice(2)));
}
