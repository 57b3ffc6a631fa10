import { RuleInvalid, type RulesDefinition } from './types.ts';

/**
 * Refuses, when a ruleset is loaded, what json-rules-engine would only discover mid-run by throwing
 * synchronously: a reference to a shared condition that does not exist, shared conditions that refer
 * to themselves (unbounded recursion), an operator that is not a string. Thrown there, such an error
 * orphans promises of sibling conditions, whose later rejections go unhandled — which ends a Node
 * process by default. Both evaluators check this first, so they accept the same rulesets.
 */
export function checkReferences(definition: RulesDefinition): void {
  const shared: Readonly<Record<string, unknown>> = definition.conditions ?? {};
  const visit = (node: unknown, owner: string, seen: (name: string) => void): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) { for (const child of node) visit(child, owner, seen); return; }
    const json = node as Record<string, unknown>;
    if (Object.hasOwn(json, 'condition')) {
      const name = json['condition'];
      if (typeof name !== 'string' || !Object.hasOwn(shared, name)) {
        throw new RuleInvalid(owner, `no shared condition named ${JSON.stringify(name)}`);
      }
      seen(name);
    }
    if (Object.hasOwn(json, 'fact') && Object.hasOwn(json, 'operator') && typeof json['operator'] !== 'string') {
      throw new RuleInvalid(owner, 'an operator must be a string');
    }
    for (const key of ['all', 'any', 'not']) if (Object.hasOwn(json, key)) visit(json[key], owner, seen);
  };

  const uses = new Map<string, string[]>();
  for (const [name, condition] of Object.entries(shared)) {
    const used: string[] = [];
    visit(condition, `condition ${name}`, (n) => used.push(n));
    uses.set(name, used);
  }
  for (const rule of definition.rules) visit(rule.conditions, rule.name, () => {});

  // Depth-first search over shared conditions; a name met again on the current path closes a cycle.
  const done = new Set<string>();
  const walk = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    if (path.includes(name)) throw new RuleInvalid(`condition ${name}`, `shared conditions refer to each other in a cycle: ${[...path, name].join(' → ')}`);
    for (const next of uses.get(name) ?? []) walk(next, [...path, name]);
    done.add(name);
  };
  for (const name of uses.keys()) walk(name, []);
}
