import { isDeepStrictEqual } from 'node:util';

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
 * cannot read.
 */
export function diffRulesets(from: unknown, to: unknown): RulesetChange[] {
  const a = asObject(from);
  const b = asObject(to);
  return [
    ...diffNamed('rule', rulesByName(a['rules']), rulesByName(b['rules'])),
    ...diffNamed('condition', asObject(a['conditions']), asObject(b['conditions'])),
    ...(isDeepStrictEqual(a['policy'], b['policy']) ? [] : [{ kind: 'policy' as const, name: 'policy', change: changeOf(a['policy'], b['policy']) }]),
    ...['name', 'description']
      .filter((key) => !isDeepStrictEqual(a[key], b[key]))
      .map((key) => ({ kind: 'field' as const, name: key, change: changeOf(a[key], b[key]) })),
  ];
}

function diffNamed(kind: 'rule' | 'condition', a: Record<string, unknown>, b: Record<string, unknown>): RulesetChange[] {
  const changes: RulesetChange[] = [];
  for (const [name, before] of Object.entries(a)) {
    if (!Object.hasOwn(b, name)) changes.push({ kind, name, change: 'removed' });
    else if (!isDeepStrictEqual(before, b[name])) changes.push({ kind, name, change: 'changed' });
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
