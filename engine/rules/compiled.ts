import { checkSharedConditions, compileRoot, type RootCondition } from './conditions.ts';
import { createReferenceEvaluator } from './reference.ts';
import { checkReferences } from './references.ts';
import { NOT_EVALUATED, Unsupported, prioritize, type CompileContext, type Run } from './trace.ts';
import {
  RuleInvalid, type EvaluatorOptions, type Facts, type FiredRule, type RuleEvaluator, type RuleEvent,
  type RuleFallback, type RuleResult, type RuleRun, type RulesDefinition, type SyncRuleEvaluator,
} from './types.ts';

/**
 * The compiled evaluator: a ruleset is turned once into closures (never into code from strings) that
 * give json-rules-engine's answer — same events in the same order, same per-rule results and
 * condition trees — synchronously and without promises. The differential tests hold it to that.
 * A rule using something not compiled (see `fallbacks`) is evaluated by json-rules-engine, together
 * with the other rules of its priority, whose relative order only json-rules-engine can then tell.
 */
export interface CompiledRuleset extends SyncRuleEvaluator {
  readonly fallbacks: readonly RuleFallback[];
}

/** Raised by evaluateSync when some rules fell back to json-rules-engine, which only runs asynchronously. */
export class RulesNotFullyCompiled extends Error {
  readonly code = 'RULES_NOT_FULLY_COMPILED';
  constructor(readonly fallbacks: readonly RuleFallback[]) {
    super(`${fallbacks.length} rule(s) need json-rules-engine (${fallbacks.map((f) => f.rule).join(', ')}): use evaluate()`);
  }
}

interface CompiledRule {
  name: string;
  priority: number;
  root: RootCondition;
  /** Where the rule's own result goes in the trace. */
  slot: number;
  event: RuleEvent;
  fired: FiredRule;
}

type Group =
  | { key: string; fallback: false; rules: CompiledRule[]; order: CompiledRule[] | null }
  | { key: string; fallback: true };

export function compileRuleset(definition: RulesDefinition, options: EvaluatorOptions = {}): CompiledRuleset {
  checkReferences(definition);
  // Our own frozen copy: results hand out parts of it (values, params, events) to every caller.
  const rules = deepFreeze(structuredClone(definition.rules)) as readonly unknown[];
  const shared = deepFreeze(structuredClone(definition.conditions ?? {})) as Readonly<Record<string, unknown>>;
  let size = 0;
  const allocate = (n: number): number => { size += n; return size - n; };
  const base = { operators: options.operators ?? {}, shared, expanding: [], allocate };
  checkSharedConditions({ ...base, rule: '' });

  const fallbacks: RuleFallback[] = [];
  const compiled = rules.map((json, index): CompiledRule | { priority: number; fallback: true } => {
    const header = ruleHeader(json, index);
    try {
      const root = compileRoot((json as Record<string, unknown>)['conditions'], { ...base, rule: header.name, expanding: [] } satisfies CompileContext);
      const fired: FiredRule = Object.freeze({ name: header.name, priority: header.priority, event: header.event });
      return { ...header, root, slot: allocate(1), fired };
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      fallbacks.push({ rule: header.name, reason: err.message });
      return { priority: header.priority, fallback: true };
    }
  });

  const groups: Group[] = prioritize(compiled, (r) => r.priority).map((members) => {
    const key = String(members[0]?.priority);
    const rules = members.filter((r): r is CompiledRule => !('fallback' in r));
    if (rules.length < members.length) return { key, fallback: true };
    // Stable sort: equal turns keep the rules' order, as json-rules-engine's microtask queue does.
    const order = rules.every((r) => r.root.turns !== undefined) ? [...rules].sort((a, b) => (a.root.turns ?? 0) - (b.root.turns ?? 0)) : null;
    return { key, fallback: false, rules, order };
  });
  const template: unknown[] = new Array<unknown>(size).fill(NOT_EVALUATED);
  const staticOrder = groups.every((g) => !g.fallback && g.order) ? groups.flatMap((g) => (g.fallback ? [] : g.order ?? [])) : null;
  const fallbackKeys = new Set(groups.filter((g) => g.fallback).map((g) => g.key));
  const reference: RuleEvaluator | null = fallbackKeys.size === 0 ? null : createReferenceEvaluator({
    rules: definition.rules.filter((rule) => fallbackKeys.has(String(Number.parseInt(String(rule.priority || 1), 10)))),
    conditions: definition.conditions,
  }, options);

  function runCompiled(facts: Facts): CompiledRun {
    // json-rules-engine refuses a fact named '' before evaluating anything.
    if (Object.hasOwn(facts, '')) throw new Error('factId required');
    const r: Run = { facts, slots: template.slice(), t: 0 };
    const events: RuleEvent[] = [];
    const fired: FiredRule[] = [];
    const report = (rule: CompiledRule, result: unknown): void => {
      r.slots[rule.slot] = result;
      if (result) { events.push(rule.event); fired.push(rule.fired); }
    };
    if (staticOrder) {
      for (const rule of staticOrder) report(rule, rule.root.run(r));
      return new CompiledRun(events, fired, staticOrder, r.slots);
    }
    const order: CompiledRule[] = [];
    for (const group of groups) {
      if (group.fallback) continue;
      if (group.order) {
        for (const rule of group.order) report(rule, rule.root.run(r));
        order.push(...group.order);
        continue;
      }
      const { rules } = group;
      const outcome: unknown[] = [];
      const turns: number[] = [];
      for (const rule of rules) { outcome.push(rule.root.run(r)); turns.push(r.t); }
      const byTurns = rules.map((_, i) => i).sort((a, b) => (turns[a] ?? 0) - (turns[b] ?? 0));
      for (const i of byTurns) {
        const rule = rules[i];
        if (rule) { report(rule, outcome[i]); order.push(rule); }
      }
    }
    return new CompiledRun(events, fired, order, r.slots);
  }

  function evaluateSync(facts: Facts): RuleRun {
    if (reference) throw new RulesNotFullyCompiled(fallbacks);
    return runCompiled(facts);
  }

  return {
    fallbacks,
    evaluateSync,
    async evaluate(facts) {
      if (!reference) return runCompiled(facts);
      const own = runCompiled(facts);
      return mergeRuns(groups, own.results, (await reference.evaluate(facts)).results);
    },
  };
}

/** One compiled evaluation; the condition trees are built on first read of `results`. */
class CompiledRun implements RuleRun {
  #results: RuleResult[] | undefined;
  readonly #order: readonly CompiledRule[];
  readonly #slots: readonly unknown[];

  constructor(readonly events: RuleEvent[], readonly fired: FiredRule[], order: readonly CompiledRule[], slots: readonly unknown[]) {
    this.#order = order;
    this.#slots = slots;
  }

  get results(): RuleResult[] {
    const slots = this.#slots;
    return (this.#results ??= this.#order.map((rule) => ({
      name: rule.name, priority: rule.priority, event: rule.event, result: slots[rule.slot] as boolean, conditions: rule.root.materialize(slots),
    })));
  }
}

/** Compiled groups and json-rules-engine's groups, back in priority order. */
function mergeRuns(groups: readonly Group[], compiled: readonly RuleResult[], reference: readonly RuleResult[]): RuleRun {
  const results: RuleResult[] = [];
  for (const group of groups) {
    const source = group.fallback ? reference : compiled;
    results.push(...source.filter((r) => String(r.priority) === group.key));
  }
  const firing = results.filter((r) => r.result);
  return {
    events: firing.map((r) => r.event),
    fired: firing.map((r) => ({ name: r.name, priority: r.priority, event: r.event })),
    results,
  };
}

/** What json-rules-engine's Engine.addRule and Rule constructor check, and take from a rule besides its conditions. */
function ruleHeader(json: unknown, index: number): { name: string; priority: number; event: RuleEvent } {
  if (json === null || typeof json !== 'object') throw new RuleInvalid(`#${index}`, 'a rule must be an object');
  const rule = json as Record<string, unknown>;
  const name = rule['name'];
  if (typeof name !== 'string' || name === '') throw new RuleInvalid(`#${index}`, 'a rule needs a non-empty "name"');
  for (const key of ['event', 'conditions']) if (!Object.hasOwn(rule, key)) throw new RuleInvalid(name, `a rule needs "${key}"`);
  const priority = Number.parseInt(String(rule['priority'] || 1), 10);
  if (priority <= 0) throw new RuleInvalid(name, 'priority must be greater than zero');
  const event = rule['event'] as Record<string, unknown> | null;
  if (!event || typeof event !== 'object' || !Object.hasOwn(event, 'type')) throw new RuleInvalid(name, 'an event needs a "type"');
  const params = event['params'] as Record<string, unknown> | undefined;
  const own: RuleEvent = params ? { type: event['type'] as string, params } : { type: event['type'] as string };
  return { name, priority, event: Object.freeze(own) };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
