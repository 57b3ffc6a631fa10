import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { rulesetSchema, ruleSchema, topLevelConditionSchema } from './ruleset.ts';

export interface RulesetChange {
  /** What changed: a rule (by name), a shared condition (by name), the policy, or a top-level field. */
  kind: 'rule' | 'condition' | 'policy' | 'field';
  name: string;
  change: 'added' | 'removed' | 'changed';
}

/**
 * What changed between two ruleset documents, as an author reviews it before publishing: rules and
 * shared conditions matched by name (so a moved rule is not a change, an edited one is), then the
 * policy and the other top-level fields. Works on invalid documents too (drafts), skipping what it
 * cannot read. Parts that parse are compared as parsed (a saved version stores its document parsed,
 * defaults filled in), so a default written out or left implicit is not a change.
 */
export function diffRulesets(from: unknown, to: unknown): RulesetChange[] {
  const a = asObject(from);
  const b = asObject(to);
  return [
    ...diffNamed('rule', rulesByName(a['rules']), rulesByName(b['rules']), ruleSchema),
    ...diffNamed('condition', asObject(a['conditions']), asObject(b['conditions']), topLevelConditionSchema),
    ...(isDeepStrictEqual(normal(policy, a['policy']), normal(policy, b['policy'])) ? [] : [{ kind: 'policy' as const, name: 'policy', change: changeOf(a['policy'], b['policy']) }]),
    ...['name', 'description']
      .filter((key) => !isDeepStrictEqual(a[key], b[key]))
      .map((key) => ({ kind: 'field' as const, name: key, change: changeOf(a[key], b[key]) })),
  ];
}

const policy = rulesetSchema.shape.policy;

/** The value as its schema parses it, or as it is when it does not parse. */
function normal(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : value;
}

function diffNamed(kind: 'rule' | 'condition', a: Record<string, unknown>, b: Record<string, unknown>, schema: z.ZodType): RulesetChange[] {
  const changes: RulesetChange[] = [];
  for (const [name, before] of Object.entries(a)) {
    if (!Object.hasOwn(b, name)) changes.push({ kind, name, change: 'removed' });
    else if (!isDeepStrictEqual(normal(schema, before), normal(schema, b[name]))) changes.push({ kind, name, change: 'changed' });
  }
  for (const name of Object.keys(b)) if (!Object.hasOwn(a, name)) changes.push({ kind, name, change: 'added' });
  return changes;
}

function rulesByName(rules: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(rules)) return out;
  for (const rule of rules) {
    const name = asObject(rule)['name'];
    if (typeof name === 'string' && !Object.hasOwn(out, name)) out[name] = rule;
  }
  return out;
}

function changeOf(before: unknown, after: unknown): RulesetChange['change'] {
  if (before === undefined) return 'added';
  if (after === undefined) return 'removed';
  return 'changed';
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
