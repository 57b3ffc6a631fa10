import { checkSharedConditions, compileRoot, type RootCondition } from './conditions.ts';
import { runSimpleGroup, type SimpleCondition } from './fact-condition.ts';
import { createReferenceEvaluator } from './reference.ts';
import { checkReferences } from './references.ts';
import { NOT_EVALUATED, UNREAD, Unsupported, prioritize, type CompileContext, type Run, type Trace } from './trace.ts';
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

/** A compiled rule. A class, so that every rule has the same shape and the hot loop's property reads stay monomorphic. */
class CompiledRule {
  readonly run: (r: Run) => unknown;
  readonly materialize: RootCondition['materialize'];
  readonly turns: number | undefined;
  readonly fired: FiredRule;
  /** The rule's plain fact conditions, when that is all it has (RootCondition.simpleGroup). */
  readonly simple: readonly SimpleCondition[] | null;
  readonly all: boolean;

  constructor(
    readonly name: string,
    readonly priority: number,
    readonly event: RuleEvent,
    readonly root: RootCondition,
    /** Where the rule's result goes in the trace, and its turns after it. */
    readonly slot: number,
  ) {
    this.run = root.run;
    this.materialize = root.materialize;
    this.turns = root.turns;
    this.simple = root.simpleGroup?.conditions ?? null;
    this.all = root.simpleGroup?.all ?? true;
    this.fired = Object.freeze({ name, priority, event });
  }
}

/** Rules of one priority: compiled (in a fixed order when every rule's turns are fixed) or left to json-rules-engine. */
class Group {
  constructor(
    readonly key: string,
    readonly fallback: boolean,
    readonly rules: readonly CompiledRule[],
    readonly order: readonly CompiledRule[] | null,
  ) {}
}

export function compileRuleset(definition: RulesDefinition, options: EvaluatorOptions = {}): CompiledRuleset {
  checkReferences(definition);
  // Our own frozen copy: results hand out parts of it (values, params, events) to every caller.
  const rules = deepFreeze(structuredClone(definition.rules)) as readonly unknown[];
  const shared = deepFreeze(structuredClone(definition.conditions ?? {})) as Readonly<Record<string, unknown>>;
  let size = 0;
  const allocate = (n: number): number => { size += n; return size - n; };
  const factNames: string[] = [];
  const factIndex = (name: string): number => {
    const at = factNames.indexOf(name);
    return at >= 0 ? at : factNames.push(name) - 1;
  };
  const base = { operators: options.operators ?? {}, shared, expanding: [], allocate, factIndex };
  checkSharedConditions({ ...base, rule: '' });

  const fallbacks: RuleFallback[] = [];
  const compiled = rules.map((json, index): CompiledRule | { priority: number; fallback: true } => {
    const header = ruleHeader(json, index);
    try {
      const root = compileRoot((json as Record<string, unknown>)['conditions'], { ...base, rule: header.name, expanding: [] } satisfies CompileContext);
      return new CompiledRule(header.name, header.priority, header.event, root, allocate(2));
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      fallbacks.push({ rule: header.name, reason: err.message });
      return { priority: header.priority, fallback: true };
    }
  });

  const groups: Group[] = prioritize(compiled, (r) => r.priority).map((members) => {
    const key = String(members[0]?.priority);
    const rules = members.filter((r): r is CompiledRule => r instanceof CompiledRule);
    if (rules.length < members.length) return new Group(key, true, [], null);
    // Stable sort: equal turns keep the rules' order, as json-rules-engine's microtask queue does.
    const order = rules.every((r) => r.turns !== undefined) ? [...rules].sort((a, b) => (a.turns ?? 0) - (b.turns ?? 0)) : null;
    return new Group(key, false, rules, order);
  });
  const template: unknown[] = new Array<unknown>(size).fill(NOT_EVALUATED);
  const unread: unknown[] = new Array<unknown>(factNames.length).fill(UNREAD);
  const fallbackKeys = new Set(groups.filter((g) => g.fallback).map((g) => g.key));
  const reference: RuleEvaluator | null = fallbackKeys.size === 0 ? null : createReferenceEvaluator({
    rules: definition.rules.filter((rule) => fallbackKeys.has(String(Number.parseInt(String(rule.priority || 1), 10)))),
    conditions: definition.conditions,
  }, options);

  function runCompiled(facts: Facts): CompiledRun {
    // json-rules-engine refuses a fact named '' before evaluating anything.
    if (Object.hasOwn(facts, '')) throw new Error('factId required');
    const r: Run = { facts, values: unread.slice(), slots: template.slice(), t: 0 };
    const slots = r.slots;
    const events: RuleEvent[] = [];
    const fired: FiredRule[] = [];
    for (const group of groups) {
      if (group.fallback) continue;
      if (group.order) {
        for (const rule of group.order) {
          // Turns are not needed here: the order is fixed.
          const result = rule.simple !== null ? runSimpleGroup(r, rule.simple, rule.all) : rule.run(r);
          slots[rule.slot] = result;
          if (result) { events.push(rule.event); fired.push(rule.fired); }
        }
        continue;
      }
      // Turns vary: a rule that fired is placed after those of its priority that settle no later.
      const start = fired.length;
      let firing: CompiledRule[] | undefined;
      for (const rule of group.rules) {
        const result = rule.run(r);
        const turns = r.t;
        slots[rule.slot] = result;
        slots[rule.slot + 1] = turns;
        if (!result) continue;
        firing ??= [];
        let at = firing.length;
        while (at > 0 && (slots[(firing[at - 1] as CompiledRule).slot + 1] as number) > turns) at -= 1;
        if (at === firing.length) {
          firing.push(rule);
          events.push(rule.event);
          fired.push(rule.fired);
        } else {
          firing.splice(at, 0, rule);
          events.splice(start + at, 0, rule.event);
          fired.splice(start + at, 0, rule.fired);
        }
      }
    }
    return new CompiledRun(events, fired, groups, r);
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
  readonly #groups: readonly Group[];
  readonly #trace: Trace;

  constructor(readonly events: RuleEvent[], readonly fired: FiredRule[], groups: readonly Group[], trace: Trace) {
    this.#groups = groups;
    this.#trace = trace;
  }

  get results(): RuleResult[] {
    if (this.#results) return this.#results;
    const trace = this.#trace;
    const slots = trace.slots;
    const results: RuleResult[] = [];
    for (const group of this.#groups) {
      if (group.fallback) continue;
      // Array.prototype.sort is stable: equal turns keep the written order.
      const order = group.order ?? [...group.rules].sort((a, b) => (slots[a.slot + 1] as number) - (slots[b.slot + 1] as number));
      for (const rule of order) {
        results.push({ name: rule.name, priority: rule.priority, event: rule.event, result: slots[rule.slot] as boolean, conditions: rule.materialize(trace) });
      }
    }
    return (this.#results = results);
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
