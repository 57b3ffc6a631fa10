/**
 * The part of JSONPath the compiled evaluator follows itself. json-rules-engine resolves `path` with
 * jsonpath-plus (`JSONPath({ path, json, wrap: false })`); for a path made only of plain property
 * names and indexes — `$`, `.name`, `['name']`, `[0]` — jsonpath-plus steps into a child only when the
 * current value is truthy and has it as an own property (`val && Object.hasOwn(val, key)`, so a
 * string's characters and `length` count, a number's nothing), and yields undefined when any step
 * fails. Wildcards, recursive descent, filters, slices, unions, negative indexes and the like are
 * left to json-rules-engine (the rule falls back).
 */

const NAME = /^[A-Za-z0-9_]+$/;
const QUOTED = /^(?:'[A-Za-z0-9_ -]+'|"[A-Za-z0-9_ -]+")$/;
const INDEX = /^\d+$/;

/** The property keys a path steps through, or null when it is outside the subset. */
export function parsePath(path: string): string[] | null {
  if (!path.startsWith('$')) return null;
  const keys: string[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const end = nextDelimiter(path, i + 1);
      const name = path.slice(i + 1, end);
      if (!NAME.test(name)) return null;
      keys.push(name);
      i = end;
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) return null;
      const inner = path.slice(i + 1, end);
      if (INDEX.test(inner)) keys.push(inner);
      else if (QUOTED.test(inner)) keys.push(inner.slice(1, -1));
      else return null;
      i = end + 1;
    } else {
      return null;
    }
  }
  return keys;
}

function nextDelimiter(path: string, from: number): number {
  for (let j = from; j < path.length; j++) if (path[j] === '.' || path[j] === '[') return j;
  return path.length;
}

/** jsonpath-plus's answer for a parsed path on an object or array. */
export function followPath(root: object, keys: readonly string[]): unknown {
  let value: unknown = root;
  for (const key of keys) {
    if (!value || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
