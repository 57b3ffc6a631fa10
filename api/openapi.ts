import { z } from 'zod';
import { Router } from 'express';
import { transactionInputSchema } from '../engine/transaction.ts';
import { deploymentSpecSchema } from '../engine/deployment.ts';
import { bulkRequestSchema } from './bulk-decisions.ts';
import { modelRegistrationSchema } from './routes/models.ts';
import { simulationRequestSchema } from '../simulations/spec.ts';
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

/** What each documented operation takes and returns, beyond its method, path and permission. */
const OPERATIONS: Record<string, { summary: string; request?: z.ZodType; reply?: z.ZodType }> = {
  'POST /v1/decisions': { summary: 'Decide one transaction (idempotent by transaction id: a retry returns the first decision; the id sent again with another payment — occurred_at, amount, currency, customer, merchant or terminal — is refused with 409 TRANSACTION_ID_REUSED).', request: transactionInputSchema, reply: decisionReplySchema },
  'POST /v1/decisions/bulk': { summary: 'Decide up to 1,000 transactions; each item is validated and decided on its own, idempotent by transaction id (an item reusing an id for another payment: TRANSACTION_ID_REUSED).', request: bulkRequestSchema, reply: bulkReplySchema },
  'GET /v1/decisions/:id': { summary: 'A decision by transaction id, with its features, fired rules and events.', reply: decisionReplySchema },
  'POST /v1/deployments': { summary: 'A new deployment: champion and challengers (four-eyes).', request: deploymentSpecSchema },
  'GET /v1/models': { summary: 'Registered model versions (?status=active|retired), with where the deployment in force uses them.' },
  'GET /v1/models/:version': { summary: 'One model version with its whole metadata.' },
  'POST /v1/models': { summary: 'Register a model version: its ONNX file (base64) with the metadata ml/train.py wrote; 400 names the field at fault, 409 when the version exists.', request: modelRegistrationSchema },
  'POST /v1/models/:version/retire': { summary: 'Retire a model version (it stays loadable for replays); 409 while an arm of the deployment in force names it.' },
  'GET /v1/simulations/sources': { summary: 'The histories a simulation can replay (dataset, postgres) and the days each holds, or why one is not available.' },
  'POST /v1/simulations': { summary: 'Replay a period of history through a candidate beside the baseline (the champion by default), as a chunked workflow; poll GET /v1/simulations/{id}.', request: simulationRequestSchema },
};

const toOpenApiPath = (pattern: string) => pattern.replace(/:(\w+)/g, '{$1}').replace(/\{\/\*\w+\}|\/\*\w+/g, '');

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, need] of Object.entries(ROUTE_PERMISSIONS)) {
    const [method, pattern] = key.split(' ') as [string, string];
    if (!pattern.startsWith('/v1/') && !['/healthz', '/metrics', '/openapi.json'].includes(pattern)) continue; // the web application's files
    const path = toOpenApiPath(pattern);
    const op = OPERATIONS[key];
    const params = [...pattern.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    (paths[path] ??= {})[method.toLowerCase()] = {
      summary: op?.summary ?? key,
      'x-permission': need,
      ...(need === 'public' ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op?.request ? { requestBody: { required: true, ...json(op.request, 'input') } } : {}),
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
