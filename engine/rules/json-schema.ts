import { z } from 'zod';
import { rulesetSchema } from './ruleset.ts';

/**
 * The JSON Schema of a ruleset document, generated from the zod schema the API and the CLI parse with
 * (rules/ruleset.schema.json is this, written by `npm run schema`; a test keeps the file current).
 * Draft-07, which Monaco's JSON language service and most editors read; `io: 'input'` describes what
 * authors write (defaults optional).
 */
export function rulesetJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(rulesetSchema, { io: 'input', target: 'draft-7' });
  return {
    $schema: generated['$schema'],
    title: 'FraudGuard ruleset',
    description: 'json-rules-engine rules over FraudGuard facts, shared conditions, and the policy turning rule events into APPROVE / REVIEW / DECLINE. '
      + 'Facts, operators and list names are checked beyond this schema by the API and `fraudguard rules validate`.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}

/** The file's text as committed: two-space JSON and a final newline. */
export function rulesetJsonSchemaText(): string {
  return `${JSON.stringify(rulesetJsonSchema(), null, 2)}\n`;
}
