import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RegisterInput } from '../../activities/model-registry.ts';
import { parseModelMetadata } from '../../activities/model-metadata.ts';
import { newestPerRole } from '../../runtime/scorer.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** The committed models' versions by role: the ones the runtime picks (newestPerRole), whatever else models/ holds. */
export function committedModels(): { gbdt: string; anomaly: string } {
  const metas = readdirSync(MODELS_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.trees.json')).flatMap((f) => {
    try { return [parseModelMetadata(JSON.parse(readFileSync(MODELS_DIR + f, 'utf8')))]; } catch { return []; } // reports, not models
  }).filter((m) => m.onnx.file);
  const newest = newestPerRole(metas);
  const find = (role: string) => {
    const m = newest.find((x) => x.role === role);
    if (!m) throw new Error(`no committed ${role} model in ${MODELS_DIR}`);
    return m.version;
  };
  return { gbdt: find('gbdt'), anomaly: find('anomaly') };
}

/** What `fraudguard models register` sends for a committed model. */
export function modelFiles(version: string): RegisterInput {
  const metadata = JSON.parse(readFileSync(`${MODELS_DIR}${version}.json`, 'utf8')) as { onnx: { file: string }; reasons?: { file?: string } };
  const onnx = new Uint8Array(readFileSync(MODELS_DIR + metadata.onnx.file));
  const explainer: unknown = metadata.reasons?.file ? JSON.parse(readFileSync(MODELS_DIR + metadata.reasons.file, 'utf8')) : undefined;
  return { onnx, metadata, explainer };
}
