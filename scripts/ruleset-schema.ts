// `npm run schema`: writes rules/ruleset.schema.json from the zod schema (engine/rules/ruleset.ts).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rulesetJsonSchemaText } from '../engine/rules/json-schema.ts';

const target = resolve(import.meta.dirname, '../rules/ruleset.schema.json');
writeFileSync(target, rulesetJsonSchemaText());
console.log(`wrote ${target}`);
