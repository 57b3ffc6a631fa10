// `npm run bench` / `fraudguard bench [--json FILE]`: every benchmark, each figure beside the
// baseline measured in the same run. Figures are printed, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { printFigures, type BenchFigure } from './figure.ts';

type Suite = { name: string; load: () => Promise<() => Promise<BenchFigure[]>> };

const SUITES: Suite[] = [
  { name: 'decisions', load: async () => (await import('./decisions.ts')).runDecisionsBench },
  { name: 'rules', load: async () => (await import('./rules.ts')).runRulesBench },
  { name: 'features', load: async () => (await import('./features.ts')).runFeaturesBench },
  { name: 'scoring', load: async () => (await import('./scoring.ts')).runScoringBench },
  { name: 'model-decisions', load: async () => (await import('./model-decisions.ts')).runModelDecisionsBench },
  { name: 'cases', load: async () => (await import('./cases.ts')).runCasesBench },
  { name: 'simulation', load: async () => (await import('./simulation.ts')).runSimulationBench },
];

export async function runBench(argv: string[]): Promise<number> {
  const jsonAt = argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : 'bench/results/latest.json';
  const only = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--json');
  const figures: BenchFigure[] = [];
  for (const suite of SUITES) {
    if (only.length && !only.includes(suite.name)) continue;
    console.log(`\n== ${suite.name}`);
    try {
      const run = await suite.load();
      const got = await run();
      printFigures(got);
      figures.push(...got);
    } catch (err) {
      console.error(`${suite.name}: failed: ${(err as Error).message}`);
    }
    // Written after every suite: a run stopped part-way (the simulation takes minutes) keeps what it measured.
    if (jsonFile) {
      mkdirSync(dirname(jsonFile), { recursive: true });
      writeFileSync(jsonFile, JSON.stringify(figures, null, 2));
    }
  }
  if (jsonFile) console.log(`\nwrote ${figures.length} figures to ${jsonFile}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runBench(process.argv.slice(2)));
}
