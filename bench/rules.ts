// Rule evaluation: the compiled evaluator against json-rules-engine's Engine.run, same rules, same
// facts, same process. `npx tsx bench/rules.ts` runs it alone; `npm run bench` runs it with the rest.
import { deepStrictEqual } from 'node:assert/strict';
import { Engine, type RuleProperties, type TopLevelCondition as EngineCondition } from 'json-rules-engine';
import { compileRuleset } from '../engine/rules/compiled.ts';
import { createReferenceEvaluator } from '../engine/rules/reference.ts';
import type { Condition, CustomOperators, Facts, RuleInput, RulesDefinition } from '../engine/rules/types.ts';
import { figure, quantile, runAlone, type BenchFigure } from './figure.ts';

// Fewer with the environment variables (a test of the bench's output runs it small).
const TRANSACTIONS = Number(process.env.BENCH_RULES_TRANSACTIONS ?? 2_000);
const TARGET_SPEEDUP = 100;
const ROUNDS = Number(process.env.BENCH_RULES_ROUNDS ?? 7);

/** Deterministic PRNG (mulberry32), so every run measures the same transactions. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LISTS = new Map<string, Set<string>>([
  ['blocked_devices', new Set(Array.from({ length: 1000 }, (_, i) => `dev-${i * 7}`))],
  ['blocked_emails', new Set(Array.from({ length: 1000 }, (_, i) => `user${i * 11}@mail.test`))],
  ['vip_customers', new Set(Array.from({ length: 100 }, (_, i) => `c${i * 50}`))],
]);

/** The production list operators (see activities/ruleset-cache.ts), over in-memory lists. */
const OPERATORS: CustomOperators = {
  inList: (value, list) => typeof list === 'string' && value !== undefined && value !== null && (LISTS.get(list)?.has(String(value)) ?? false),
  notInList: (value, list) => typeof list === 'string' && !(value !== undefined && value !== null && (LISTS.get(list)?.has(String(value)) ?? false)),
};

const fact = (name: string, operator: string, value: unknown, path?: string): Condition => (path ? { fact: name, operator, value, path } : { fact: name, operator, value });
const rule = (name: string, priority: number, type: string, conditions: RuleInput['conditions'], params: Record<string, unknown> = {}): RuleInput =>
  ({ name, priority, conditions, event: { type, params: { code: name.toUpperCase().replace(/\W+/g, '_'), reason: name, ...params } } });

/** Twenty rules of the kinds a card-fraud team writes: lists, velocity, spend, terminals, model scores. */
function fraudRules(): RuleInput[] {
  return [
    rule('Blocked device', 100, 'decline', { all: [fact('device_id', 'inList', 'blocked_devices')] }),
    rule('Blocked email', 100, 'decline', { all: [fact('email', 'inList', 'blocked_emails')] }),
    rule('Disposable email domain', 100, 'review', { all: [fact('email_domain', 'in', ['mailinator.test', 'tempmail.test', 'yopmail.test'])] }),
    rule('VIP customer', 90, 'approve', { all: [fact('customer_id', 'inList', 'vip_customers')] }),
    rule('Model very high', 60, 'decline', { all: [fact('score.gbdt', 'greaterThanInclusive', 0.9)] }),
    rule('Velocity burst 1h', 50, 'review', { all: [fact('customer.tx_count_1h', 'greaterThanInclusive', 5)] }),
    rule('Velocity 1d', 50, 'review', { all: [fact('customer.tx_count_1d', 'greaterThanInclusive', 20)] }),
    rule('Card testing', 50, 'decline', { all: [fact('customer.tx_count_1h', 'greaterThanInclusive', 3), fact('amount', 'lessThan', 2)] }),
    rule('Daily spend spike', 40, 'review', { all: [fact('customer.amount_sum_1d', 'greaterThan', 2000), { condition: 'knownCustomer' }] }),
    rule('Amount far above norm', 40, 'review', { all: [fact('customer.amount_ratio_30d', 'greaterThanInclusive', 4), fact('amount', 'greaterThanInclusive', 100), { condition: 'knownCustomer' }] }),
    rule('Large amount', 30, 'score', { all: [fact('amount', 'greaterThan', 220)] }, { delta: 0.5 }),
    rule('Very large amount', 30, 'review', { all: [fact('amount', 'greaterThan', 1000)] }),
    rule('Compromised terminal', 30, 'review', { all: [fact('terminal.fraud_rate_7d_delay7d', 'greaterThanInclusive', 0.2), fact('terminal.tx_count_7d_delay7d', 'greaterThanInclusive', 3)] }),
    rule('Elevated terminal', 20, 'score', { all: [fact('terminal.fraud_rate_7d_delay7d', 'greaterThanInclusive', 0.1)] }, { delta: 0.2 }),
    rule('Model medium', 20, 'review', { all: [fact('score.gbdt', 'greaterThanInclusive', 0.6), fact('amount', 'greaterThan', 50)] }),
    rule('Foreign card not present', 20, 'review', { all: [fact('country', 'notIn', ['FR', 'DE', 'ES', 'IT', 'NL']), fact('channel', 'equal', 'ecom'), fact('amount', 'greaterThan', 150)] }),
    rule('High-risk merchant category', 20, 'review', { all: [fact('mcc', 'in', ['7995', '6051', '4829']), fact('amount', 'greaterThan', 100)] }),
    rule('New device, large amount', 20, 'score', { all: [fact('metadata', 'lessThan', 1, '$.device.age_days'), fact('amount', 'greaterThan', 200)] }, { delta: 0.3 }),
    rule('Anomalous', 10, 'tag', { any: [fact('score.anomaly', 'greaterThanInclusive', 0.8), { all: [fact('local_hour', 'lessThan', 6), fact('customer.tx_count_30d', 'equal', 0)] }] }, { tag: 'anomalous' }),
    rule('Night first use', 10, 'tag', { all: [fact('local_hour', 'in', [0, 1, 2, 3, 4, 5]), fact('customer.tx_count_30d', 'equal', 0)] }, { tag: 'night_first_use' }),
  ];
}

const COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'PT', 'US', 'GB', 'BR'];
const MCCS = ['5411', '5812', '5999', '4111', '5732', '7011', '5311', '4814', '5541', '5691'];

/** Fifty: the twenty plus per-country limits, per-category velocity and score × terminal bands. */
function fraudRules50(): RuleInput[] {
  const more: RuleInput[] = [];
  COUNTRIES.forEach((country, i) => more.push(rule(`Country limit ${country}`, 15, 'review',
    { all: [fact('country', 'equal', country), fact('amount', 'greaterThan', 300 + 100 * i)] })));
  MCCS.forEach((mcc, i) => more.push(rule(`Category velocity ${mcc}`, 15, 'review',
    { all: [fact('mcc', 'equal', mcc), fact('customer.tx_count_1d', 'greaterThan', 8 + i)] })));
  for (let i = 0; i < 10; i++) {
    more.push(rule(`Score band ${i}`, 5, 'score', { any: [
      { all: [fact('score.gbdt', 'greaterThanInclusive', 0.3 + i * 0.05), fact('terminal.fraud_rate_7d_delay7d', 'greaterThan', 0.05 * i)] },
      { all: [fact('score.anomaly', 'greaterThanInclusive', 0.5 + i * 0.04), fact('customer.amount_ratio_30d', 'greaterThan', 2 + i)] },
    ] }, { delta: 0.05 }));
  }
  return [...fraudRules(), ...more];
}

const DEFINITION = (rules: RuleInput[]): RulesDefinition => ({
  rules,
  conditions: { knownCustomer: { all: [fact('customer.tx_count_30d', 'greaterThanInclusive', 5)] } },
});

/** Facts as engine/facts.ts builds them: transaction fields, velocity features, model scores. */
function transactions(n: number): Facts[] {
  const rnd = random(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const heavy = rnd() < 0.1;
    return {
      id: `tx${i}`, amount: Math.round((heavy ? 300 + rnd() * 3000 : rnd() * 150) * 100) / 100, currency: 'EUR',
      customer_id: `c${Math.floor(rnd() * 5000)}`, terminal_id: `t${Math.floor(rnd() * 1000)}`,
      device_id: `dev-${Math.floor(rnd() * 20000)}`, email: `user${Math.floor(rnd() * 30000)}@mail.test`,
      email_domain: rnd() < 0.02 ? 'yopmail.test' : 'mail.test', country: pick(COUNTRIES), channel: rnd() < 0.6 ? 'ecom' : 'pos',
      mcc: rnd() < 0.05 ? '7995' : pick(MCCS), local_hour: Math.floor(rnd() * 24),
      metadata: { device: { age_days: Math.floor(rnd() * 30) } },
      'customer.tx_count_1h': Math.floor(rnd() * (heavy ? 8 : 3)), 'customer.tx_count_1d': Math.floor(rnd() * (heavy ? 30 : 10)),
      'customer.tx_count_30d': Math.floor(rnd() * 60), 'customer.amount_sum_1d': Math.round(rnd() * (heavy ? 5000 : 800)),
      'customer.amount_ratio_30d': Math.round(rnd() * (heavy ? 8 : 2) * 100) / 100,
      'terminal.fraud_rate_7d_delay7d': Math.round(rnd() ** 3 * 0.5 * 1000) / 1000, 'terminal.tx_count_7d_delay7d': Math.floor(rnd() * 40),
      'score.gbdt': Math.round(rnd() ** 2 * 1000) / 1000, 'score.anomaly': Math.round(rnd() * 1000) / 1000,
    };
  });
}

/** Elapsed µs per transaction for one pass over `count` transactions. */
async function perTx(count: number, pass: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await pass();
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

const median = (xs: number[]): number => quantile(xs, 0.5);

async function measure(label: string, definition: RulesDefinition, facts: Facts[]): Promise<BenchFigure[]> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, fn] of Object.entries(OPERATORS)) engine.addOperator(name, fn);
  for (const [name, c] of Object.entries(definition.conditions ?? {})) engine.setCondition(name, structuredClone(c) as EngineCondition);
  for (const r of definition.rules) engine.addRule(structuredClone(r) as RuleProperties);
  const compiled = compileRuleset(definition, { operators: OPERATORS });

  // The figures mean something only if both give the same answers on these transactions.
  const reference = createReferenceEvaluator(definition, { operators: OPERATORS });
  let fired = 0;
  for (const f of facts) {
    const ours = compiled.evaluateSync(f);
    const theirs = await reference.evaluate(f);
    deepStrictEqual({ events: ours.events, fired: ours.fired, results: ours.results }, theirs);
    fired += ours.fired.length;
  }

  const jre = async () => { for (const f of facts) await engine.run(f); };
  const events = () => { for (const f of facts) compiled.evaluateSync(f); };
  const withResults = () => { for (const f of facts) void compiled.evaluateSync(f).results; };
  for (let i = 0; i < 3; i++) { await jre(); events(); withResults(); } // JIT warm-up
  // Interleaved rounds, so that a busy moment of the machine weighs on both sides alike.
  const rounds = { jre: [] as number[], events: [] as number[], results: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.jre.push(await perTx(facts.length, jre));
    for (let j = 0; j < 5; j++) {
      rounds.events.push(await perTx(facts.length, events));
      rounds.results.push(await perTx(facts.length, withResults));
    }
  }
  const base = median(rounds.jre);
  const fast = median(rounds.events);
  const full = median(rounds.results);

  const baseline = { name: `json-rules-engine Engine.run, ${label}`, value: base };
  const target = (us: number) => ({ text: `≥${TARGET_SPEEDUP}× faster (ratio ≤ ${1 / TARGET_SPEEDUP})`, met: base / us >= TARGET_SPEEDUP });
  console.log(`${label}: ${facts.length} transactions, ${fired} rule firings, compiled = json-rules-engine on every one; `
    + `json-rules-engine ${base.toFixed(1)} µs/tx; compiled ×${(base / fast).toFixed(0)} faster (events), `
    + `×${(base / full).toFixed(0)} (reading every rule's condition tree too)`);
  return [
    figure(`compiled rules, ${label}: fired events`, fast, 'µs/tx', baseline, target(fast)),
    figure(`compiled rules, ${label}: events + every rule's results`, full, 'µs/tx', baseline),
  ];
}

export async function runRulesBench(): Promise<BenchFigure[]> {
  const facts = transactions(TRANSACTIONS);
  return [
    ...await measure('20 rules', DEFINITION(fraudRules()), facts),
    ...await measure('50 rules', DEFINITION(fraudRules50()), facts),
  ];
}

await runAlone(import.meta.url, runRulesBench);
