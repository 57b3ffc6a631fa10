import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths found by scripts/setup.mjs (npm start / npm test run it first). */
export function toolPath(root: string, tool: 'temporal' | 'chromium'): string | undefined {
  const fromEnv = tool === 'temporal' ? process.env.TEMPORAL_CLI_PATH : process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    const tools = JSON.parse(readFileSync(join(root, '.data', 'tools.json'), 'utf8')) as Record<string, string | null | undefined>;
    return tools[tool] ?? undefined;
  } catch {
    return undefined;
  }
}
