import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { dynamicConfigArgs, TEMPORAL_DYNAMIC_CONFIG } from './temporal-dynamic-config.ts';

/** The file's `key:` / `  - value: X` entries (the only form it uses), values read as JSON. */
function yamlEntries(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let key: string | null = null;
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const top = /^([\w.]+):\s*$/.exec(line);
    if (top) { key = top[1] as string; continue; }
    const value = /^\s+- value:\s*(.+?)\s*$/.exec(line);
    assert.ok(value && key, `unexpected line in the dynamic config file: ${line}`);
    out[key] = JSON.parse(value[1] as string);
  }
  return out;
}

describe('Temporal server settings', () => {
  it('are the same for the compose server (deploy/temporal/dynamicconfig.yaml) as for the embedded dev server', () => {
    const file = readFileSync(resolve(import.meta.dirname, '../deploy/temporal/dynamicconfig.yaml'), 'utf8');
    assert.deepEqual(yamlEntries(file), TEMPORAL_DYNAMIC_CONFIG);
  });

  it('are passed to the Temporal CLI as one --dynamic-config-value KEY=JSON pair each', () => {
    assert.deepEqual(dynamicConfigArgs({ 'a.flag': true, 'b.rate': 1000, 'c.shift': '10ms' }),
      ['--dynamic-config-value', 'a.flag=true', '--dynamic-config-value', 'b.rate=1000', '--dynamic-config-value', 'c.shift="10ms"']);
    assert.equal(dynamicConfigArgs().length, Object.keys(TEMPORAL_DYNAMIC_CONFIG).length * 2);
  });
});
