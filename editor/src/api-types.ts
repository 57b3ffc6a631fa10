/**
 * The shapes the API sends and takes, taken from the server's own code wherever the server names
 * them (view functions, zod schemas, repository records): `npm run editor:typecheck` fails when a
 * route's answer changes under the editor. Type-only imports: nothing of the server is bundled.
 */
import type { caseJson } from '../../api/routes/cases.ts';
import type { decisionDetailView, labelView } from '../../api/routes/decisions.ts';
import type { deploymentView } from '../../api/routes/deployments.ts';
import type { approvalView } from '../../api/routes/approvals.ts';
import type { versionSummaryView, versionView } from '../../api/routes/ruleset-views.ts';
import type { FactsReply, FactInfo } from '../../api/routes/facts.ts';
import type { RuleTestReply } from '../../api/routes/rule-test.ts';
import type { ApprovalAction } from '../../activities/pg/approval-repository.ts';
import type { HistoryEntry } from '../../activities/pg/case-queue.ts';
import type { FiredRule, Outcome, Reason } from '../../engine/decision.ts';
import type { DeploymentSpecInput, DeploymentSpec } from '../../engine/deployment.ts';
import type { FeatureVector } from '../../engine/features/store.ts';
import type { RulesetChange } from '../../engine/rules/diff.ts';
import type { RulesetInput } from '../../engine/rules/ruleset.ts';
import type { RulesetProblem } from '../../engine/rules/schema-problems.ts';
import type { ConditionResult } from '../../engine/rules/types.ts';
import type { TransactionInput } from '../../engine/transaction.ts';
import type { ChangeView, FiguresView, SideFiguresView, SimulationView } from '../../simulations/views.ts';
import type { simulationRequestSchema } from '../../simulations/spec.ts';
import type { SourceSpan } from '../../api/routes/simulations.ts';
import type { z } from 'zod';
import type { Role } from '../../api/permissions.ts';
import type { CaseAction } from '../../workflows/case-actions.ts';
import type { CaseStatus, Tier } from '../../workflows/case-machine.ts';

export type {
  ApprovalAction, CaseAction, CaseStatus, ConditionResult, DeploymentSpec, DeploymentSpecInput, FactInfo, FactsReply,
  FeatureVector, FiredRule, Outcome, Reason, Role, RulesetChange, RulesetInput, RulesetProblem, RuleTestReply, Tier, TransactionInput,
};

/** The `error` object of every failed answer (api/errors.ts sendError). */
export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: { field: string; reason: string }[];
  problems?: RulesetProblem[];
  [detail: string]: unknown;
}

// ── Sign-in (api/routes/auth.ts) ─────────────────────────────────────────────────────────────
export interface LoginBody { username: string; password: string; totp?: string }
export interface LoginReply { token: string; expires_at: string; user: { username: string; roles: Role[]; totp_enabled: boolean } }
export type Me =
  | { kind: 'user'; username: string; roles: Role[]; permissions: string[]; totp_enabled: boolean }
  | { kind: 'api_key'; id: string; name: string; scopes: string[]; permissions: string[]; rate_limit: number | null };

// ── Rulesets (api/routes/rulesets.ts) ────────────────────────────────────────────────────────
export type VersionSummary = ReturnType<typeof versionSummaryView>;
export type RulesetVersion = ReturnType<typeof versionView>;
export interface RulesetListItem {
  name: string; draft_revision: number; versions: number; latest_version: number | null; latest_published: number | null;
  created_by: string; created_at: string; updated_by: string; updated_at: string;
}
export interface Draft { document: unknown; revision: number; valid: boolean; problems: RulesetProblem[]; updated_by: string; updated_at: string }
export interface RulesetDetail {
  name: string; created_by: string; created_at: string; draft: Draft; versions: VersionSummary[];
  deployed: { arm: string; shadow: boolean; ruleset_version: string; deployment_version: number | undefined }[];
}
export interface ValidateReply { valid: boolean; problems: RulesetProblem[] }
export interface DiffSide { label: string; revision?: number; version?: number; document: unknown }
export interface DiffReply { from: DiffSide; to: DiffSide; changes: RulesetChange[] }
export interface PublishReply { version: VersionSummary; deployment: Deployment; deployment_changed: boolean }
export interface RuleTestBody { document: unknown; transaction?: TransactionInput; transaction_id?: string; features?: Record<string, number | null> }

// ── Deployments and four-eyes ─────────────────────────────────────────────────────────────────
export type Deployment = ReturnType<typeof deploymentView>;
export interface ArmStats {
  arm: string; shadow: boolean; decisions: number; counts: Record<Outcome, number>; rates: Record<Outcome, number | null>;
  labelled: number; precision: number | null; recall: number | null;
}
export interface DeploymentStats { deployment_version: number; from: string | null; to: string | null; positive: string; arms: ArmStats[] }
export interface DeploymentBody { spec: DeploymentSpecInput; comment?: string; expected_version: number }
export type Approval = ReturnType<typeof approvalView>;

// ── Decisions (api/routes/decisions.ts) ──────────────────────────────────────────────────────
export type DecisionReply = ReturnType<typeof decisionDetailView> & {
  persisted: boolean; events?: { type: string; payload: unknown; created_at: string }[]; labels?: ReturnType<typeof labelView>[];
};

// ── Cases (api/routes/cases.ts) ──────────────────────────────────────────────────────────────
export type QueuedCase = ReturnType<typeof caseJson>;
export interface CaseFilter {
  queue?: Tier; status?: string; min_age?: string; amount_min?: number; amount_max?: number; score_min?: number; score_max?: number;
  limit?: number; offset?: number;
}
export interface CaseDetail {
  case: QueuedCase;
  transaction: Record<string, unknown> | null;
  decision: ReturnType<typeof decisionDetailView> | null;
  customer_history: { transaction_id: string; occurred_at: string; amount: string; currency: string; merchant_id: string;
    decision: HistoryEntry['decision']; score: number | null; fraud: boolean | null }[];
  timeline: { seq: number; type: string; from: CaseStatus | null; to: CaseStatus; actor: string; at: string; [payload: string]: unknown }[];
  notifications: { event_type: string; channel: string; status: string; attempts: number; recipient: string; last_error: string | null; delivered_at: string | null }[];
}
export interface CaseActionBody { reason_code?: string; reason?: string }

// ── Lists ────────────────────────────────────────────────────────────────────────────────────
export type ListSummary = FactsReply['lists'][number];

// ── Simulations (simulations/spec.ts; the route is the lead's, these follow its repository) ──
export type SimulationRequest = z.input<typeof simulationRequestSchema>;
export type { SourceSpan };
export type SimulationStatus = SimulationView['status'];
/** GET /v1/simulations/:id (simulations/views.ts); a listed simulation's `result` is read as null. */
export type Simulation = Omit<SimulationView, 'result'> & { result: FiguresView | null };
export type SimulationResultFigures = FiguresView;
export type SideFigures = SideFiguresView;
export type ChangedDecision = ChangeView;
export interface SimulationChanges { changes: ChangeView[]; page: number; page_size: number; total: number; next_page: number | null }
