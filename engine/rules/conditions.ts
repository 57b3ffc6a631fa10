import { compileFactCondition, runSimple, runSimpleGroup, type SimpleCondition } from './fact-condition.ts';
import { NOT_EVALUATED, Unsupported, prioritize, type CompileContext, type Node, type Run, type Trace } from './trace.ts';
import { RuleInvalid, type ConditionResult } from './types.ts';

/**
 * Compiles json-rules-engine condition trees (node_modules/json-rules-engine/dist/rule.js) into
 * closures. What they reproduce, besides the boolean logic:
 * - inside all / any, conditions are grouped by priority (highest first); every condition of a group
 *   is evaluated, and later groups are skipped once the outcome is known — skipped conditions are
 *   reported without a result;
 * - an all / any of one condition passes that condition's raw result up, empty ones are true;
 *   elsewhere results count only when `=== true`;
 * - a shared condition reference is replaced, when reached, by the shared tree (its own priority,
 *   name unless the shared tree names itself); unreached, it stays `{ condition: name }`.
 */

type Json = Record<string, unknown>;
type BooleanKey = 'all' | 'any' | 'not';
/** A name a shared tree inherits from the reference(s) that led to it. */
type Inherited = { name: unknown } | undefined;

/** A compiled top-level `conditions`, evaluated as Rule.evaluate does. */
export interface RootCondition {
  turns: number | undefined;
  run(r: Run): unknown;
  materialize(trace: Trace): ConditionResult;
  /**
   * Set when the rule is an all / any of plain fact conditions of one priority (one or more): the
   * rule loop then evaluates them with runSimpleGroup, without a call through `run`.
   */
  simpleGroup?: { conditions: SimpleCondition[]; all: boolean };
}

export function compileRoot(json: unknown, ctx: CompileContext): RootCondition {
  const node = asObject(json, ctx);
  const key = shapeOf(node, ctx);
  if (key === 'fact') throw new RuleInvalid(ctx.rule, '"conditions" root must contain a single instance of "all", "any", "not", or "condition"');
  // A root reference is realized and evaluated like a nested condition, so it does carry a result.
  if (key === 'condition') return compileReference(node, ctx, undefined);
  const body = compileBody(node, key, ctx);
  const meta = booleanMeta(node, undefined);
  const root: RootCondition = {
    turns: body.turns,
    run: body.run,
    materialize: (trace) => booleanResult(key, body.report(trace), meta, NOT_EVALUATED),
  };
  if (body.simpleGroup) root.simpleGroup = body.simpleGroup;
  return root;
}

/** Compiles every shared condition once, so a ruleset json-rules-engine would refuse is refused here too. */
export function checkSharedConditions(ctx: CompileContext): void {
  for (const [name, json] of Object.entries(ctx.shared)) {
    const check: CompileContext = { ...ctx, rule: `condition ${name}`, expanding: [name], allocate: () => 0 };
    try {
      if (shapeOf(asObject(json, check), check) === 'fact') throw new RuleInvalid(check.rule, 'a shared condition must be all, any, not or condition');
      compileCondition(json, check, undefined);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
    }
  }
}

function compileCondition(json: unknown, ctx: CompileContext, inherited: Inherited): Node {
  const node = asObject(json, ctx);
  const key = shapeOf(node, ctx);
  if (key === 'fact') return compileFactCondition(node, ctx);
  if (key === 'condition') return compileReference(node, ctx, inherited);
  return compileBoolean(node, key, ctx, inherited);
}

interface Body {
  turns: number | undefined;
  simpleGroup?: RootCondition['simpleGroup'];
  /** The all / any / not promise's value, with its turns in `r.t`. */
  run(r: Run): unknown;
  report(trace: Trace): ConditionResult | ConditionResult[];
  unevaluated(): ConditionResult | ConditionResult[];
}

function compileBoolean(json: Json, key: BooleanKey, ctx: CompileContext, inherited: Inherited): Node {
  const body = compileBody(json, key, ctx);
  const meta = booleanMeta(json, inherited);
  const slot = ctx.allocate(1);
  let template: ConditionResult | undefined;
  const node: Node = {
    priorityKey: meta.priority,
    turns: body.turns === undefined ? undefined : body.turns + 1,
    run(r) {
      const passes = body.run(r) === true;
      r.slots[slot] = passes;
      r.t += 1;
      return passes;
    },
    evaluated: (slots) => slots[slot] !== NOT_EVALUATED,
    unevaluated: () => (template ??= Object.freeze(booleanResult(key, body.unevaluated(), meta, NOT_EVALUATED))),
    materialize(trace) {
      const result = trace.slots[slot];
      if (result === NOT_EVALUATED) return node.unevaluated();
      return booleanResult(key, body.report(trace), meta, result);
    },
  };
  if (body.simpleGroup) node.step = new Step(null, body.simpleGroup.conditions, body.simpleGroup.all, slot, node.turns ?? 0, node.run);
  return node;
}

/**
 * How a parent's loop evaluates a child without calling it, when the child is a plain fact
 * condition (`simple`) or an all / any of them (`group`, its result recorded in `slot`).
 */
export class Step {
  constructor(
    readonly simple: SimpleCondition | null,
    readonly group: readonly SimpleCondition[] | null,
    readonly all: boolean,
    readonly slot: number,
    readonly turns: number,
    readonly run: Node['run'],
  ) {}

  static of(node: Node): Step {
    return node.step ?? new Step(node.simple ?? null, null, true, -1, 3, node.run);
  }
}

function compileBody(json: Json, key: BooleanKey, ctx: CompileContext): Body {
  if (key === 'not') {
    const inner = json['not'];
    if (Array.isArray(inner)) throw new RuleInvalid(ctx.rule, '"not" cannot be an array');
    const child = compileCondition(inner, ctx, undefined);
    return {
      turns: child.turns === undefined ? undefined : child.turns + 1,
      run(r) {
        const result = child.run(r);
        r.t += 1;
        return !result;
      },
      report: (trace) => child.materialize(trace),
      unevaluated: () => child.unevaluated(),
    };
  }
  const list = json[key];
  if (!Array.isArray(list)) throw new RuleInvalid(ctx.rule, `"${key}" must be an array`);
  const children = list.map((c: unknown) => compileCondition(c, ctx, undefined));
  return {
    ...groupedRun(children, key === 'all'),
    report: (trace) => children.map((c) => c.materialize(trace)),
    unevaluated: () => children.map((c) => c.unevaluated()),
  };
}

/** prioritizeAndRun: the value and turns of an all / any over its children. */
function groupedRun(children: Node[], all: boolean): Pick<Body, 'run' | 'turns' | 'simpleGroup'> {
  if (children.length === 0) return { turns: 0, run: (r) => { r.t = 0; return true; } };
  const only = children[0];
  if (children.length === 1 && only) {
    return only.simple ? { turns: only.turns, run: only.run, simpleGroup: { conditions: [only.simple], all } } : { turns: only.turns, run: only.run };
  }
  const groups = prioritize(children, (c) => c.priorityKey || 1);
  if (groups.length === 1) return singleGroupRun(children, all);
  return {
    run(r) {
      // A chain of `then`s, one per group: a decided group answers in one turn; an evaluated one
      // takes its slowest condition plus Promise.all, the every/some `then` and adopting that promise.
      let value = all;
      let t = 0;
      for (const group of groups) {
        if (all ? !value : value) { t += 1; continue; }
        let outcome = all;
        let slowest = 0;
        for (const c of group) {
          const passes = c.run(r) === true;
          if (r.t > slowest) slowest = r.t;
          outcome = all ? outcome && passes : outcome || passes;
        }
        value = outcome;
        t += slowest + 4;
      }
      r.t = t;
      return value;
    },
    turns: undefined,
  };
}

/**
 * The common case of groupedRun: all conditions share one priority, so all are evaluated. Plain
 * fact conditions are evaluated in the loop itself rather than through their closures.
 */
function singleGroupRun(children: Node[], all: boolean): Pick<Body, 'run' | 'turns' | 'simpleGroup'> {
  const fixed = children.every((c) => c.turns !== undefined) ? Math.max(...children.map((c) => c.turns ?? 0)) + 4 : undefined;
  const simple = children.map((c) => c.simple);
  if (simple.every((c) => c !== undefined)) {
    const conditions = simple as SimpleCondition[];
    return {
      turns: fixed,
      simpleGroup: { conditions, all },
      run(r) {
        const outcome = runSimpleGroup(r, conditions, all);
        r.t = 7;
        return outcome;
      },
    };
  }
  const steps = children.map(Step.of);
  return {
    turns: fixed,
    run(r) {
      let outcome = all;
      let slowest = 0;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i] as Step;
        let passes: boolean;
        let t: number;
        if (step.simple !== null) {
          passes = runSimple(r, step.simple) === true;
          t = 3;
        } else if (step.group !== null) {
          passes = runSimpleGroup(r, step.group, step.all) === true;
          r.slots[step.slot] = passes;
          t = step.turns;
        } else {
          passes = step.run(r) === true;
          t = r.t;
        }
        if (t > slowest) slowest = t;
        if (passes !== all) outcome = !all;
      }
      r.t = slowest + 4;
      return outcome;
    },
  };
}
function compileReference(json: Json, ctx: CompileContext, inherited: Inherited): Node {
  const name = json['condition'];
  const template = Object.freeze(referenceMeta(json));
  const base = { priorityKey: json['priority'], unevaluated: () => template };
  // checkReferences has refused unknown names and cycles before compiling.
  if (typeof name !== 'string' || !Object.hasOwn(ctx.shared, name)) throw new RuleInvalid(ctx.rule, `no shared condition named ${JSON.stringify(name)}`);
  if (ctx.expanding.includes(name)) throw new RuleInvalid(ctx.rule, `shared condition "${name}" refers to itself`);
  const ownName: Inherited = Object.hasOwn(json, 'name') ? { name: json['name'] } : inherited;
  ctx.expanding.push(name);
  const target = compileCondition(ctx.shared[name], ctx, ownName);
  ctx.expanding.pop();
  return {
    ...base,
    turns: target.turns,
    run: target.run,
    evaluated: (slots) => target.evaluated(slots),
    materialize: (trace) => (target.evaluated(trace.slots) ? target.materialize(trace) : template),
  };
}

function asObject(json: unknown, ctx: CompileContext): Json {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RuleInvalid(ctx.rule, 'a condition must be an object');
  return json as Json;
}

/** Which kind of condition an object is; mixtures json-rules-engine reads inconsistently fall back. */
function shapeOf(json: Json, ctx: CompileContext): BooleanKey | 'condition' | 'fact' {
  const keys = (['any', 'all', 'not', 'condition'] as const).filter((k) => Object.hasOwn(json, k));
  if (keys.length > 1) throw new Unsupported(`a condition with both ${keys.join(' and ')}`);
  const [key] = keys;
  if (key === undefined && !Object.hasOwn(json, 'fact')) throw new RuleInvalid(ctx.rule, 'a condition needs "fact", "all", "any", "not" or "condition"');
  return key ?? 'fact';
}

/**
 * An all / any / not as reported, built from literals of fixed shape (object spread and computed
 * keys made result trees several times dearer). `result` is left out when NOT_EVALUATED.
 */
function booleanResult(key: BooleanKey, inner: ConditionResult | ConditionResult[], meta: { priority: number; name?: unknown }, result: unknown): ConditionResult {
  const { priority, name } = meta;
  const named = name !== undefined;
  let out: Record<string, unknown>;
  if (key === 'all') out = named ? { all: inner, priority, name } : { all: inner, priority };
  else if (key === 'any') out = named ? { any: inner, priority, name } : { any: inner, priority };
  else out = named ? { not: inner, priority, name } : { not: inner, priority };
  if (result !== NOT_EVALUATED) out['result'] = result;
  return out as unknown as ConditionResult;
}

function booleanMeta(json: Json, inherited: Inherited): { priority: number; name?: unknown } {
  const priority = Number.parseInt(json['priority'] as string, 10) || 1;
  const name = Object.hasOwn(json, 'name') ? json['name'] : inherited?.name;
  return name === undefined ? { priority } : { priority, name };
}

function referenceMeta(json: Json): ConditionResult {
  const meta: Record<string, unknown> = { condition: json['condition'] };
  for (const key of ['priority', 'name']) if (Object.hasOwn(json, key) && json[key] !== undefined) meta[key] = json[key];
  return meta as unknown as ConditionResult;
}
