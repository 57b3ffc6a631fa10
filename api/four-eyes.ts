import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Approval, ApprovalAction, ApprovalRepository } from '../activities/pg/approval-repository.ts';
import { canonicalJson } from '../activities/audit-chain.ts';
import { ApiError } from './errors.ts';

/**
 * Four-eyes: publishing a ruleset version or changing a deployment needs an approval granted by
 * someone other than the change's author. The author (or anyone with approvals:request) asks with
 * POST /v1/approvals {action, subject}; a rule_approver approves with POST /v1/approvals/:id/approve;
 * the route making the change then calls `require`, which uses the approval up (once).
 *
 * Subjects bind an approval to exactly what was reviewed: a ruleset version is immutable, so its name
 * and number suffice; a deployment is bound to the digest of its spec, so approving one spec never
 * lets a different one through.
 */
export interface FourEyes {
  readonly enabled: boolean;
  /**
   * Resolves with the approval used (null when four-eyes is off); throws APPROVAL_REQUIRED when
   * there is none. Pass the transaction's client so a change that fails leaves the approval unused.
   */
  require(change: { action: ApprovalAction; subject: string; author: string; actor: string }, client?: PoolClient): Promise<Approval | null>;
}

export const rulesetSubject = (ruleset: string, version: number | string) => `${ruleset}@${version}`;

/** The digest of a deployment spec as the API received it (key order does not matter). */
export function deploymentSubject(spec: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
}

const WHAT: Record<ApprovalAction, string> = { 'ruleset.publish': 'Publishing', 'deployment.change': 'Changing the deployment to' };

export function createFourEyes(opts: { enabled: boolean; approvals: ApprovalRepository }): FourEyes {
  return {
    enabled: opts.enabled,
    async require(change, client) {
      if (!opts.enabled) return null;
      const used = await opts.approvals.consume({ action: change.action, subject: change.subject, author: change.author, usedBy: change.actor }, client);
      if (used) return used;
      throw new ApiError(403, 'APPROVAL_REQUIRED',
        `${WHAT[change.action]} ${change.subject} needs four-eyes approval: request it with POST /v1/approvals ` +
        `{"action":"${change.action}","subject":"${change.subject}"}, then have a rule_approver other than ${change.author} ` +
        'approve it (POST /v1/approvals/:id/approve) and retry.',
        undefined, { action: change.action, subject: change.subject });
    },
  };
}
