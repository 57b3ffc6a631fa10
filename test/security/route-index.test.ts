import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from 'express';
import { examplePath, indexRoutes, patternMatcher } from '../../api/route-index.ts';

const ok = () => undefined;

describe('the route index', () => {
  const a = Router();
  a.get('/v1/rulesets/:name', ok);
  a.post('/v1/rulesets/:name/versions', ok);
  a.get('/v1/rulesets/special', ok);
  const nested = Router();
  nested.delete('/items/:value', ok);
  const b = Router();
  b.use('/v1/lists/:name', nested);
  b.all('/v1/anything', ok);
  const index = indexRoutes([a, b]);

  it('lists every route of every router, with mounted routers under their mount path', () => {
    assert.deepEqual(index.routes.map((r) => r.key), [
      'GET /v1/rulesets/:name', 'POST /v1/rulesets/:name/versions', 'GET /v1/rulesets/special',
      'DELETE /v1/lists/:name/items/:value', 'ALL /v1/anything',
    ]);
  });

  it('finds the route express runs first, as express matches (case, trailing slash, HEAD as GET)', () => {
    assert.equal(index.find('GET', '/v1/rulesets/special')?.key, 'GET /v1/rulesets/:name', 'the earlier route wins, as in express');
    assert.equal(index.find('GET', '/V1/RuleSets/x/')?.key, 'GET /v1/rulesets/:name');
    assert.equal(index.find('HEAD', '/v1/rulesets/x')?.key, 'GET /v1/rulesets/:name');
    assert.equal(index.find('DELETE', '/v1/lists/blocked/items/1.2.3.4')?.key, 'DELETE /v1/lists/:name/items/:value');
    assert.equal(index.find('PATCH', '/v1/anything')?.key, 'ALL /v1/anything');
  });

  it('finds nothing for a path or method no route serves', () => {
    assert.equal(index.find('POST', '/v1/rulesets/x'), null);
    assert.equal(index.find('GET', '/v1/rulesets/x/versions'), null);
    assert.equal(index.find('GET', '/v1/lists/x/items/y'), null);
  });

  it('says which methods a path is served under, HEAD beside GET, for a 405\'s Allow header', () => {
    assert.deepEqual(index.methodsFor('/v1/rulesets/x'), ['GET', 'HEAD']);
    assert.deepEqual(index.methodsFor('/v1/lists/blocked/items/1.2.3.4'), ['DELETE']);
    assert.deepEqual(index.methodsFor('/v1/nothing/here'), []);
  });

  it('matches table rows that no route serves, such as static assets under a prefix', () => {
    const match = patternMatcher(['GET /editor{/*path}', 'GET /assets/*path']);
    assert.equal(match('GET', '/editor'), 'GET /editor{/*path}');
    assert.equal(match('GET', '/editor/js/app.js'), 'GET /editor{/*path}');
    assert.equal(match('HEAD', '/assets/a.css'), 'GET /assets/*path');
    assert.equal(match('POST', '/editor/x'), null);
    assert.equal(match('GET', '/editorial'), null);
  });

  it('turns a pattern into a concrete path', () => {
    assert.equal(examplePath('/v1/rulesets/:name/versions/:version/publish'), '/v1/rulesets/x/versions/x/publish');
    assert.equal(examplePath('/editor{/*path}'), '/editor');
    assert.equal(examplePath('/assets/*path'), '/assets/x');
  });
});
