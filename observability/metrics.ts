import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ArmDecision, Decision } from '../engine/decision.ts';

/**
 * FraudGuard's Prometheus metrics, served at GET /metrics. Built around a registry passed in (one per
 * running instance; tests make their own), never prom-client's global one. Modules that have something
 * to count receive this object (or one of its narrow views) as a dependency and call its methods.
 */
export interface CaseQueueCount { queue: string; state: string; count: number }

export interface MetricsOptions {
  registry?: Registry;
  /** Read at each scrape for the case queue gauge (the cases module supplies it). */
  caseQueueSizes?: () => Promise<CaseQueueCount[]>;
  /** Node process metrics (CPU, memory, event-loop lag, GC). */
  processMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SCORE_BUCKETS = Array.from({ length: 20 }, (_, i) => Math.round((i + 1) * 0.05 * 100) / 100);

export function createMetrics(opts: MetricsOptions = {}) {
  const registry = opts.registry ?? new Registry();
  const registers = [registry];
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const decisions = new Counter({ name: 'fraudguard_decisions_total', help: 'Decisions made, by outcome and arm (shadow arms counted with shadow="true")', labelNames: ['outcome', 'arm', 'shadow'] as const, registers });
  const decisionLatency = new Histogram({ name: 'fraudguard_decision_latency_seconds', help: 'Time from the API receiving a decision request to answering it', labelNames: ['outcome', 'arm'] as const, buckets: LATENCY_BUCKETS, registers });
  const featureLatency = new Histogram({ name: 'fraudguard_feature_store_latency_seconds', help: 'Feature lookup (read + update of the velocity aggregates) per transaction', labelNames: ['result'] as const, buckets: LATENCY_BUCKETS, registers });
  const scoringLatency = new Histogram({ name: 'fraudguard_scoring_latency_seconds', help: "Scoring of a transaction's arms with their models", buckets: LATENCY_BUCKETS, registers });
  const ruleHits = new Counter({ name: 'fraudguard_rule_hits_total', help: 'Rules that fired, by ruleset version, rule and arm', labelNames: ['ruleset', 'rule', 'arm'] as const, registers });
  const modelScore = new Histogram({ name: 'fraudguard_model_score', help: 'Model scores, by model version and arm', labelNames: ['model', 'arm'] as const, buckets: SCORE_BUCKETS, registers });
  const degraded = new Counter({ name: 'fraudguard_degraded_decisions_total', help: 'Decisions made without some features (feature store down or slow)', registers });
  new Gauge({
    name: 'fraudguard_case_queue_size', help: 'Open review cases, by queue and state', labelNames: ['queue', 'state'] as const, registers,
    async collect() {
      if (!opts.caseQueueSizes) return;
      this.reset();
      for (const c of await opts.caseQueueSizes()) this.set({ queue: c.queue, state: c.state }, c.count);
    },
  });
  const slaBreaches = new Counter({ name: 'fraudguard_case_sla_breaches_total', help: 'Review cases that breached their SLA and escalated, by tier', labelNames: ['tier'] as const, registers });
  const notificationFailures = new Counter({ name: 'fraudguard_notification_failures_total', help: 'Failed notification deliveries, by channel; dead=true when retries were exhausted', labelNames: ['channel', 'dead'] as const, registers });
  const httpRequests = new Histogram({ name: 'fraudguard_http_request_duration_seconds', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'] as const, buckets: LATENCY_BUCKETS, registers });
  const rateLimited = new Counter({ name: 'fraudguard_rate_limited_total', help: 'Requests refused with 429, by limit', labelNames: ['limit'] as const, registers });
  const authFailures = new Counter({ name: 'fraudguard_auth_failures_total', help: 'Refused credentials and sign-ins, by reason', labelNames: ['reason'] as const, registers });
  const auditFailures = new Counter({ name: 'fraudguard_audit_write_failures_total', help: 'Audit entries that could not be written (alert on any)', registers });

  const countArm = (a: ArmDecision) => {
    decisions.inc({ outcome: a.decision, arm: a.arm, shadow: String(a.shadow) });
    for (const r of a.firedRules) ruleHits.inc({ ruleset: a.rulesetVersion, rule: r.name, arm: a.arm });
    for (const m of a.scores?.models ?? []) modelScore.observe({ model: m.modelVersion, arm: a.arm }, m.score);
  };

  return {
    registry,
    /** A decision and its shadow arms: outcomes, rule hits, model scores, degradation. */
    decided(d: Decision): void {
      countArm(d);
      for (const s of d.shadows) countArm(s);
      if (d.degraded) degraded.inc();
    },
    decisionAnswered(d: Pick<Decision, 'decision' | 'arm'>, seconds: number): void {
      decisionLatency.observe({ outcome: d.decision, arm: d.arm }, seconds);
    },
    featuresRead(seconds: number, wasDegraded: boolean): void {
      featureLatency.observe({ result: wasDegraded ? 'degraded' : 'ok' }, seconds);
    },
    scored(seconds: number): void {
      scoringLatency.observe(seconds);
    },
    slaBreached(tier: string): void {
      slaBreaches.inc({ tier });
    },
    notificationFailed(channel: string, dead = false): void {
      notificationFailures.inc({ channel, dead: String(dead) });
    },
    httpRequest(method: string, route: string, status: number, seconds: number): void {
      httpRequests.observe({ method, route, status: String(status) }, seconds);
    },
    rateLimited(limit: 'decision' | 'login_ip' | 'login_account'): void {
      rateLimited.inc({ limit });
    },
    authFailed(reason: string): void {
      authFailures.inc({ reason });
    },
    auditWriteFailed(): void {
      auditFailures.inc();
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
