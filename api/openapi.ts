import { z } from 'zod';
import { Router } from 'express';
import { transactionInputSchema } from '../engine/transaction.ts';
import { deploymentSpecSchema } from '../engine/deployment.ts';
import { simulationRequestSchema } from '../simulations/spec.ts';
import { bulkRequestSchema } from './bulk-decisions.ts';
import { apiKeyRequests } from './routes/api-keys.ts';
import { approvalRequests } from './routes/approvals.ts';
import { auditRequests } from './routes/audit.ts';
import { authRequests } from './routes/auth.ts';
import { caseRequests } from './routes/cases.ts';
import { deploymentRequests } from './routes/deployments.ts';
import { labelRequests } from './routes/labels.ts';
import { listRequests } from './routes/lists.ts';
import { modelRequests } from './routes/models.ts';
import { ruleTestRequests } from './routes/rule-test.ts';
import { publicationRequests } from './routes/ruleset-publication.ts';
import { rulesetRequests } from './routes/rulesets.ts';
import { simulationQueries } from './routes/simulations.ts';
import { userRequests } from './routes/users.ts';
import { ROUTE_PERMISSIONS } from './permissions.ts';

/**
 * GET /openapi.json: the API's description, generated from the same zod schemas that parse the
 * requests (z.toJSONSchema), so the document cannot drift from what the server accepts. Every route
 * of the permission table is listed with the permission it needs.
 */

const reasonCode = z.object({ feature: z.string(), contribution: z.number() });

/** The reply of POST /v1/decisions (api/routes/decisions.ts decisionView); a test checks real replies against it. */
export const decisionReplySchema = z.object({
  transaction_id: z.string(),
  decision: z.enum(['APPROVE', 'REVIEW', 'DECLINE']),
  score: z.number().nullable(),
  reasons: z.array(z.unknown()),
  tags: z.array(z.string()),
  rules_fired: z.array(z.string()),
  arm: z.string(),
  ruleset_version: z.string(),
  model_versions: z.array(z.string()),
  model_score: z.number().nullable().describe('The arm\'s combined model score (its modelWeights), before rule adjustments; null without models'),
  model_scores: z.record(z.string(), z.number().nullable()),
  models: z.array(z.object({
    role: z.string(), version: z.string(), score: z.number(),
    top_features: z.array(reasonCode).describe('Reason codes: the features that pushed this model\'s score up the most, largest first'),
  })),
  top_features: z.array(reasonCode).describe('The reason codes of the arm\'s first model'),
  deployment_version: z.number().int(),
  degraded: z.boolean().describe('true when the feature store was unavailable and missing features were assumed'),
  latency_ms: z.number(),
  decided_at: z.string(),
  workflow_id: z.string(),
});

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  }),
});

const bulkReplySchema = z.object({
  count: z.number().int(),
  decided: z.number().int(),
  invalid: z.number().int(),
  failed: z.number().int(),
  results: z.array(z.union([
    z.object({ index: z.number().int(), transaction_id: z.string(), ok: z.literal(true), decision: decisionReplySchema }),
    z.object({ index: z.number().int(), transaction_id: z.string().nullable(), ok: z.literal(false), error: errorSchema.shape.error }),
  ])),
});

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
const json = (schema: z.ZodType, io: 'input' | 'output') => ({ content: { 'application/json': { schema: jsonSchema(schema, io) } } });
const errorReply = (description: string) => ({ description, ...json(errorSchema, 'output') });

/** What an operation takes and returns, beyond its method, path and permission. */
interface Operation {
  summary: string;
  query?: z.ZodType;
  request?: z.ZodType;
  /** The route reads a missing body as `{}`. */
  bodyOptional?: true;
  reply?: z.ZodType;
}

/** Every route of the permission table that the API serves (a test checks none is missing). */
const OPERATIONS: Record<string, Operation> = {
  'GET /healthz': { summary: '200 when every dependency answers within 2 s, 503 otherwise; the body says which failed and how long each took.' },
  'GET /metrics': { summary: 'Prometheus metrics: decisions by outcome and arm, decision, feature and scoring latency, rule hits, model scores, SLA breaches, notification failures.' },
  'GET /openapi.json': { summary: 'This document.' },

  'POST /v1/auth/login': { summary: 'Sign in with a username and password (and a TOTP code once enrolled); sets the session cookie.', request: authRequests.login },
  'POST /v1/auth/logout': { summary: 'End the signed-in session.' },
  'GET /v1/auth/me': { summary: 'Who is signed in (or which API key), with roles and permissions.' },
  'POST /v1/auth/password': { summary: 'Change the signed-in person\'s password (the password rules apply).', request: authRequests.passwordChange },
  'POST /v1/auth/totp/enrol': { summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI, confirmed with /v1/auth/totp/verify.', request: authRequests.enrol },
  'POST /v1/auth/totp/verify': { summary: 'Confirm TOTP enrolment with a code from the authenticator.', request: authRequests.code },

  'POST /v1/decisions': { summary: 'Decide one transaction (idempotent by transaction id: a retry returns the first decision; the id sent again with another payment — occurred_at, amount, currency, customer, merchant or terminal — is refused with 409 TRANSACTION_ID_REUSED).', request: transactionInputSchema, reply: decisionReplySchema },
  'POST /v1/decisions/bulk': { summary: 'Decide up to 1,000 transactions; each item is validated and decided on its own, idempotent by transaction id (an item reusing an id for another payment: TRANSACTION_ID_REUSED).', request: bulkRequestSchema, reply: bulkReplySchema },
  'GET /v1/decisions/:id': { summary: 'A decision by transaction id, with its features, fired rules, events and labels.', reply: decisionReplySchema },
  'POST /v1/labels': { summary: 'Record a label (fraud or not) for a decided transaction: it feeds the fraud-rate features from known_at on and the deployment statistics.', request: labelRequests.create },

  'GET /v1/rulesets': { summary: 'The rulesets, with their draft revision and latest (published) version.' },
  'POST /v1/rulesets': { summary: 'Create a ruleset with its first draft; 409 when the name is taken.', request: rulesetRequests.create },
  'GET /v1/rulesets/:name': { summary: 'A ruleset: its draft with problems, its versions (newest first) and the deployed arms using it.' },
  'PUT /v1/rulesets/:name/draft': { summary: 'Save the draft; 409 REVISION_CONFLICT with current_revision when someone saved since the given revision.', request: rulesetRequests.draft },
  'GET /v1/rulesets/:name/versions': { summary: 'The ruleset\'s versions.' },
  'POST /v1/rulesets/:name/versions': { summary: 'Save the draft at the given revision as an immutable numbered version.', request: rulesetRequests.version },
  'GET /v1/rulesets/:name/versions/:version': { summary: 'One version with its document.' },
  'PUT /v1/rulesets/:name/versions/:version': { summary: 'Always 405 VERSION_IMMUTABLE: a saved version never changes; edit the draft.' },
  'PATCH /v1/rulesets/:name/versions/:version': { summary: 'Always 405 VERSION_IMMUTABLE.' },
  'DELETE /v1/rulesets/:name/versions/:version': { summary: 'Always 405 VERSION_IMMUTABLE.' },
  'POST /v1/rulesets/:name/versions/:version/publish': { summary: 'Make a valid version the champion\'s ruleset (four-eyes: an approved ruleset.publish request); 422 RULESET_INVALID with problems.', request: publicationRequests.publish, bodyOptional: true },
  'POST /v1/rulesets/:name/rollback': { summary: 'Make an earlier published version the champion\'s ruleset again; 409 NEVER_PUBLISHED.', request: publicationRequests.rollback },
  'POST /v1/rulesets/validate': { summary: 'Validate a ruleset document without saving it: {valid, problems: [{path, reason}]}.', request: rulesetRequests.validate },
  'GET /v1/rulesets/:name/diff': { summary: 'The rules added, removed and changed between two versions or the draft (default: latest published → draft).', query: rulesetRequests.diff },
  'GET /v1/facts': { summary: 'The facts rules can use (features, transaction fields, scores, lists) with types and descriptions, the operators, and the exchange rates behind amount_base.' },
  'POST /v1/rulesets/test': { summary: 'Run a ruleset document on one transaction (recorded or pasted) and say rule by rule what fired and why; nothing is recorded.', request: ruleTestRequests.test },

  'GET /v1/deployments': { summary: 'Deployment history, newest first.', query: deploymentRequests.list },
  'GET /v1/deployments/current': { summary: 'The deployment in force: champion and challengers with their shares.' },
  'GET /v1/deployments/current/stats': { summary: 'Per arm of the deployment in force, shadow arms included: decisions, outcome rates, labelled count, precision and recall.', query: deploymentRequests.stats },
  'GET /v1/deployments/:version': { summary: 'One deployment version.' },
  'GET /v1/deployments/:version/stats': { summary: 'Per-arm figures of one deployment version.', query: deploymentRequests.stats },
  'POST /v1/deployments': { summary: 'A new deployment: champion and challengers (four-eyes); 409 DEPLOYMENT_CONFLICT when expected_version is stale.', request: deploymentRequests.create },

  'GET /v1/lists': { summary: 'Block and allow lists with kind, revision and item count.' },
  'POST /v1/lists': { summary: 'Create a list; 409 when the name is taken.', request: listRequests.create },
  'GET /v1/lists/:name': { summary: 'A list and a page of its items (next_after for the next page).', query: listRequests.page },
  'POST /v1/lists/:name/items': { summary: 'Add values to a list: {added, already_present, revision}.', request: listRequests.add },
  'DELETE /v1/lists/:name/items/:value': { summary: 'Remove a value from a list; 404 when it is not on it.' },

  'GET /v1/models': { summary: 'Registered model versions, with where the deployment in force uses them.', query: modelRequests.list },
  'GET /v1/models/:version': { summary: 'One model version with its whole metadata.' },
  'POST /v1/models': { summary: 'Register a model version: its ONNX file (base64) with the metadata ml/train.py wrote; 400 names the field at fault, 409 when the version exists.', request: modelRequests.register },
  'POST /v1/models/:version/retire': { summary: 'Retire a model version (it stays loadable for replays); 409 while an arm of the deployment in force names it.' },

  'POST /v1/simulations': { summary: 'Replay a period of history through a candidate beside the baseline (the champion by default), as a chunked workflow; poll GET /v1/simulations/{id}.', request: simulationRequestSchema },
  'GET /v1/simulations': { summary: 'Simulations, newest first.', query: simulationQueries.list },
  'GET /v1/simulations/sources': { summary: 'The histories a simulation can replay (dataset, postgres) and the days each holds, or why one is not available.' },
  'GET /v1/simulations/:id': { summary: 'A simulation: its status and progress, and once done both sides\' figures and per-rule hits.' },
  'GET /v1/simulations/:id/changes': { summary: 'The transactions whose decision the candidate changes, a page at a time.', query: simulationQueries.changes },
  'POST /v1/simulations/:id/cancel': { summary: 'Cancel a running simulation; 409 when it has finished.' },

  'GET /v1/cases': { summary: 'The review queue, by priority: the SLA due first, then the highest score, then the oldest.', query: caseRequests.queue },
  'GET /v1/cases/:id': { summary: 'A case with the transaction, its decision, the customer\'s recent history, the timeline and the notifications.' },
  'POST /v1/cases/:id/claim': { summary: 'Claim a case in a queue; 409 with the reason when the case refuses.', request: caseRequests.actions.claim, bodyOptional: true },
  'POST /v1/cases/:id/release': { summary: 'Give a claimed case back to its queue (the claimant only).', request: caseRequests.actions.release, bodyOptional: true },
  'POST /v1/cases/:id/approve': { summary: 'Resolve a claimed case as legitimate (the claimant only); labels the transaction not fraud.', request: caseRequests.actions.approve, bodyOptional: true },
  'POST /v1/cases/:id/decline': { summary: 'Resolve a claimed case as fraud with a reason code (the claimant only); labels the transaction fraud.', request: caseRequests.actions.decline },
  'POST /v1/cases/:id/escalate': { summary: 'Move a case up a tier (L1 → L2 → lead) with a reason.', request: caseRequests.actions.escalate },

  'GET /v1/approvals': { summary: 'Four-eyes requests.', query: approvalRequests.list },
  'POST /v1/approvals': { summary: 'Ask someone else to approve a publication (ruleset.publish) or a deployment change (deployment.change).', request: approvalRequests.create },
  'POST /v1/approvals/:id/approve': { summary: 'Approve another person\'s request (403 for your own).' },
  'POST /v1/approvals/:id/reject': { summary: 'Reject another person\'s request.' },

  'GET /v1/admin/api-keys': { summary: 'API keys (never their secrets).' },
  'POST /v1/admin/api-keys': { summary: 'Create an API key with scopes; the secret is shown once, in this reply.', request: apiKeyRequests.create },
  'DELETE /v1/admin/api-keys/:id': { summary: 'Revoke an API key.' },
  'GET /v1/admin/users': { summary: 'People with accounts and their roles.' },
  'POST /v1/admin/users': { summary: 'Create an account with roles (the password rules apply).', request: userRequests.create },
  'PATCH /v1/admin/users/:username': { summary: 'Change an account\'s roles or password, or remove its second factor.', request: userRequests.patch },
  'POST /v1/admin/users/:username/unlock': { summary: 'Unlock an account locked after failed sign-ins.' },
  'GET /v1/admin/audit': { summary: 'The audit trail, in order (after: the last sequence number seen).', query: auditRequests.list },
  'GET /v1/admin/audit/verify': { summary: 'Check the audit trail\'s hash chain end to end.' },
};

/** A query schema's fields as OpenAPI query parameters. */
function queryParameters(schema: z.ZodType): Record<string, unknown>[] {
  const described = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(described.properties ?? {}).map(([name, property]) => {
    const { description, ...valueSchema } = property;
    return {
      name, in: 'query', required: described.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: valueSchema,
    };
  });
}

const toOpenApiPath = (pattern: string) => pattern.replace(/:(\w+)/g, '{$1}').replace(/\{\/\*\w+\}|\/\*\w+/g, '');

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, need] of Object.entries(ROUTE_PERMISSIONS)) {
    const [method, pattern] = key.split(' ') as [string, string];
    if (!pattern.startsWith('/v1/') && !['/healthz', '/metrics', '/openapi.json'].includes(pattern)) continue; // the web application's files
    const path = toOpenApiPath(pattern);
    const op = OPERATIONS[key];
    const params = [
      ...[...pattern.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(op?.query ? queryParameters(op.query) : []),
    ];
    (paths[path] ??= {})[method.toLowerCase()] = {
      summary: op?.summary ?? key,
      'x-permission': need,
      ...(need === 'public' ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op?.request ? { requestBody: { required: !op.bodyOptional, ...json(op.request, 'input') } } : {}),
      responses: {
        200: op?.reply ? { description: 'OK', ...json(op.reply, 'output') } : { description: 'OK' },
        400: errorReply('The request is invalid: `fields` says which field and why.'),
        ...(need === 'public' ? {} : { 401: errorReply('No valid credential.'), 403: errorReply(`The credential lacks the "${need}" permission.`) }),
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'FraudGuard API', version, description: 'Real-time fraud decisions. Machine clients send `Authorization: Bearer <api key>`.' },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}

export function openApiRoutes(version = '0.1.0'): Router {
  const router = Router();
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => { res.json(document ??= openApiDocument(version)); });
  return router;
}
