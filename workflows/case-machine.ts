import { and, assign, emit, setup, type SnapshotFrom } from 'xstate';

/**
 * The review case's lifecycle, as data. Pure: no clock, no timers, no I/O. Time arrives on every
 * event (`at`, epoch ms from the workflow's deterministic clock) and the machine only computes the
 * deadlines; the transaction workflow owns the timers and sends SLA_BREACHED / IDLE_TIMEOUT when
 * they fire. So the same events always give the same states, in a workflow replay as in a unit test.
 *
 *   open ──CLAIM──▶ claimed ──APPROVE──▶ resolved_approved
 *    │  ▲            │  │    ──DECLINE──▶ resolved_declined
 *    │  └─RELEASE / IDLE_TIMEOUT (tier L1)
 *    │               │  └─RELEASE / IDLE_TIMEOUT (tier L2, lead) ──▶ escalated
 *    └─ESCALATE / SLA_BREACHED──▶ escalated ──CLAIM──▶ claimed (next tier, new SLA)
 */

export const TIERS = ['L1', 'L2', 'lead'] as const;
export type Tier = (typeof TIERS)[number];

export const CASE_STATUSES = ['open', 'claimed', 'escalated', 'resolved_approved', 'resolved_declined'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The account name the workflow uses for what the clock did (SLA breach, idle release); no analyst may act under it. */
export const SYSTEM_ACTOR = 'system';

export interface CasePolicy {
  /** Per tier: how long a case may wait there, unresolved, before it escalates (ms). */
  slaMs: Record<Tier, number>;
  /** A claim not resolved within this long goes back to its tier's queue (ms). */
  idleReleaseMs: number;
}

export interface CaseInput {
  caseId: string;
  openedAt: number;
  policy: CasePolicy;
}

export interface Resolution {
  outcome: 'approved' | 'declined';
  by: string;
  at: number;
  reasonCode: string | null;
}

export interface CaseContext {
  caseId: string;
  policy: CasePolicy;
  tier: Tier;
  openedAt: number;
  /** When the case entered its current tier: the tier's SLA runs from here. */
  tierSince: number;
  /** When the current tier's SLA breaches; null once the top tier's SLA has breached (nowhere left to escalate). */
  slaDueAt: number | null;
  claimedBy: string | null;
  claimedAt: number | null;
  /** True once the top tier's SLA has breached. */
  overdue: boolean;
  escalations: number;
  resolution: Resolution | null;
}

export type AnalystEvent =
  | { type: 'CLAIM'; actor: string; at: number }
  | { type: 'RELEASE'; actor: string; at: number }
  | { type: 'APPROVE'; actor: string; at: number }
  | { type: 'DECLINE'; actor: string; at: number; reasonCode: string }
  | { type: 'ESCALATE'; actor: string; at: number; reason: string };
export type ClockEvent = { type: 'SLA_BREACHED'; at: number } | { type: 'IDLE_TIMEOUT'; at: number };
export type CaseEvent = AnalystEvent | ClockEvent;

/** What the machine asks the world to hear about (the workflow turns these into notifications). */
export type CaseEmitted =
  | { type: 'case.escalated'; from: Tier; tier: Tier; automatic: boolean; by: string; reason: string; at: number; slaDueAt: number | null }
  | { type: 'case.overdue'; tier: Tier; at: number }
  | { type: 'case.resolved'; outcome: Resolution['outcome']; by: string; reasonCode: string | null; at: number };

// The guards, as plain predicates: the machine uses them and `refusal` explains them.
const actorOf = (e: CaseEvent): string | null => ('actor' in e ? e.actor : null);
export const isAnalyst = (e: CaseEvent) => { const a = actorOf(e); return a !== null && a.trim() !== '' && a !== SYSTEM_ACTOR; };
export const isClaimant = (c: CaseContext, e: CaseEvent) => isAnalyst(e) && actorOf(e) === c.claimedBy;
export const hasNextTier = (c: CaseContext) => nextTier(c.tier) !== null;
export const isAboveFirstTier = (c: CaseContext) => c.tier !== 'L1';
export const hasReasonCode = (e: CaseEvent) => e.type === 'DECLINE' && e.reasonCode.trim() !== '';
export const hasReason = (e: CaseEvent) => e.type === 'ESCALATE' && e.reason.trim() !== '';
export const slaDue = (c: CaseContext, e: CaseEvent) => c.slaDueAt !== null && e.at >= c.slaDueAt;
export const idleDue = (c: CaseContext, e: CaseEvent) => c.claimedAt !== null && e.at >= c.claimedAt + c.policy.idleReleaseMs;

export function nextTier(tier: Tier): Tier | null {
  return TIERS[TIERS.indexOf(tier) + 1] ?? null;
}

function escalation(c: CaseContext, at: number): Partial<CaseContext> {
  const tier = nextTier(c.tier) as Tier; // guarded by hasNextTier
  return { tier, tierSince: at, slaDueAt: at + c.policy.slaMs[tier], claimedBy: null, claimedAt: null, escalations: c.escalations + 1 };
}

function defineCaseMachine() {
  return setup({
    types: {
      context: {} as CaseContext,
      events: {} as CaseEvent,
      input: {} as CaseInput,
      emitted: {} as CaseEmitted,
    },
    guards: {
      isAnalyst: ({ event }) => isAnalyst(event),
      isClaimant: ({ context, event }) => isClaimant(context, event),
      hasNextTier: ({ context }) => hasNextTier(context),
      isAboveFirstTier: ({ context }) => isAboveFirstTier(context),
      hasReasonCode: ({ event }) => hasReasonCode(event),
      hasReason: ({ event }) => hasReason(event),
      slaDue: ({ context, event }) => slaDue(context, event),
      idleDue: ({ context, event }) => idleDue(context, event),
    },
    actions: {
      takeClaim: assign(({ event }) => ({ claimedBy: actorOf(event), claimedAt: event.at })),
      dropClaim: assign({ claimedBy: null, claimedAt: null }),
      escalate: assign(({ context, event }) => escalation(context, event.at)),
      markOverdue: assign({ overdue: true, slaDueAt: null }),
      resolve: assign(({ event }) => ({
        resolution: {
          outcome: event.type === 'DECLINE' ? 'declined' as const : 'approved' as const,
          by: actorOf(event) ?? SYSTEM_ACTOR,
          at: event.at,
          reasonCode: event.type === 'DECLINE' ? event.reasonCode : null,
        },
      })),
      // Emitted after `escalate` has assigned, so the context already holds the new tier.
      emitEscalated: emit(({ context, event }): CaseEmitted => ({
        type: 'case.escalated', from: TIERS[TIERS.indexOf(context.tier) - 1] as Tier, tier: context.tier,
        automatic: event.type === 'SLA_BREACHED', by: actorOf(event) ?? SYSTEM_ACTOR,
        reason: event.type === 'ESCALATE' ? event.reason : 'SLA breached', at: event.at, slaDueAt: context.slaDueAt,
      })),
      emitOverdue: emit(({ context, event }): CaseEmitted => ({ type: 'case.overdue', tier: context.tier, at: event.at })),
      emitResolved: emit(({ context }): CaseEmitted => {
        const r = context.resolution as Resolution;
        return { type: 'case.resolved', outcome: r.outcome, by: r.by, reasonCode: r.reasonCode, at: r.at };
      }),
    },
  }).createMachine({
    id: 'case',
    context: ({ input }) => ({
      caseId: input.caseId,
      policy: input.policy,
      tier: 'L1',
      openedAt: input.openedAt,
      tierSince: input.openedAt,
      slaDueAt: input.openedAt + input.policy.slaMs.L1,
      claimedBy: null,
      claimedAt: null,
      overdue: false,
      escalations: 0,
      resolution: null,
    }),
    initial: 'open',
    states: {
      // Waiting in tier L1's queue.
      open: {
        on: {
          CLAIM: { target: 'claimed', guard: 'isAnalyst', actions: 'takeClaim' },
          ESCALATE: { target: 'escalated', guard: and(['isAnalyst', 'hasReason', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
          SLA_BREACHED: { target: 'escalated', guard: and(['slaDue', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
        },
      },
      // Waiting, unclaimed, in a higher tier's queue (L2 or lead).
      escalated: {
        on: {
          CLAIM: { target: 'claimed', guard: 'isAnalyst', actions: 'takeClaim' },
          ESCALATE: { target: 'escalated', guard: and(['isAnalyst', 'hasReason', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
          SLA_BREACHED: [
            { target: 'escalated', guard: and(['slaDue', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
            { guard: 'slaDue', actions: ['markOverdue', 'emitOverdue'] },
          ],
        },
      },
      // One analyst works the case; only they may resolve, release or escalate it.
      claimed: {
        on: {
          APPROVE: { target: 'resolved_approved', guard: 'isClaimant', actions: ['resolve', 'emitResolved'] },
          DECLINE: { target: 'resolved_declined', guard: and(['isClaimant', 'hasReasonCode']), actions: ['resolve', 'emitResolved'] },
          RELEASE: [
            { target: 'escalated', guard: and(['isClaimant', 'isAboveFirstTier']), actions: 'dropClaim' },
            { target: 'open', guard: 'isClaimant', actions: 'dropClaim' },
          ],
          IDLE_TIMEOUT: [
            { target: 'escalated', guard: and(['idleDue', 'isAboveFirstTier']), actions: 'dropClaim' },
            { target: 'open', guard: 'idleDue', actions: 'dropClaim' },
          ],
          ESCALATE: { target: 'escalated', guard: and(['isClaimant', 'hasReason', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
          // The claim does not stop the tier's clock: a breach moves the case up and out of the claimant's hands.
          SLA_BREACHED: [
            { target: 'escalated', guard: and(['slaDue', 'hasNextTier']), actions: ['escalate', 'emitEscalated'] },
            { guard: 'slaDue', actions: ['markOverdue', 'emitOverdue'] },
          ],
        },
      },
      resolved_approved: { type: 'final' },
      resolved_declined: { type: 'final' },
    },
  });
}

export type CaseMachine = ReturnType<typeof defineCaseMachine>;
let defined: CaseMachine | undefined;

/**
 * The machine, built on first use: Temporal's sandbox evaluates the workflow modules afresh for every
 * workflow, and most transactions' workflows end without a case (building it took about 4 % of the
 * workflow thread's busy time in a CPU profile at 40 decisions/s).
 */
export function caseMachine(): CaseMachine {
  return (defined ??= defineCaseMachine());
}

export type CaseSnapshot = SnapshotFrom<CaseMachine>;

export const statusOf = (s: CaseSnapshot): CaseStatus => s.value as CaseStatus;
export const isResolved = (s: CaseSnapshot) => s.status === 'done';

/** Why `event` is refused in this snapshot, in words an analyst can act on; null when it is accepted. */
export function refusal(s: CaseSnapshot, event: CaseEvent): string | null {
  if (s.can(event)) return null;
  const c = s.context;
  const status = statusOf(s);
  const claimant = c.claimedBy ?? '';
  if (c.resolution) return `Case ${c.caseId} is already resolved (${c.resolution.outcome} by ${c.resolution.by}); it cannot change any more.`;
  if ('actor' in event && !isAnalyst(event)) return `"${event.actor}" cannot act on a case: an analyst must sign in to act.`;
  switch (event.type) {
    case 'CLAIM':
      return claimant === event.actor ? `You already hold the claim on case ${c.caseId}.` : `Case ${c.caseId} is already claimed by ${claimant}.`;
    case 'APPROVE':
    case 'DECLINE':
      if (status !== 'claimed') return `Case ${c.caseId} is not claimed: claim it before resolving it.`;
      if (!isClaimant(c, event)) return `Case ${c.caseId} is claimed by ${claimant}: only the claimant may resolve it.`;
      return 'A decline needs a reason code.';
    case 'RELEASE':
      if (status !== 'claimed') return `Case ${c.caseId} is not claimed: there is nothing to release.`;
      return `Case ${c.caseId} is claimed by ${claimant}: only the claimant may release it.`;
    case 'ESCALATE':
      if (!hasNextTier(c)) return `Case ${c.caseId} is already at the top tier (${c.tier}): it cannot be escalated further.`;
      if (status === 'claimed' && !isClaimant(c, event)) return `Case ${c.caseId} is claimed by ${claimant}: only the claimant may escalate it.`;
      return 'An escalation needs a reason.';
    case 'SLA_BREACHED':
      return `The SLA of case ${c.caseId} is not due yet.`;
    case 'IDLE_TIMEOUT':
      return status === 'claimed' ? `The claim on case ${c.caseId} is not idle long enough yet.` : `Case ${c.caseId} is not claimed.`;
  }
}

/** The next thing the clock will do to this case, if anything: the workflow arms one timer for it. */
export function nextDeadline(s: CaseSnapshot): ClockEvent | null {
  if (isResolved(s)) return null;
  const c = s.context;
  const candidates: ClockEvent[] = [];
  if (c.slaDueAt !== null) candidates.push({ type: 'SLA_BREACHED', at: c.slaDueAt });
  if (c.claimedAt !== null) candidates.push({ type: 'IDLE_TIMEOUT', at: c.claimedAt + c.policy.idleReleaseMs });
  return candidates.sort((a, b) => a.at - b.at)[0] ?? null;
}

/** The case as the queue, the API and the mirror in Postgres see it. */
export interface CaseView {
  caseId: string;
  status: CaseStatus;
  tier: Tier;
  claimedBy: string | null;
  claimedAt: number | null;
  openedAt: number;
  tierSince: number;
  slaDueAt: number | null;
  overdue: boolean;
  escalations: number;
  resolution: Resolution | null;
}

export function caseView(s: CaseSnapshot): CaseView {
  const { policy: _policy, ...rest } = s.context;
  void _policy;
  return { ...rest, status: statusOf(s) };
}
