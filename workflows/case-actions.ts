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

/** Who may be named as acting, and a decline's reason code: the API's case routes take the same. */
export const ACTOR_PATTERN = /^[A-Za-z0-9._@:-]{1,128}$/;
export const REASON_CODE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const REASON_MAX_LENGTH = 500;

const FIELDS: Record<CaseAction, readonly (keyof CaseActionInput)[]> = {
  claim: ['actor'], approve: ['actor'], release: ['actor'], decline: ['actor', 'reasonCode'], escalate: ['actor', 'reason'],
};

/**
 * Why an update's argument is not the action's input, naming the field; null when it is. The API checks
 * its requests before they get here, but an operator can send the same updates with Temporal's CLI or UI,
 * where a missing or mistyped field used to come back as a TypeError from deep in the machine's guards.
 * Plain checks rather than the API's zod schemas: the workflow sandbox evaluates its modules for every
 * workflow, and these are three fields.
 */
export function actionInputProblem(action: CaseAction, input: unknown): string | null {
  const name = caseUpdates[action].name;
  const fields = FIELDS[action];
  const shape = `{${fields.map((f) => `"${f}": …`).join(', ')}}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return `${name} takes one argument, an object ${shape}`;
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(fields as readonly string[]).includes(k));
  if (unknown.length > 0) return `${unknown.map((k) => JSON.stringify(k)).join(', ')}: not a field of ${name}, which takes ${shape}`;
  if (typeof given.actor !== 'string' || !ACTOR_PATTERN.test(given.actor)) {
    return 'actor: must name the analyst acting, 1 to 128 letters, digits or . _ @ : -';
  }
  if (action === 'decline' && (typeof given.reasonCode !== 'string' || !REASON_CODE_PATTERN.test(given.reasonCode))) {
    return 'reasonCode: must be a code of 1 to 64 letters, digits, _ . or -, e.g. STOLEN_CARD';
  }
  if (action === 'escalate' && (typeof given.reason !== 'string' || given.reason.trim() === '' || given.reason.length > REASON_MAX_LENGTH)) {
    return `reason: must say why, in at most ${REASON_MAX_LENGTH} characters`;
  }
  return null;
}

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
