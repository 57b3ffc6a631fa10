import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RegisterInput } from '../../activities/model-registry.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** The committed models' versions by role (models/<version>.json). */
export function committedModels(): { gbdt: string; anomaly: string } {
  const metas = readdirSync(MODELS_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.trees.json'))
    .map((f) => JSON.parse(readFileSync(MODELS_DIR + f, 'utf8')) as { version?: string; role?: string; onnx?: unknown })
    .filter((m) => m.onnx && m.version);
  const find = (role: string) => {
    const m = metas.find((x) => x.role === role);
    if (!m?.version) throw new Error(`no committed ${role} model in ${MODELS_DIR}`);
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
