// What the models add to a decision through the whole stack (API → Temporal update-with-start →
// features in Redis → ONNX scoring with reason codes → rules → reply): the same sequential
// transactions decided under the seeded deployment (GBDT + anomaly) and under one without models,
// in alternating rounds so drift in the machine's load hits both alike. The decision's own
// latency_ms (API receipt → decision ready) and the caller's round trip, p50 and p95.
// Run alone: `npx tsx bench/model-decisions.ts` (BENCH_MODEL_ROUNDS, BENCH_MODEL_PER_ROUND).
import { figure, quantile, runAlone, type BenchFigure } from './figure.ts';
import { startStack, type TestStack } from '../test/support/stack.ts';

const ROUNDS = Number(process.env.BENCH_MODEL_ROUNDS ?? 4);
const PER_ROUND = Number(process.env.BENCH_MODEL_PER_ROUND ?? 150);

async function deploy(stack: TestStack, champion: Record<string, unknown>): Promise<number> {
  const current = await stack.get('/v1/deployments/current');
  const res = await stack.post('/v1/deployments', { spec: { champion }, expected_version: current.body.version });
  if (res.status !== 201) throw new Error(`deployment refused: ${JSON.stringify(res.body)}`);
  return res.body.version as number;
}

export async function runModelDecisionsBench(): Promise<BenchFigure[]> {
  const stack = await startStack({ LOG_LEVEL: 'silent', FOUR_EYES: 'false' });
  try {
    const seeded = (await stack.get('/v1/deployments/current')).body.spec.champion as Record<string, unknown>;
    const withModels = { ...seeded, name: 'champion' };
    const without = { name: 'champion', rulesetVersion: seeded['rulesetVersion'], modelVersions: [] };
    const run = `mb${Date.now().toString(36)}`;
    let seq = 0;
    const decide = async () => {
      seq += 1;
      const tx = { id: `${run}-${seq}`, occurred_at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(), amount: (5 + (seq % 200)).toFixed(2),
        currency: 'EUR', customer_id: `c${seq % 500}`, merchant_id: `m${seq % 300}` };
      const started = performance.now();
      const res = await stack.post('/v1/decisions', tx);
      if (res.status !== 200) throw new Error(`decision failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { roundTrip: performance.now() - started, latency: res.body.latency_ms as number, version: res.body.deployment_version as number };
    };
    const samples = { models: { roundTrip: [] as number[], latency: [] as number[] }, none: { roundTrip: [] as number[], latency: [] as number[] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of ['models', 'none'] as const) {
        const version = await deploy(stack, side === 'models' ? withModels : without);
        // Workers re-read the deployment every 2 s: decide (and discard) until it is in force, then warm up.
        for (let i = 0; ; i++) { if ((await decide()).version === version) break; if (i > 500) throw new Error('deployment never in force'); }
        for (let i = 0; i < 20; i++) await decide();
        for (let i = 0; i < PER_ROUND; i++) {
          const d = await decide();
          if (d.version !== version) continue;
          samples[side].roundTrip.push(d.roundTrip);
          samples[side].latency.push(d.latency);
        }
      }
    }
    const figures: BenchFigure[] = [];
    for (const [metric, label] of [['latency', 'decision latency_ms'], ['roundTrip', 'caller round trip']] as const) {
      for (const q of [0.5, 0.95]) {
        const base = { name: `without models, p${q * 100}`, value: quantile(samples.none[metric], q) };
        figures.push(figure(`${label}, GBDT + anomaly with reason codes, p${q * 100} (${samples.models[metric].length} sequential decisions)`, quantile(samples.models[metric], q), 'ms', base));
      }
    }
    return figures;
  } finally {
    await stack.stop();
    await stack.dropSchema();
  }
}

await runAlone(import.meta.url, runModelDecisionsBench);
