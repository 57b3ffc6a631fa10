import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { factsArb, rulesetArb } from './arbitrary-rulesets.ts';
import { compileRuleset } from './compiled.ts';
import { createReferenceEvaluator } from './reference.ts';
import type { ConditionResult, Facts, RuleEvaluator, RuleResult, RuleRun, SyncRuleEvaluator } from './types.ts';

/**
 * The compiled evaluator is trusted only because it agrees with json-rules-engine everywhere:
 * random rulesets (every operator and decorator, nesting, paths, fact-to-fact comparisons, shared
 * conditions, priorities, custom operators) against random facts, comparing fired events, the rules
 * that fired and every rule's result with its condition tree — or that both fail.
 *
 * A ruleset is compiled once and meets many fact objects, as in production; json-rules-engine's
 * run (~100 µs, asynchronous) dominates the cost.
 */
// 400 × 60 = 24,000 cases keep the default suite within its time budget on a shared 2-core machine;
// RULES_DIFF_RULESETS=2000 (120,000 cases) is the deeper run before changing compiled.ts.
const RULESETS = Number(process.env.RULES_DIFF_RULESETS ?? 400);
const FACTS_PER_RULESET = 60;

type Outcome = { ok: true; run: Pick<RuleRun, 'events' | 'fired' | 'results'> } | { ok: false };

async function outcome(evaluate: () => RuleRun | Promise<RuleRun>): Promise<Outcome> {
  try {
    const run = await evaluate();
    return { ok: true, run: { events: run.events, fired: run.fired, results: run.results } };
  } catch {
    return { ok: false };
  }
}

/** Whether json-rules-engine reported some equal-priority rules in another order than written (so the order was really tested). */
function reordered(results: readonly RuleResult[], written: readonly string[]): boolean {
  return results.some((r, i) => {
    const next = results[i + 1];
    return next !== undefined && next.priority === r.priority && written.indexOf(next.name) < written.indexOf(r.name);
  });
}

/** Whether a condition tree has a fact condition json-rules-engine did not evaluate (a short-circuit). */
function hasSkipped(node: ConditionResult): boolean {
  if ('fact' in node) return !('result' in node);
  if ('all' in node) return node.all.some(hasSkipped);
  if ('any' in node) return node.any.some(hasSkipped);
  if ('not' in node) return hasSkipped(node.not);
  return true;
}

describe('compiled rules against json-rules-engine', () => {
  it(`agree on ${RULESETS * FACTS_PER_RULESET} random (ruleset, facts) cases`, async (t) => {
    const stats = { cases: 0, failedAlike: 0, fired: 0, rulesetsWithFallback: 0, reordered: 0, skipped: 0 };
    const started = performance.now();
    await fc.assert(fc.asyncProperty(rulesetArb, fc.array(factsArb, { minLength: FACTS_PER_RULESET, maxLength: FACTS_PER_RULESET }), async ({ definition, operators }, factsList) => {
      const reference: RuleEvaluator = createReferenceEvaluator(definition, { operators });
      const compiled = compileRuleset(definition, { operators });
      if (compiled.fallbacks.length > 0) stats.rulesetsWithFallback += 1;
      const evaluate = (facts: Facts) => (compiled.fallbacks.length > 0 ? compiled.evaluate(facts) : (compiled as SyncRuleEvaluator).evaluateSync(facts));
      for (const facts of factsList) {
        const expected = await outcome(() => reference.evaluate(facts));
        const actual = await outcome(() => evaluate(facts));
        assert.deepStrictEqual(actual, expected, `facts: ${String(Object.entries(facts).map(([k, v]) => `${k}=${JSON.stringify(v)}`))}`);
        stats.cases += 1;
        if (!expected.ok) stats.failedAlike += 1;
        else {
          stats.fired += expected.run.fired.length;
          if (reordered(expected.run.results, definition.rules.map((r) => r.name))) stats.reordered += 1;
          if (expected.run.results.some((r) => hasSkipped(r.conditions))) stats.skipped += 1;
        }
      }
    }), { numRuns: RULESETS, endOnFailure: true });
    t.diagnostic(`${stats.cases} cases in ${((performance.now() - started) / 1000).toFixed(1)} s; ${stats.failedAlike} failed in both; `
      + `${stats.fired} rule firings; ${stats.reordered} runs reported equal-priority rules out of their written order; `
      + `${stats.skipped} runs skipped conditions; ${stats.rulesetsWithFallback} of ${RULESETS} rulesets had a fallback rule`);
    assert.equal(stats.cases, RULESETS * FACTS_PER_RULESET);
  });
});
