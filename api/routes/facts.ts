import { Router } from 'express';
import type { Db } from '../../db/pool.ts';
import { createListRepository } from '../../activities/pg/list-repository.ts';
import { createModelRegistry } from '../../activities/model-registry.ts';
import { TRANSACTION_FACTS } from '../../engine/facts.ts';
import { baseCurrencyOf, type FxRates } from '../../engine/fx-rates.ts';
import { DEFAULT_FEATURES, TRANSACTION_FEATURES, type FeatureDefinition } from '../../engine/features/definitions.ts';
import { OPERATOR_DECORATORS } from '../../engine/rules/operators.ts';
import { EVENT_TYPES, type EventType } from '../../engine/rules/ruleset.ts';
import { KNOWN_OPERATORS } from '../../engine/rules/validate.ts';

export type FactKind = 'transaction' | 'feature' | 'score';
export type FactType = 'number' | 'string' | 'object';

/** One name a rule condition may use as `fact`, with what the editor shows on completion and hover. */
export interface FactInfo {
  name: string;
  kind: FactKind;
  type: FactType;
  description: string;
}

/**
 * The transaction facts engine/facts.ts builds, described for authors. Keyed by TRANSACTION_FACTS, so a
 * new fact there fails the type check here until someone says what it means.
 */
/** What GET /v1/facts answers (the editor's client is typed by it). */
export interface FactsReply {
  facts: FactInfo[];
  operators: { name: string; description: string }[];
  decorators: { name: string; description: string }[];
  event_types: { name: EventType; description: string }[];
  lists: { name: string; kind: string; description: string; item_count: number }[];
}

const TRANSACTION_FACT_INFO: Record<(typeof TRANSACTION_FACTS)[number], { type: FactType; description: string }> = {
  id: { type: 'string', description: 'The transaction id the client sent' },
  amount: { type: 'number', description: 'Amount in the transaction\'s currency, as a number' },
  amount_text: { type: 'string', description: 'Amount exactly as sent, as a decimal string' },
  currency: { type: 'string', description: 'ISO 4217 currency code, e.g. EUR' },
  customer_id: { type: 'string', description: 'The paying customer' },
  merchant_id: { type: 'string', description: 'The merchant, or the terminal id when only that was sent' },
  terminal_id: { type: 'string', description: 'The terminal, when the client sent one' },
  device_id: { type: 'string', description: 'The customer\'s device, when known' },
  ip: { type: 'string', description: 'The client\'s IP address, when known' },
  card_bin: { type: 'string', description: 'First 6–8 digits of the card number' },
  country: { type: 'string', description: 'ISO 3166-1 alpha-2 country of the transaction' },
  channel: { type: 'string', description: 'card_present, ecommerce, moto, atm, transfer or wallet' },
  mcc: { type: 'string', description: 'Four-digit merchant category code' },
  email: { type: 'string', description: 'The customer\'s e-mail address' },
  email_domain: { type: 'string', description: 'The domain of the e-mail address, lower-case' },
  metadata: { type: 'object', description: 'Free-form metadata the client sent; reach into it with "path": "$.key"' },
  local_hour: { type: 'number', description: 'Hour of day 0–23 in metadata.timezone when sent, else in the timestamp\'s own offset' },
  amount_base: { type: 'number', description: 'Amount converted to the base currency (FX_RATES); absent for a currency without a rate' },
};

/** What amount_base holds on this server: the rates it was started with, or that it is never set. */
function amountBaseText(rates: FxRates | undefined): string {
  if (!rates) return 'Never set on this server: no conversion rates are configured (FX_RATES)';
  const base = baseCurrencyOf(rates);
  const currencies = Object.keys(rates).sort();
  return `Amount converted to ${base ?? 'the base currency'} (FX_RATES: ${currencies.join(', ')}); absent for any other currency`;
}

const OPERATOR_INFO: Record<string, string> = {
  equal: 'fact === value',
  notEqual: 'fact !== value',
  in: 'fact is one of the values (value is an array)',
  notIn: 'fact is none of the values (value is an array)',
  contains: 'the fact (an array) contains value',
  doesNotContain: 'the fact (an array) does not contain value',
  lessThan: 'fact < value (numbers)',
  lessThanInclusive: 'fact ≤ value (numbers)',
  greaterThan: 'fact > value (numbers)',
  greaterThanInclusive: 'fact ≥ value (numbers)',
  inList: 'the fact is on the named list (value is the list\'s name, see /v1/lists)',
  notInList: 'the fact is not on the named list (or is absent)',
};

const DECORATOR_INFO: Record<string, string> = {
  someFact: 'true when the operator holds for some element of the fact (an array)',
  everyFact: 'true when the operator holds for every element of the fact (an array)',
  someValue: 'true when the operator holds for some element of value (an array)',
  everyValue: 'true when the operator holds for every element of value (an array)',
  swap: 'swaps the fact and the value',
  not: 'negates the operator',
};

const EVENT_INFO: Record<EventType, string> = {
  decline: 'Proposes DECLINE; params.code and params.reason are shown to analysts and integrators',
  review: 'Proposes REVIEW: opens a case for analysts',
  approve: 'Proposes APPROVE (put APPROVE first in policy.precedence for an allow-list that overrides everything)',
  tag: 'Labels the decision with params.tag (or the rule\'s name)',
  score: 'Adds params.delta (−1 to 1) to the score, which the policy thresholds compare',
};

const windowText = (d: FeatureDefinition) => `${d.entity} · ${d.aggregate}${d.delayMs ? ' · delayed' : ''}`;

/**
 * The names the rule editor completes and documents: transaction facts, every feature, the arm's
 * combined `score` and `score.<role>` for each registered model role; the operators, their
 * decorators, the event types and the lists that exist. The same names the API's validation accepts.
 */
export function factRoutes(deps: { db: Db; fxRates?: FxRates | undefined }): Router {
  const router = Router();
  const lists = createListRepository(deps.db);
  const models = createModelRegistry(deps.db);

  router.get('/v1/facts', async (_req, res) => {
    const [allLists, allModels] = await Promise.all([lists.list(), models.list()]);
    const roles = [...new Set(allModels.map((m) => m.role))].sort();
    const facts: FactInfo[] = [
      ...TRANSACTION_FACTS.map((name) => ({ name, kind: 'transaction' as const, ...TRANSACTION_FACT_INFO[name] }))
        .map((f) => (f.name === 'amount_base' ? { ...f, description: amountBaseText(deps.fxRates) } : f)),
      ...DEFAULT_FEATURES.map((d) => ({ name: d.name, kind: 'feature' as const, type: 'number' as const, description: `${d.description} (${windowText(d)})` })),
      ...TRANSACTION_FEATURES.map((f) => ({ name: f.name, kind: 'feature' as const, type: 'number' as const, description: f.description })),
      { name: 'score', kind: 'score', type: 'number', description: 'The arm\'s combined model score in [0, 1], before rule score adjustments; absent when the arm has no model' },
      ...roles.map((role) => ({ name: `score.${role}`, kind: 'score' as const, type: 'number' as const, description: `The score of the arm's ${role} model in [0, 1]` })),
    ];
    const reply: FactsReply = {
      facts,
      operators: [...KNOWN_OPERATORS].map((name) => ({ name, description: OPERATOR_INFO[name] ?? '' })),
      decorators: OPERATOR_DECORATORS.map((name) => ({ name, description: DECORATOR_INFO[name] ?? '' })),
      event_types: EVENT_TYPES.map((name) => ({ name, description: EVENT_INFO[name] })),
      lists: allLists.map((l) => ({ name: l.name, kind: l.kind, description: l.description, item_count: l.items })),
    };
    res.json(reply);
  });

  return router;
}
