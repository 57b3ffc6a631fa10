import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openApiDocument } from './openapi.ts';

type Parameter = { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> };
type Op = { summary: string; parameters?: Parameter[]; requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> } };

const doc = openApiDocument('test') as { paths: Record<string, Record<string, Op>> };
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
const op = (method: string, path: string): Op => {
  const found = doc.paths[path]?.[method];
  assert.ok(found, `${method} ${path} is described`);
  return found;
};
const param = (o: Op, name: string) => o.parameters?.find((p) => p.name === name);

describe('the OpenAPI document (GET /openapi.json)', () => {
  it('says what every operation does, not only its method and path', () => {
    const bare = operations.filter(({ key, op: o }) => o.summary === key.replace(/\{(\w+)\}/g, ':$1'));
    assert.deepEqual(bare.map((b) => b.key), []);
  });

  it('describes the body of every operation that reads one, from the schema that parses it', () => {
    // These read nothing from a body: the path names what they act on.
    const bodiless = new Set([
      'POST /v1/auth/logout', 'POST /v1/models/{version}/retire', 'POST /v1/simulations/{id}/cancel',
      'POST /v1/approvals/{id}/approve', 'POST /v1/approvals/{id}/reject', 'POST /v1/admin/users/{username}/unlock',
      'PUT /v1/rulesets/{name}/versions/{version}', 'PATCH /v1/rulesets/{name}/versions/{version}',
    ]);
    const missing = operations.filter(({ key, op: o }) => /^(POST|PUT|PATCH) /.test(key) && !bodiless.has(key) && !o.requestBody);
    assert.deepEqual(missing.map((m) => m.key), []);
    const decline = op('post', '/v1/cases/{id}/decline').requestBody!;
    assert.equal(decline.required, true);
    assert.deepEqual(decline.content['application/json']!.schema['required'], ['reason_code']);
    assert.equal(op('post', '/v1/cases/{id}/claim').requestBody!.required, false, 'a claim needs no body');
  });

  it('lists the query parameters a listing takes, with their types, bounds and defaults', () => {
    const queue = op('get', '/v1/cases');
    assert.deepEqual(queue.parameters!.map((p) => p.name),
      ['queue', 'status', 'min_age', 'amount_min', 'amount_max', 'score_min', 'score_max', 'limit', 'offset']);
    assert.ok(queue.parameters!.every((p) => p.in === 'query' && p.required === false));
    assert.deepEqual(param(queue, 'queue')!.schema['enum'], ['L1', 'L2', 'lead']);
    assert.match(param(queue, 'min_age')!.description ?? '', /duration such as 15m/);
    const limit = param(queue, 'limit')!.schema;
    assert.equal(limit['maximum'], 500);
    assert.equal(limit['default'], 50);
    assert.equal(param(op('get', '/v1/deployments/current/stats'), 'from')!.schema['format'], 'date-time');
    assert.deepEqual(op('get', '/v1/simulations/{id}/changes').parameters!.map((p) => `${p.in}:${p.name}`), ['path:id', 'query:page', 'query:page_size']);
  });
});
