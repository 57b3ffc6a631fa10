import { Engine, type RuleProperties, type RuleResult as EngineRuleResult, type TopLevelCondition as EngineCondition } from 'json-rules-engine';
import { checkReferences } from './references.ts';
import type { ConditionResult, EvaluatorOptions, RuleEvaluator, RuleEvent, RuleResult, RuleRun, RulesDefinition } from './types.ts';

/**
 * The reference semantics: json-rules-engine itself, with every fact known up front and missing
 * facts read as undefined (`allowUndefinedFacts`).
 *
 * An Engine is built once per ruleset and reused, but one Engine must never run two evaluations at a
 * time: `run` keeps its state on the engine (`status`), and when one run finishes it marks the
 * engine FINISHED, so a concurrent run silently skips its remaining priority groups. Each evaluation
 * therefore borrows an idle engine (building another only when all are busy). An engine whose run
 * failed is dropped: its other priority groups may still be settling in the background and would
 * mark it FINISHED in the middle of a later run.
 */
export function createReferenceEvaluator(definition: RulesDefinition, options: EvaluatorOptions = {}): RuleEvaluator {
  checkReferences(definition);
  const build = (): Engine => {
    const engine = new Engine([], { allowUndefinedFacts: true });
    for (const [name, fn] of Object.entries(options.operators ?? {})) engine.addOperator(name, fn);
    // Copies: json-rules-engine rewrites parts of what it is given (condition priorities).
    for (const [name, condition] of Object.entries(definition.conditions ?? {})) {
      engine.setCondition(name, structuredClone(condition) as EngineCondition);
    }
    for (const rule of definition.rules) engine.addRule(structuredClone(rule) as RuleProperties);
    return engine;
  };
  const idle: Engine[] = [build()];

  return {
    async evaluate(facts) {
      const engine = idle.pop() ?? build();
      const { almanac } = await engine.run(facts);
      idle.push(engine);
      // The almanac keeps every rule's result in the order json-rules-engine settled them;
      // EngineResult splits successes from failures and loses that order.
      const all = (almanac as unknown as { getResults(): EngineRuleResult[] }).getResults();
      return toRuleRun(all.map(toRuleResult));
    },
  };
}

function toRuleRun(results: RuleResult[]): RuleRun {
  const firing = results.filter((r) => r.result);
  return {
    events: firing.map((r) => r.event),
    fired: firing.map((r) => ({ name: r.name, priority: r.priority, event: r.event })),
    results,
  };
}

function toRuleResult(result: EngineRuleResult): RuleResult {
  const event = result.event ?? { type: 'unknown' };
  return {
    name: result.name,
    priority: result.priority ?? 1,
    event: (Object.hasOwn(event, 'params') ? { type: event.type, params: event.params } : { type: event.type }) as RuleEvent,
    result: result.result as boolean,
    conditions: toConditionResult(result.conditions),
  };
}

/** json-rules-engine's evaluated condition objects as plain data (see ConditionResult). */
export function toConditionResult(condition: unknown): ConditionResult {
  const node = condition as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const copy = (...keys: string[]): void => {
    for (const key of keys) if (Object.hasOwn(node, key) && node[key] !== undefined) out[key] = node[key];
  };
  if (Object.hasOwn(node, 'condition')) {
    // A shared condition the run never reached stays a reference.
    out['condition'] = node['condition'];
    copy('priority', 'name');
  } else if (Object.hasOwn(node, 'any') || Object.hasOwn(node, 'all') || Object.hasOwn(node, 'not')) {
    const key = Object.hasOwn(node, 'any') ? 'any' : Object.hasOwn(node, 'all') ? 'all' : 'not';
    out[key] = key === 'not' ? toConditionResult(node['not']) : (node[key] as unknown[]).map(toConditionResult);
    out['priority'] = node['priority'];
    copy('name');
    if (Object.hasOwn(node, 'result')) out['result'] = node['result'];
  } else {
    out['fact'] = node['fact'];
    out['operator'] = node['operator'];
    out['value'] = node['value'];
    copy('path', 'params', 'priority', 'name');
    if (Object.hasOwn(node, 'result')) {
      out['factResult'] = node['factResult'];
      out['valueResult'] = node['valueResult'];
      out['result'] = node['result'];
    }
  }
  return out as unknown as ConditionResult;
}
