import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rulesetJsonSchemaText } from '../../engine/rules/json-schema.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('rules/ruleset.schema.json', () => {
  it('is the JSON Schema generated from the zod ruleset schema (run `npm run schema` after changing engine/rules/ruleset.ts)', () => {
    const committed = readFileSync(resolve(ROOT, 'rules/ruleset.schema.json'), 'utf8');
    assert.equal(committed, rulesetJsonSchemaText());
  });

  it('is the schema the default ruleset names', () => {
    const doc = JSON.parse(readFileSync(resolve(ROOT, 'rules/default.json'), 'utf8'));
    assert.equal(doc.$schema, './ruleset.schema.json');
  });
});
