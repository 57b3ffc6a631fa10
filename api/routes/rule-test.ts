import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool.ts';
import type { DecisionRepository } from '../../activities/pg/decision-repository.ts';
import { createRulesetReader } from '../../activities/pg/ruleset-repository.ts';
import { createRuleCaches, listOperators } from '../../activities/ruleset-cache.ts';
import { buildFacts } from '../../engine/facts.ts';
import type { FxRates } from '../../engine/fx-rates.ts';
import { computeTransactionFeatures } from '../../engine/features/compute.ts';
import type { FeatureVector } from '../../engine/features/store.ts';
import type { Outcome } from '../../engine/decision.ts';
import { applyPolicy, type PolicyResult } from '../../engine/policy.ts';
import { explainRuleset } from '../../engine/rules/load.ts';
import type { Rule } from '../../engine/rules/ruleset.ts';
import type { ConditionResult } from '../../engine/rules/types.ts';
import type { ArmScores } from '../../engine/scoring.ts';
import { parseTransaction, type Transaction } from '../../engine/transaction.ts';
import { invalid, notFound, rulesetInvalid } from '../errors.ts';
import { rulesetCheck } from './ruleset-views.ts';
import { parseInput } from '../parse-input.ts';

const testSchema = z.strictObject({
  document: z.unknown().refine((d) => d !== undefined, 'is required').describe('The ruleset document to try (usually the draft)'),
  transaction: z.unknown().optional().describe('A transaction as POST /v1/decisions takes it'),
  transaction_id: z.string().min(1).max(128).optional().describe('A recorded transaction: its body, features and model scores are used'),
  features: z.record(z.string(), z.number().nullable()).optional().describe('Feature values for a pasted transaction (what-if); override recorded ones'),
}).refine((b) => (b.transaction === undefined) !== (b.transaction_id === undefined), {
  message: 'give transaction or transaction_id, not both and not neither', path: ['transaction'],
});

/** Where the facts the rules saw came from. */
type FeatureSource = 'recorded' | 'given' | 'transaction_only';

/** What POST /v1/rulesets/test answers (the editor's client is typed by it). */
export interface RuleTestReply {
  transaction: Pick<Transaction, 'id' | 'occurred_at' | 'amount' | 'currency' | 'customer_id' | 'merchant_id'>;
  features_source: FeatureSource;
  /** What the ruleset's policy makes of the fired rules (and the recorded model score, when there is one). */
  decision: PolicyResult;
  recorded_decision: { decision: Outcome; ruleset_version: string; score: number | null } | null;
  rules: { name: string; priority: number; enabled: boolean; event: Rule['event']; fired: boolean; conditions: ConditionResult | null }[];
  missing_facts: string[];
}

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const ruleTestRequests = { test: testSchema };

/**
 * Runs a ruleset document (valid, not necessarily saved) on one transaction and says, rule by rule,
 * which conditions held: the editor's test panel. A recorded transaction brings the features and
 * model scores it was decided with; a pasted one has only its own tx.* features unless the request
 * gives others. Nothing is recorded and no feature state changes.
 */
export function ruleTestRoutes(deps: { db: Db; decisions: DecisionRepository; fxRates?: FxRates | undefined }): Router {
  const router = Router();
  const check = rulesetCheck(deps.db);
  const { lists } = createRuleCaches(createRulesetReader(deps.db));
  const operators = listOperators(lists);

  router.post('/v1/rulesets/test', async (req, res) => {
    const body = parseInput(testSchema, req.body);
    const checked = await check(body.document);
    if (!checked.ok) throw rulesetInvalid('The ruleset has problems: fix them before testing it.', checked.problems);

    let tx: Transaction;
    let features: FeatureVector = {};
    let scores: ArmScores | null = null;
    let source: FeatureSource = 'transaction_only';
    const recorded = body.transaction_id ? await deps.decisions.get(body.transaction_id) : null;
    if (body.transaction_id) {
      if (!recorded) throw notFound(`A decided transaction "${body.transaction_id}"`);
      const stored = await deps.decisions.transactionBody(body.transaction_id);
      const again = parseTransaction(stored);
      if (!again.ok) throw invalid(again.issues.map((i) => ({ ...i, field: `transaction.${i.field}` })), 'The recorded transaction no longer parses.');
      tx = again.value;
      features = { ...recorded.features };
      scores = recorded.scores;
      source = 'recorded';
    } else {
      const pasted = parseTransaction(body.transaction);
      if (!pasted.ok) throw invalid(pasted.issues.map((i) => ({ ...i, field: i.field === '(body)' ? 'transaction' : `transaction.${i.field}` })), 'The transaction is invalid: see fields.');
      tx = pasted.value;
      computeTransactionFeatures(tx, features);
    }
    if (body.features) { features = { ...features, ...body.features }; source = source === 'recorded' ? 'recorded' : 'given'; }

    await lists.refresh();
    const facts = buildFacts(tx, features, scores, { fxRates: deps.fxRates });
    const run = await explainRuleset(checked.ruleset, facts, { operators });
    const fired = run.fired.map((f) => ({ ...f }));
    const outcome = applyPolicy({ fired, modelScore: scores?.combined ?? null, policy: checked.ruleset.policy });
    const results = new Map(run.results.map((r) => [r.name, r]));
    const reply: RuleTestReply = {
      transaction: { id: tx.id, occurred_at: tx.occurred_at, amount: tx.amount, currency: tx.currency, customer_id: tx.customer_id, merchant_id: tx.merchant_id },
      features_source: source,
      decision: outcome,
      recorded_decision: recorded ? { decision: recorded.decision, ruleset_version: recorded.rulesetVersion, score: recorded.score } : null,
      rules: checked.ruleset.rules.map((rule) => {
        const result = results.get(rule.name);
        return {
          name: rule.name, priority: rule.priority ?? 1, enabled: rule.enabled !== false, event: rule.event,
          fired: result?.result ?? false, conditions: result?.conditions ?? null,
        };
      }),
      // Facts the rules name that had no value here: conditions on them fail (json-rules-engine's undefined).
      missing_facts: [...namedFacts(checked.ruleset)].filter((name) => facts[name] === undefined || facts[name] === null).sort(),
    };
    res.json(reply);
  });

  return router;
}

/** Every fact name a ruleset's conditions mention. */
function namedFacts(doc: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record['fact'] === 'string' && 'operator' in record) names.add(record['fact']);
    for (const [key, value] of Object.entries(record)) if (key !== 'event' && key !== 'policy') walk(value);
  };
  walk(doc);
  return names;
}
