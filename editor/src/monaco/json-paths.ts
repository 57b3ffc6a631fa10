import { findNodeAtLocation, type Node, type Segment } from 'jsonc-parser';

/**
 * The API names each problem by a JSON path (`$.rules[2].conditions.all[0].fact`,
 * `$.conditions['late-night']`, engine/rules/schema-problems.ts); the editor needs the characters
 * to underline. Paths are parsed back into segments and looked up in the document's syntax tree.
 */
export function parseJsonPath(path: string): Segment[] | null {
  if (!path.startsWith('$')) return null;
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(path.slice(i + 1));
      if (!m) return null;
      segments.push(m[0]);
      i += 1 + m[0].length;
    } else if (path.startsWith('[\'', i)) {
      let j = i + 2;
      let name = '';
      while (j < path.length && path[j] !== '\'') {
        if (path[j] === '\\') j += 1;
        name += path[j] ?? '';
        j += 1;
      }
      if (path[j + 1] !== ']') return null;
      segments.push(name);
      i = j + 2;
    } else if (path[i] === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i));
      if (!m) return null;
      segments.push(Number(m[1]));
      i += m[0].length;
    } else {
      return null;
    }
  }
  return segments;
}

export interface Span { offset: number; length: number; exact: boolean }

/**
 * Where to underline a problem at `segments`: the value when it is a scalar; the property's name
 * when the value spans lines (a whole rule underlined helps nobody); for something missing
 * (`$.rules[0].event` when there is no event), the nearest part that exists — its property name, or
 * its opening brace.
 */
export function spanOf(root: Node | undefined, segments: readonly Segment[]): Span | null {
  if (!root) return null;
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? root : findNodeAtLocation(root, segments.slice(0, n) as Segment[]);
    if (!node) continue;
    const exact = n === segments.length;
    const property = node.parent?.type === 'property' ? node.parent : null;
    const scalar = node.type !== 'object' && node.type !== 'array';
    if (scalar) return { offset: node.offset, length: node.length, exact };
    const key = property?.children?.[0];
    if (key) return { offset: key.offset, length: key.length, exact };
    return { offset: node.offset, length: 1, exact };
  }
  return null;
}
