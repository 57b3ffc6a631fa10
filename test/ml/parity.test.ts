import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createOnnxScorer, modelsInDirectory } from '../../activities/onnx-scorer.ts';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const PARITY = `${MODELS}parity/`;

interface Fixture { version: string; featureNames: string[]; rows: (number | null)[][]; expected: number[] }
const fixtures: Fixture[] = readdirSync(PARITY).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(PARITY + f, 'utf8')) as Fixture);

describe('ONNX parity with the Python models', () => {
  it('has a fixture for every committed model', () => {
    assert.ok(fixtures.length >= 2, 'a gbdt and an anomaly fixture');
  });

  for (const fx of fixtures) {
    it(`scores ${fx.version} in onnxruntime-node within 1e-5 of the Python model on ${fx.rows.length} validation rows`, async (t) => {
      const scorer = createOnnxScorer({ load: modelsInDirectory(MODELS), topReasons: 0 });
      try {
        const meta = await scorer.metadata(fx.version);
        assert.deepEqual(meta.featureNames, fx.featureNames);
        const vectors = fx.rows.map((row) => Object.fromEntries(fx.featureNames.map((n, j) => [n, row[j] ?? null])));
        const scored = await scorer.scoreBatch([fx.version], vectors);
        let maxError = 0;
        scored.forEach((s, i) => { maxError = Math.max(maxError, Math.abs((s.models[0]?.score ?? Number.NaN) - (fx.expected[i] as number))); });
        t.diagnostic(`${fx.version}: max |onnx − python| = ${maxError.toExponential(2)}`);
        assert.ok(maxError <= 1e-5, `max |onnx − python| = ${maxError}`);
      } finally {
        await scorer.release();
      }
    });
  }
});
