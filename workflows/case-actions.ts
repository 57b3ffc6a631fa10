import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AnalystEvent, CaseView } from './case-machine.ts';

/**
 * Analyst actions reach a case's workflow as Temporal updates, one per action: each is validated
 * against the machine before it is accepted (a refused action never enters the history) and answers
 * with the case after the transition.
 */
export interface CaseActionInput {
  actor: string;
  reasonCode?: string;
  reason?: string;
}

export const CASE_ACTIONS = ['claim', 'approve', 'decline', 'escalate', 'release'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const caseUpdates: Record<CaseAction, UpdateDefinition<CaseView, [CaseActionInput]>> = {
  claim: defineUpdate<CaseView, [CaseActionInput]>('claimCase'),
  approve: defineUpdate<CaseView, [CaseActionInput]>('approveCase'),
  decline: defineUpdate<CaseView, [CaseActionInput]>('declineCase'),
  escalate: defineUpdate<CaseView, [CaseActionInput]>('escalateCase'),
  release: defineUpdate<CaseView, [CaseActionInput]>('releaseCase'),
};

export const caseQuery = defineQuery<CaseView | null>('case');

/** The machine event an action becomes, stamped with the workflow's clock. */
export function eventOf(action: CaseAction, input: CaseActionInput, at: number): AnalystEvent {
  const actor = input.actor;
  switch (action) {
    case 'claim': return { type: 'CLAIM', actor, at };
    case 'approve': return { type: 'APPROVE', actor, at };
    case 'decline': return { type: 'DECLINE', actor, at, reasonCode: input.reasonCode ?? '' };
    case 'escalate': return { type: 'ESCALATE', actor, at, reason: input.reason ?? '' };
    case 'release': return { type: 'RELEASE', actor, at };
  }
}

/** The case id of a transaction: one review case per transaction. */
export const caseIdOf = (transactionId: string) => `case-${transactionId}`;
