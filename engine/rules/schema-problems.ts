import type { z } from 'zod';
import { article, boundOrChoiceReason } from '../issue-wording.ts';
import { didYouMean } from './suggest.ts';

/** One fault in a ruleset document: where (a JSON path such as `$.rules[2].conditions.all[0].fact`) and why. */
export interface RulesetProblem {
  path: string;
  reason: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `["rules", 2, "conditions"]` → `$.rules[2].conditions`; names that are not identifiers in brackets (`$.conditions['late-night']`). */
export function jsonPath(segments: readonly PathSegment[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += `.${s}`;
    else out += `['${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
  }
  return out;
}

/** Every property name the ruleset format has, to suggest one for a misspelt key. */
const FORMAT_KEYS = [
  '$schema', 'name', 'description', 'conditions', 'rules', 'policy', 'priority', 'event', 'enabled', 'type', 'params',
  'reason', 'code', 'delta', 'tag', 'all', 'any', 'not', 'condition', 'fact', 'operator', 'value', 'path', 'precedence',
  'thresholds', 'review', 'decline',
];

/** The keys that say which kind of condition an object is meant to be, in the order json-rules-engine tests them. */
const CONDITION_KEYS = ['all', 'any', 'not', 'condition', 'fact'];

/**
 * zod's issues as problems with JSON paths. A condition is a union of five shapes, and zod reports a
 * failed union as the failures of every shape; the author meant the shape whose key the object has
 * (`all`, `any`, `not`, `condition` or `fact`), so only that shape's failures are reported.
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown, base: readonly PathSegment[] = []): RulesetProblem[] {
  const out: RulesetProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const value = valueAt(input, path);
    switch (issue.code) {
      case 'invalid_union': {
        const branch = intendedBranch(issue.errors, value);
        if (branch) out.push(...problemsFromIssues(branch, input, path));
        else out.push({ path: jsonPath(path), reason: notAConditionReason(issue.errors, value) });
        break;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: jsonPath([...path, key]), reason: `is not a property here${didYouMean(key, FORMAT_KEYS)}` });
        }
        break;
      case 'invalid_key':
      case 'invalid_element':
        out.push(...problemsFromIssues(issue.issues, input, path).map((p) => ({ ...p, path: jsonPath(path) })));
        break;
      default:
        out.push({ path: jsonPath(path), reason: reasonOf(issue, value) });
    }
  }
  return out;
}

function intendedBranch(branches: readonly (readonly z.core.$ZodIssue[])[], value: unknown): readonly z.core.$ZodIssue[] | null {
  if (!isObject(value)) return null;
  const key = CONDITION_KEYS.find((k) => Object.hasOwn(value, k));
  if (key === undefined) return null;
  const rejectsKey = (issues: readonly z.core.$ZodIssue[]) =>
    issues.some((i) => i.path.length === 0 && i.code === 'unrecognized_keys' && i.keys.includes(key));
  return branches.find((issues) => !rejectsKey(issues)) ?? null;
}

function notAConditionReason(branches: readonly (readonly z.core.$ZodIssue[])[], value: unknown): string {
  // Only the union that allows a single comparison has a shape asking for `fact`.
  const leafAllowed = branches.some((issues) => issues.some((i) => i.path[0] === 'fact' && i.code !== 'unrecognized_keys'));
  const shapes = '{"all": [...]}, {"any": [...]}, {"not": {...}} or {"condition": "<shared condition>"}';
  if (leafAllowed) return `must be a condition: ${shapes}, or a comparison {"fact", "operator", "value"}`;
  if (isObject(value) && Object.hasOwn(value, 'fact')) {
    return `a rule's conditions must be ${shapes}; put a single comparison inside "all": [...]`;
  }
  return `must be ${shapes}`;
}

function reasonOf(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined || issue.expected === 'nonoptional') return 'is required';
      return `must be ${article(issue.expected)}, not ${describe(value)}`;
    default:
      return boundOrChoiceReason(issue) ?? issue.message;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : typeof value} ${String(value)}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PathSegment, unknown>)[key];
  }
  return node;
}
