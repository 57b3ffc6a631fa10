import { findNodeAtOffset, getLocation, parseTree, type Node } from 'jsonc-parser';
import schema from '../../../rules/ruleset.schema.json';
import type { FactsReply, RulesetProblem } from '../api-types.ts';
import { jsonDefaults, monaco } from './monaco.ts';
import { parseJsonPath, spanOf } from './json-paths.ts';

/**
 * What Monaco knows about ruleset documents beyond JSON:
 * - the ruleset JSON Schema (rules/ruleset.schema.json, generated from the zod schema the API parses
 *   with), so structural faults are underlined as the author types, by Monaco's own JSON worker;
 * - completion of fact names, operators (with their decorators), event types, list names and shared
 *   condition names, and hover documentation for each, from GET /v1/facts;
 * - the API's semantic problems (unknown facts, lists, value types…) as markers at their JSON path.
 */

/** Where ruleset models live: the schema is matched by name, and `"$schema": "./ruleset.schema.json"` resolves to it. */
export const modelUri = (name: string, kind = 'draft') => monaco.Uri.parse(`file:///rulesets/${encodeURIComponent(name)}.${kind}.ruleset.json`);
const SCHEMA_URI = 'file:///rulesets/ruleset.schema.json';

/** Markers of the API's problems, apart from the JSON worker's. */
export const SERVER_OWNER = 'fraudguard';

let vocabulary: FactsReply | null = null;
let registered = false;

export function setVocabulary(v: FactsReply): void { vocabulary = v; }

export function registerRulesetLanguage(): void {
  if (registered) return;
  registered = true;
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    trailingCommas: 'error',
    enableSchemaRequest: false,
    schemaValidation: 'error',
    schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.ruleset.json'], schema }],
  });
  monaco.languages.registerCompletionItemProvider('json', { triggerCharacters: ['"', ':', '.'], provideCompletionItems: complete });
  monaco.languages.registerHoverProvider('json', { provideHover: hover });
}

type Model = monaco.editor.ITextModel;

const isRuleset = (model: Model) => model.uri.path.endsWith('.ruleset.json');

function complete(model: Model, position: monaco.Position): monaco.languages.CompletionList | null {
  if (!isRuleset(model) || !vocabulary) return null;
  const text = model.getValue();
  const offset = model.getOffsetAt(position);
  const location = getLocation(text, offset);
  if (location.isAtPropertyKey) return null;
  const last = location.path[location.path.length - 1];
  const previous = location.previousNode;
  // Replace the whole string the cursor is in (quotes included), or insert a new one at the cursor.
  const range = previous && previous.type === 'string' && offset >= previous.offset && offset <= previous.offset + previous.length
    ? rangeOf(model, previous.offset, previous.length)
    : monaco.Range.fromPositions(position);
  const Kind = monaco.languages.CompletionItemKind;
  const item = (label: string, kind: monaco.languages.CompletionItemKind, detail: string, doc: string, sort = '0'): monaco.languages.CompletionItem => ({
    label, kind, detail, documentation: { value: doc }, insertText: JSON.stringify(label), range, sortText: `${sort}${label}`, filterText: JSON.stringify(label),
  });
  const v = vocabulary;

  if (last === 'fact') {
    return { suggestions: v.facts.map((f) => item(f.name, f.kind === 'feature' ? Kind.Variable : f.kind === 'score' ? Kind.Constant : Kind.Field,
      `${f.kind} · ${f.type}`, f.description, f.kind === 'transaction' ? '0' : f.kind === 'feature' ? '1' : '2')) };
  }
  if (last === 'operator') {
    const plain = v.operators.map((o) => item(o.name, Kind.Operator, 'operator', o.description));
    const decorated = v.decorators.flatMap((d) => v.operators.map((o) =>
      item(`${d.name}:${o.name}`, Kind.Operator, 'decorated operator', `${d.description}; ${o.description}`, '1')));
    return { suggestions: [...plain, ...decorated] };
  }
  if (last === 'type' && location.path[location.path.length - 2] === 'event') {
    return { suggestions: v.event_types.map((e) => item(e.name, Kind.EnumMember, 'event type', e.description)) };
  }
  const tree = parseTree(text);
  if (last === 'value') {
    const operator = siblingValue(tree, location.path.slice(0, -1), 'operator');
    if (typeof operator === 'string' && /(^|:)(not)?inList$/i.test(operator)) {
      return { suggestions: v.lists.map((l) => item(l.name, Kind.Reference, `${l.kind} list · ${l.item_count} items`, l.description || `The ${l.name} list`)) };
    }
  }
  if (last === 'condition') {
    const shared = tree && findChild(tree, 'conditions');
    const names = shared?.type === 'object' ? (shared.children ?? []).map((p) => p.children?.[0]?.value).filter((n): n is string => typeof n === 'string') : [];
    return { suggestions: names.map((n) => item(n, Kind.Reference, 'shared condition', `Refers to $.conditions.${n}`)) };
  }
  return null;
}

function hover(model: Model, position: monaco.Position): monaco.languages.Hover | null {
  if (!isRuleset(model) || !vocabulary) return null;
  const tree = parseTree(model.getValue());
  const node = tree && findNodeAtOffset(tree, model.getOffsetAt(position));
  if (!node || node.type !== 'string' || node.parent?.type !== 'property' || node.parent.children?.[1] !== node) return null;
  const key = node.parent.children?.[0]?.value;
  const name = String(node.value);
  let contents: string | null = null;
  if (key === 'fact') {
    const fact = vocabulary.facts.find((f) => f.name === name);
    contents = fact ? `**${fact.name}** — ${fact.kind}, ${fact.type}\n\n${fact.description}` : `**${name}** is not a known fact.`;
  } else if (key === 'operator') {
    const parts = name.split(':');
    const base = vocabulary.operators.find((o) => o.name === parts[parts.length - 1]);
    const decorators = parts.slice(0, -1).map((d) => vocabulary?.decorators.find((x) => x.name === d));
    if (base) contents = [`**${name}**`, ...decorators.map((d) => d ? `\`${d.name}\`: ${d.description}` : ''), `\`${base.name}\`: ${base.description}`].filter(Boolean).join('\n\n');
  } else if (key === 'type' && node.parent.parent?.parent?.children?.[0]?.value === 'event') {
    const event = vocabulary.event_types.find((e) => e.name === name);
    if (event) contents = `**${event.name}** event\n\n${event.description}`;
  }
  return contents ? { contents: [{ value: contents }], range: rangeOf(model, node.offset, node.length) } : null;
}

/** Shows the API's problems as error markers at their JSON paths; returns them with their line for the problems list. */
export function showServerProblems(model: Model, problems: readonly RulesetProblem[]): void {
  const tree = parseTree(model.getValue());
  const markers = problems.map((p) => {
    const segments = parseJsonPath(p.path);
    const span = segments ? spanOf(tree, segments) : null;
    const range = span ? rangeOf(model, span.offset, span.length) : new monaco.Range(1, 1, 1, 2);
    return {
      severity: monaco.MarkerSeverity.Error, message: `${p.path}: ${p.reason}`, source: 'FraudGuard API', code: p.path,
      startLineNumber: range.startLineNumber, startColumn: range.startColumn, endLineNumber: range.endLineNumber, endColumn: range.endColumn,
    };
  });
  monaco.editor.setModelMarkers(model, SERVER_OWNER, markers);
}

function rangeOf(model: Model, offset: number, length: number): monaco.Range {
  const start = model.getPositionAt(offset);
  const end = model.getPositionAt(offset + Math.max(1, length));
  return monaco.Range.fromPositions(start, end);
}

function findChild(object: Node, key: string): Node | undefined {
  const property = object.children?.find((p) => p.children?.[0]?.value === key);
  return property?.children?.[1];
}

function siblingValue(tree: Node | undefined, path: (string | number)[], key: string): unknown {
  let node: Node | undefined = tree;
  for (const segment of path) {
    if (!node) return undefined;
    node = typeof segment === 'number' ? node.children?.[segment] : findChild(node, segment);
  }
  return node ? findChild(node, key)?.value : undefined;
}
