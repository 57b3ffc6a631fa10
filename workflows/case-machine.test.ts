import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createActor } from 'xstate';
import {
  caseMachine, caseView, nextDeadline, refusal, statusOf,
  type CaseEmitted, type CaseEvent, type CasePolicy, type CaseSnapshot, type CaseStatus,
} from './case-machine.ts';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const MIN = 60_000;
const policy: CasePolicy = { slaMs: { L1: 60 * MIN, L2: 120 * MIN, lead: 240 * MIN }, idleReleaseMs: 15 * MIN };

/** A started case actor with the events it emitted; `send` refuses loudly when the machine would ignore the event. */
function aCase(...events: CaseEvent[]) {
  const actor = createActor(caseMachine(), { input: { caseId: 'case-1', openedAt: T0, policy } });
  const emitted: CaseEmitted[] = [];
  actor.on('*', (e) => emitted.push(e));
  actor.start();
  const send = (e: CaseEvent) => {
    const why = refusal(actor.getSnapshot(), e);
    assert.equal(why, null, `${e.type} was refused: ${why}`);
    actor.send(e);
  };
  for (const e of events) send(e);
  emitted.length = 0;
  return { actor, emitted, send, snap: (): CaseSnapshot => actor.getSnapshot(), status: (): CaseStatus => statusOf(actor.getSnapshot()) };
}

const at = (minutes: number) => T0 + minutes * MIN;
const claim = (actor: string, m = 1): CaseEvent => ({ type: 'CLAIM', actor, at: at(m) });
const release = (actor: string, m = 2): CaseEvent => ({ type: 'RELEASE', actor, at: at(m) });
const approve = (actor: string, m = 2): CaseEvent => ({ type: 'APPROVE', actor, at: at(m) });
const decline = (actor: string, reasonCode = 'STOLEN_CARD', m = 2): CaseEvent => ({ type: 'DECLINE', actor, reasonCode, at: at(m) });
const escalate = (actor: string, reason = 'needs a second look', m = 2): CaseEvent => ({ type: 'ESCALATE', actor, reason, at: at(m) });
const breach = (m: number): CaseEvent => ({ type: 'SLA_BREACHED', at: at(m) });
const idle = (m: number): CaseEvent => ({ type: 'IDLE_TIMEOUT', at: at(m) });

// A case in each state, reached through the machine itself.
const inState = {
  open: () => aCase(),
  claimed: () => aCase(claim('ann')),
  escalatedL2: () => aCase(escalate('ann', 'unsure', 1)),
  claimedL2: () => aCase(escalate('ann', 'unsure', 1), claim('bob', 2)),
  escalatedLead: () => aCase(escalate('ann', 'unsure', 1), escalate('bob', 'still unsure', 2)),
  claimedLead: () => aCase(escalate('ann', 'unsure', 1), escalate('bob', 'still unsure', 2), claim('lee', 3)),
  approved: () => aCase(claim('ann'), approve('ann')),
  declined: () => aCase(claim('ann'), decline('ann')),
};

describe('case machine: open (tier L1 queue)', () => {
  it('starts open in tier L1 with the L1 SLA running from the opening', () => {
    const c = inState.open();
    assert.equal(c.status(), 'open');
    const v = caseView(c.snap());
    assert.equal(v.tier, 'L1');
    assert.equal(v.slaDueAt, T0 + policy.slaMs.L1);
    assert.equal(v.claimedBy, null);
    assert.equal(v.resolution, null);
  });

  it('lets any analyst claim it, recording who and when', () => {
    const c = inState.open();
    c.send(claim('ann', 5));
    assert.equal(c.status(), 'claimed');
    assert.equal(c.snap().context.claimedBy, 'ann');
    assert.equal(c.snap().context.claimedAt, at(5));
  });

  it('refuses a claim without an analyst, or by the system account', () => {
    for (const actor of ['', '  ', 'system']) {
      assert.match(refusal(inState.open().snap(), claim(actor)) ?? '', /cannot act on a case/);
    }
  });

  it('refuses approving or declining an unclaimed case', () => {
    assert.match(refusal(inState.open().snap(), approve('ann')) ?? '', /not claimed: claim it before resolving it/);
    assert.match(refusal(inState.open().snap(), decline('ann')) ?? '', /not claimed/);
  });

  it('refuses releasing an unclaimed case and ignores an idle timeout', () => {
    assert.match(refusal(inState.open().snap(), release('ann')) ?? '', /nothing to release/);
    assert.match(refusal(inState.open().snap(), idle(100)) ?? '', /not claimed/);
  });

  it('escalates by hand to L2 with the L2 SLA and emits one escalation', () => {
    const c = inState.open();
    c.send(escalate('ann', 'looks like account takeover', 10));
    assert.equal(c.status(), 'escalated');
    const v = caseView(c.snap());
    assert.equal(v.tier, 'L2');
    assert.equal(v.slaDueAt, at(10) + policy.slaMs.L2);
    assert.equal(v.escalations, 1);
    assert.deepEqual(c.emitted, [{ type: 'case.escalated', from: 'L1', tier: 'L2', automatic: false, by: 'ann', reason: 'looks like account takeover', at: at(10), slaDueAt: at(10) + policy.slaMs.L2 }]);
  });

  it('refuses a manual escalation without a reason', () => {
    assert.match(refusal(inState.open().snap(), escalate('ann', ' ')) ?? '', /needs a reason/);
  });

  it('escalates to L2 when the L1 SLA breaches, and not before', () => {
    const c = inState.open();
    assert.match(refusal(c.snap(), breach(59)) ?? '', /not due yet/);
    c.send(breach(60));
    assert.equal(c.status(), 'escalated');
    assert.equal(c.snap().context.tier, 'L2');
    assert.equal(c.emitted.length, 1);
    assert.equal(c.emitted[0]?.type, 'case.escalated');
    assert.equal((c.emitted[0] as { automatic: boolean }).automatic, true);
  });
});

describe('case machine: claimed', () => {
  it('lets only the claimant approve, which resolves it and emits the resolution', () => {
    const c = inState.claimed();
    assert.match(refusal(c.snap(), approve('bob')) ?? '', /claimed by ann: only the claimant may resolve it/);
    c.send(approve('ann', 7));
    assert.equal(c.status(), 'resolved_approved');
    assert.equal(c.snap().status, 'done');
    assert.deepEqual(c.snap().context.resolution, { outcome: 'approved', by: 'ann', at: at(7), reasonCode: null });
    assert.deepEqual(c.emitted, [{ type: 'case.resolved', outcome: 'approved', by: 'ann', reasonCode: null, at: at(7) }]);
  });

  it('lets only the claimant decline, with a reason code', () => {
    const c = inState.claimed();
    assert.match(refusal(c.snap(), decline('bob')) ?? '', /only the claimant may resolve it/);
    assert.match(refusal(c.snap(), decline('ann', '')) ?? '', /needs a reason code/);
    c.send(decline('ann', 'ACCOUNT_TAKEOVER', 8));
    assert.equal(c.status(), 'resolved_declined');
    assert.deepEqual(c.snap().context.resolution, { outcome: 'declined', by: 'ann', at: at(8), reasonCode: 'ACCOUNT_TAKEOVER' });
    assert.equal(c.emitted[0]?.type, 'case.resolved');
  });

  it('refuses a second claim, naming who holds it', () => {
    assert.match(refusal(inState.claimed().snap(), claim('bob')) ?? '', /already claimed by ann/);
    assert.match(refusal(inState.claimed().snap(), claim('ann')) ?? '', /already hold the claim/);
  });

  it('lets the claimant release it back to the L1 queue; nobody else', () => {
    const c = inState.claimed();
    assert.match(refusal(c.snap(), release('bob')) ?? '', /only the claimant may release it/);
    c.send(release('ann'));
    assert.equal(c.status(), 'open');
    assert.equal(c.snap().context.claimedBy, null);
    assert.equal(c.snap().context.claimedAt, null);
  });

  it('releases an idle claim back to the queue after the idle time, and not before', () => {
    const c = inState.claimed(); // claimed at minute 1
    assert.match(refusal(c.snap(), idle(15)) ?? '', /not idle long enough/);
    c.send(idle(16));
    assert.equal(c.status(), 'open');
    assert.equal(c.snap().context.claimedBy, null);
    assert.deepEqual(c.emitted, [], 'an idle release notifies nobody');
  });

  it('lets the claimant escalate by hand, dropping the claim into the L2 queue; not another analyst', () => {
    const c = inState.claimed();
    assert.match(refusal(c.snap(), escalate('bob')) ?? '', /only the claimant may escalate it/);
    c.send(escalate('ann', 'beyond my authority', 9));
    assert.equal(c.status(), 'escalated');
    assert.equal(c.snap().context.tier, 'L2');
    assert.equal(c.snap().context.claimedBy, null);
    assert.equal(c.emitted.length, 1);
  });

  it('escalates on SLA breach even while claimed: the tier clock does not stop for a claim', () => {
    const c = inState.claimed();
    c.send(breach(60));
    assert.equal(c.status(), 'escalated');
    assert.equal(c.snap().context.tier, 'L2');
    assert.equal(c.snap().context.claimedBy, null);
    assert.equal(c.emitted.length, 1);
  });
});

describe('case machine: escalated (L2 and lead queues)', () => {
  it('lets an analyst claim it in its tier', () => {
    const c = inState.escalatedL2();
    c.send(claim('bob', 3));
    assert.equal(c.status(), 'claimed');
    assert.equal(c.snap().context.tier, 'L2');
  });

  it('returns a released or idle L2 claim to the L2 queue (escalated), not to open', () => {
    const released = inState.claimedL2();
    released.send(release('bob', 3));
    assert.equal(released.status(), 'escalated');
    assert.equal(released.snap().context.tier, 'L2');
    const idled = inState.claimedL2(); // claimed at minute 2
    idled.send(idle(17));
    assert.equal(idled.status(), 'escalated');
  });

  it('refuses resolving or releasing while unclaimed', () => {
    const s = inState.escalatedL2().snap();
    assert.match(refusal(s, approve('bob')) ?? '', /not claimed/);
    assert.match(refusal(s, decline('bob')) ?? '', /not claimed/);
    assert.match(refusal(s, release('bob')) ?? '', /nothing to release/);
  });

  it('escalates L2 → lead by hand and on breach of the L2 SLA, each with the new tier\'s SLA', () => {
    const byHand = inState.escalatedL2();
    byHand.send(escalate('bob', 'fraud lead must sign off', 5));
    assert.equal(byHand.snap().context.tier, 'lead');
    assert.equal(byHand.snap().context.slaDueAt, at(5) + policy.slaMs.lead);

    const byClock = inState.escalatedL2(); // entered L2 at minute 1
    assert.match(refusal(byClock.snap(), breach(60)) ?? '', /not due yet/, 'the L1 deadline no longer applies');
    byClock.send(breach(121));
    assert.equal(byClock.snap().context.tier, 'lead');
    assert.equal(byClock.snap().context.escalations, 2);
    assert.deepEqual(byClock.emitted.map((e) => e.type), ['case.escalated']);
  });

  it('refuses escalating past the top tier', () => {
    assert.match(refusal(inState.escalatedLead().snap(), escalate('lee')) ?? '', /already at the top tier \(lead\)/);
    assert.match(refusal(inState.claimedLead().snap(), escalate('lee')) ?? '', /top tier/);
  });

  it('marks a lead case overdue once when its SLA breaches, staying in the lead queue', () => {
    const c = inState.escalatedLead(); // entered lead at minute 2
    c.send(breach(2 + 240));
    assert.equal(c.status(), 'escalated');
    assert.equal(c.snap().context.overdue, true);
    assert.equal(c.snap().context.slaDueAt, null);
    assert.deepEqual(c.emitted, [{ type: 'case.overdue', tier: 'lead', at: at(242) }]);
    assert.match(refusal(c.snap(), breach(1000)) ?? '', /not due yet/, 'a breach is reported once');
  });

  it('marks a claimed lead case overdue without taking the claim away', () => {
    const c = inState.claimedLead();
    c.send(breach(242));
    assert.equal(c.status(), 'claimed');
    assert.equal(c.snap().context.claimedBy, 'lee');
    assert.equal(c.snap().context.overdue, true);
    c.send(approve('lee', 243));
    assert.equal(c.status(), 'resolved_approved');
  });
});

describe('case machine: resolved', () => {
  const every: CaseEvent[] = [claim('zoe', 9), approve('ann', 9), decline('ann', 'X', 9), release('ann', 9), escalate('ann', 'r', 9), breach(10_000), idle(10_000)];
  for (const [name, make] of [['resolved_approved', inState.approved], ['resolved_declined', inState.declined]] as const) {
    it(`refuses every event once ${name}: a case is resolved once`, () => {
      const c = make();
      assert.equal(c.status(), name);
      for (const e of every) assert.match(refusal(c.snap(), e) ?? '', /already resolved/, e.type);
    });
  }
});

describe('case machine: deadlines', () => {
  it('arms the SLA timer while queued, and the earlier of SLA and idle release while claimed', () => {
    assert.deepEqual(nextDeadline(inState.open().snap()), { type: 'SLA_BREACHED', at: at(60) });
    assert.deepEqual(nextDeadline(inState.claimed().snap()), { type: 'IDLE_TIMEOUT', at: at(16) });
    const lateClaim = aCase(claim('ann', 50));
    assert.deepEqual(nextDeadline(lateClaim.snap()), { type: 'SLA_BREACHED', at: at(60) });
  });

  it('arms nothing once resolved, or for an overdue unclaimed lead case', () => {
    assert.equal(nextDeadline(inState.approved().snap()), null);
    const overdue = inState.escalatedLead();
    overdue.send(breach(242));
    assert.equal(nextDeadline(overdue.snap()), null);
  });

  it('is deterministic: the same events give the same case', () => {
    const events = [claim('ann', 1), idle(16), breach(60), claim('bob', 61), decline('bob', 'MULE', 62)];
    assert.deepEqual(caseView(aCase(...events).snap()), caseView(aCase(...events).snap()));
  });
});
