// Run as its own process by activities/onnx-scorer-thread.test.ts: closing the threaded scorer while
// requests are under way used to abort the whole process (an onnxruntime session torn down with its
// thread). Each round asks for scores, a model, a validation and a batch, and closes at once; prints
// how the requests ended. An abort ends the process with no summary.
import { knownModelInputs, parseModelMetadata } from '../../activities/model-metadata.ts';
import { modelsInDirectory } from '../../activities/onnx-scorer.ts';
import { createThreadedOnnxScorer } from '../../activities/onnx-scorer-thread.ts';
import { committedModels, MODELS_DIR } from './model-fixtures.ts';

const { gbdt, anomaly } = committedModels();
const load = modelsInDirectory(MODELS_DIR);
const source = await load(gbdt);
const meta = parseModelMetadata(source.metadata);
const rounds = Number(process.argv[2] ?? 10);
const outcomes: Record<string, number> = {};

for (let r = 0; r < rounds; r++) {
  const scorer = createThreadedOnnxScorer({ load });
  await scorer.metadata(gbdt);
  const row = { amount: 10 + r };
  const asked = [
    scorer.score([gbdt, anomaly], row),
    scorer.scoreBatch([gbdt, anomaly], Array.from({ length: 500 }, () => row)),
    scorer.validate(source.onnx, meta, knownModelInputs()),
    scorer.metadata(anomaly),
  ];
  const closed = scorer.close();
  // A model asked for while the thread is being closed, some rounds a little later.
  const late = new Promise((ok) => setTimeout(() => ok(scorer.metadata(anomaly)), r % 5));
  for (const s of await Promise.allSettled([...asked, late])) {
    const outcome = s.status === 'fulfilled' ? 'answered' : /scoring thread is closed/.test(String(s.reason)) ? 'refused: closed' : `failed: ${String(s.reason)}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  await closed;
}
console.log(JSON.stringify({ rounds, outcomes }));
