import type { CustomOperators } from './types.ts';

/**
 * json-rules-engine v7's operators and operator decorators as plain functions, with the same
 * results for every input (node_modules/json-rules-engine/dist/engine-default-operators.js and
 * engine-default-operator-decorators.js). An operator there evaluates as
 * `factValueValidator(factValue) && cb(factValue, jsonValue)`, so a failed validator yields `false`
 * and a custom operator's return value passes through untouched; the same holds here.
 */
export type OperatorFn = (factValue: unknown, jsonValue: unknown) => unknown;

interface Searchable { indexOf(x: unknown): number }
interface Iterable { some(f: (x: unknown) => unknown): boolean; every(f: (x: unknown) => unknown): boolean }

/** json-rules-engine's `numberValidator`; numbers take a shortcut with the same answer (only NaN fails). */
function isNumeric(x: unknown): boolean {
  if (typeof x === 'number') return x === x;
  return Number.parseFloat(x as string).toString() !== 'NaN';
}

const BUILT_IN = new Map<string, OperatorFn>([
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  // No validator: a value without indexOf throws, as it does in json-rules-engine.
  ['in', (a, b) => (b as Searchable).indexOf(a) > -1],
  ['notIn', (a, b) => (b as Searchable).indexOf(a) === -1],
  ['contains', (a, b) => Array.isArray(a) && a.indexOf(b) > -1],
  ['doesNotContain', (a, b) => Array.isArray(a) && a.indexOf(b) === -1],
  ['lessThan', (a, b) => isNumeric(a) && (a as number) < (b as number)],
  ['lessThanInclusive', (a, b) => isNumeric(a) && (a as number) <= (b as number)],
  ['greaterThan', (a, b) => isNumeric(a) && (a as number) > (b as number)],
  ['greaterThanInclusive', (a, b) => isNumeric(a) && (a as number) >= (b as number)],
]);

const DECORATORS = new Map<string, (next: OperatorFn) => OperatorFn>([
  ['someFact', (next) => (f, v) => Array.isArray(f) && f.some((x) => next(x, v))],
  ['someValue', (next) => (f, v) => (v as Iterable).some((x) => next(f, x))],
  ['everyFact', (next) => (f, v) => Array.isArray(f) && f.every((x) => next(x, v))],
  ['everyValue', (next) => (f, v) => (v as Iterable).every((x) => next(f, x))],
  ['swap', (next) => (f, v) => next(v, f)],
  ['not', (next) => (f, v) => !next(f, v)],
]);

export const BUILT_IN_OPERATORS: readonly string[] = [...BUILT_IN.keys()];

/**
 * The built-in operators again, as one function over an opcode: a condition calling it from its own
 * closure is a direct, inlinable call instead of a call through a function value (about half the
 * cost of a condition). Same answers as BUILT_IN, case by case.
 */
export function applyBuiltIn(code: number, a: unknown, b: unknown): unknown {
  switch (code) {
    case 0: return a === b;
    case 1: return a !== b;
    case 2: return (b as Searchable).indexOf(a) > -1;
    case 3: return (b as Searchable).indexOf(a) === -1;
    case 4: return Array.isArray(a) && a.indexOf(b) > -1;
    case 5: return Array.isArray(a) && a.indexOf(b) === -1;
    case 6: return isNumeric(a) && (a as number) < (b as number);
    case 7: return isNumeric(a) && (a as number) <= (b as number);
    case 8: return isNumeric(a) && (a as number) > (b as number);
    default: return isNumeric(a) && (a as number) >= (b as number);
  }
}

/** The opcode of an undecorated built-in operator for applyBuiltIn, or -1 (decorated, custom or unknown). */
export function builtInOpcode(name: string, custom: CustomOperators): number {
  return Object.hasOwn(custom, name) ? -1 : BUILT_IN_OPERATORS.indexOf(name);
}
export const OPERATOR_DECORATORS: readonly string[] = [...DECORATORS.keys()];

/**
 * The operator a condition names, resolved as json-rules-engine's OperatorMap.get does: a known
 * operator (custom ones replace built-ins of the same name) is taken whole; otherwise the text up to
 * the first ':' must be a decorator applied to the rest ("not:someFact:equal"). Null when unknown,
 * which json-rules-engine reports only when the condition is evaluated.
 */
export function resolveOperator(name: string, custom: CustomOperators): OperatorFn | null {
  const known = (n: string): OperatorFn | undefined =>
    (Object.hasOwn(custom, n) ? custom[n] : undefined) ?? BUILT_IN.get(n);
  const decorators: ((next: OperatorFn) => OperatorFn)[] = [];
  let rest = name;
  let op = known(rest);
  while (!op) {
    const colon = rest.indexOf(':');
    if (colon <= 0) return null;
    const decorate = DECORATORS.get(rest.slice(0, colon));
    if (!decorate) return null;
    decorators.unshift(decorate);
    rest = rest.slice(colon + 1);
    op = known(rest);
  }
  for (const decorate of decorators) op = decorate(op);
  return op;
}
