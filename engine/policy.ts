import type { FiredRule, Outcome, Reason } from './decision.ts';
import type { Policy } from './rules/ruleset.ts';

export interface PolicyInput {
  /** Rules whose conditions held, in evaluation order. */
  fired: FiredRule[];
  /** The arm's combined model score, or null when the arm has no model. */
  modelScore: number | null;
  policy: Policy;
}

export interface PolicyResult {
  decision: Outcome;
  score: number | null;
  reasons: Reason[];
  tags: string[];
}

const EVENT_OUTCOME: Record<string, Outcome | undefined> = { decline: 'DECLINE', review: 'REVIEW', approve: 'APPROVE' };

/**
 * Combines rule events and the model score into one outcome.
 * - score = model score + the deltas of fired `score` events, clamped to [0, 1];
 * - each decisive event (decline / review / approve) and the score's threshold band propose an outcome;
 * - the proposal listed first in `policy.precedence` wins (default DECLINE > REVIEW > APPROVE, so an
 *   allow-list that must override everything puts APPROVE first);
 * - with no proposal at all the transaction is approved.
 * Reasons list what supports the winning outcome first, then the other fired rules.
 */
export function applyPolicy({ fired, modelScore, policy }: PolicyInput): PolicyResult {
  const deltas = fired.filter((r) => r.event.type === 'score').map((r) => numberParam(r, 'delta') ?? 0);
  const score = modelScore === null && deltas.length === 0
    ? null
    : clamp01((modelScore ?? 0) + deltas.reduce((a, b) => a + b, 0));

  const proposals: { outcome: Outcome; reason: Reason }[] = [];
  for (const rule of fired) {
    const outcome = EVENT_OUTCOME[rule.event.type];
    if (outcome) proposals.push({ outcome, reason: ruleReason(rule) });
  }
  if (score !== null && policy.thresholds) {
    if (score >= policy.thresholds.decline) {
      proposals.push({ outcome: 'DECLINE', reason: { code: 'SCORE_ABOVE_DECLINE_THRESHOLD', message: `score ${score.toFixed(3)} ≥ decline threshold ${policy.thresholds.decline}` } });
    } else if (score >= policy.thresholds.review) {
      proposals.push({ outcome: 'REVIEW', reason: { code: 'SCORE_ABOVE_REVIEW_THRESHOLD', message: `score ${score.toFixed(3)} ≥ review threshold ${policy.thresholds.review}` } });
    }
  }

  const rank = (o: Outcome) => policy.precedence.indexOf(o);
  const decision = proposals.reduce<Outcome | null>((best, p) => (best === null || rank(p.outcome) < rank(best) ? p.outcome : best), null) ?? 'APPROVE';

  const winning = proposals.filter((p) => p.outcome === decision).map((p) => p.reason);
  const others = fired
    .filter((r) => EVENT_OUTCOME[r.event.type] !== decision)
    .map(ruleReason);
  const tags = [...new Set(fired.filter((r) => r.event.type === 'tag').map((r) => stringParam(r, 'tag') ?? r.name))];
  return { decision, score, reasons: [...winning, ...others], tags };
}

function ruleReason(rule: FiredRule): Reason {
  return {
    code: stringParam(rule, 'code') ?? codeOf(rule.name),
    message: stringParam(rule, 'reason') ?? rule.name,
    rule: rule.name,
  };
}

function codeOf(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 64) || 'RULE';
}

function stringParam(rule: FiredRule, key: string): string | undefined {
  const v = rule.event.params?.[key];
  return typeof v === 'string' ? v : undefined;
}

function numberParam(rule: FiredRule, key: string): number | undefined {
  const v = rule.event.params?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
