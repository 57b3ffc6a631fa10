import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';

/** The instant `ms` written in the local time of a zone `hours` east of UTC ("…T12:00:00+02:00"). */
const isoWithOffset = (ms: number, hours: number) =>
  `${new Date(ms + hours * 3_600_000).toISOString().slice(0, 19)}+${String(hours).padStart(2, '0')}:00`;

describe('POST /v1/decisions with bad input', () => {
  let stack: TestStack;
  const accepted: string[] = []; // the requests here that are valid
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  const cases: [string, Record<string, unknown> | string, string, RegExp][] = [
    ['a missing field', (() => { const t = aTransaction(); delete t['customer_id']; return t; })(), 'customer_id', /^is required$/],
    ['a missing time', (() => { const t = aTransaction(); delete t['occurred_at']; return t; })(), 'occurred_at', /^is required$/],
    ['a negative amount', aTransaction({ amount: -5 }), 'amount', /positive/],
    ['a zero amount', aTransaction({ amount: '0' }), 'amount', /greater than 0/],
    ['an amount in exponent form', aTransaction({ amount: '1e3' }), 'amount', /decimal/],
    ['a bad currency', aTransaction({ currency: 'euro' }), 'currency', /ISO 4217/],
    ['a wrong type', aTransaction({ customer_id: { nested: true } }), 'customer_id', /^must be a string or a number, not an object$/],
    ['a date without a time zone', aTransaction({ occurred_at: '2026-11-22 10:00:00' }), 'occurred_at', /ISO-8601/],
    ['an unknown field', aTransaction({ colour: 'red' }), '(body)', /unknown field\(s\): colour/],
    ['a nested metadata value', aTransaction({ metadata: { device: { os: 'ios' } } }), 'metadata.device', /one level deep/],
    ['a metadata string over 1,024 characters', aTransaction({ metadata: { note: 'x'.repeat(1025) } }), 'metadata.note', /at most 1,024 characters/],
    ['no merchant or terminal', (() => { const t = aTransaction(); delete t['merchant_id']; return t; })(), 'merchant_id', /merchant_id or terminal_id/],
    ['an array instead of an object', '[1,2]', '(body)', /^must be an object, not an array$/],
    ['a time years after the server clock', aTransaction({ occurred_at: '2099-01-01T00:00:00Z' }), 'occurred_at', /days after this server's clock \(\d{4}-.*\): at most 15 minutes ahead is accepted/],
    ['a time two hours after the server clock, with an offset', aTransaction({ occurred_at: isoWithOffset(Date.now() + 2 * 3_600_000, 2) }), 'occurred_at', /1 hour after this server's clock/],
  ];

  for (const [what, body, field, reason] of cases) {
    it(`answers 400 naming the field for ${what}, and writes nothing`, async () => {
      const res = await stack.post('/v1/decisions', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'INVALID_REQUEST');
      const issue = res.body.error.fields.find((f: { field: string }) => f.field === field);
      assert.ok(issue, `expected an issue for ${field}, got ${JSON.stringify(res.body.error.fields)}`);
      assert.match(issue.reason, reason);
    });
  }

  it('decides a payment stamped a few minutes after the server clock (a sender\'s clock drifts)', async () => {
    const res = await stack.post('/v1/decisions', aTransaction({ occurred_at: isoWithOffset(Date.now() + 5 * 60_000, 9), customer_id: 'c-drift' }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    accepted.push(res.body.transaction_id);
  });

  it('keeps a customer\'s velocity as it was when a payment stamped years ahead is refused', async () => {
    const customer = `c-ahead-${Date.now()}`;
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 22, 10, minutes)).toISOString();
    for (const minutes of [0, 5]) {
      const res = await stack.post('/v1/decisions', aTransaction({ customer_id: customer, occurred_at: at(minutes) }));
      assert.equal(res.status, 200);
      accepted.push(res.body.transaction_id);
    }
    assert.equal((await stack.post('/v1/decisions', aTransaction({ customer_id: customer, occurred_at: '2030-11-22T10:00:00Z' }))).status, 400);
    const third = await stack.post('/v1/decisions', aTransaction({ customer_id: customer, occurred_at: at(10) }));
    accepted.push(third.body.transaction_id);
    const stored = await stack.get(`/v1/decisions/${third.body.transaction_id}`);
    assert.equal(stored.body.features['customer.tx_count_1d'], 2);
    assert.equal(stored.body.features['customer.seconds_since_last'], 300);
  });

  it('answers 400 MALFORMED_JSON to a body that is not JSON', async () => {
    const res = await stack.post('/v1/decisions', '{"id": "x", ');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'MALFORMED_JSON');
  });

  it('answers 413 to a body over the route\'s limit, saying the limit: 1 MB for a decision, 16 MB for a bulk request', async () => {
    const huge = JSON.stringify({ ...aTransaction(), metadata: { blob: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await stack.post('/v1/decisions', huge);
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(res.body.error.message, 'The body is larger than this route takes (1 MB).');
    const bulk = await stack.post('/v1/decisions/bulk', JSON.stringify({ transactions: [{ ...aTransaction(), metadata: { blob: 'x'.repeat(17 * 1024 * 1024) } }] }));
    assert.equal(bulk.status, 413);
    assert.equal(bulk.body.error.message, 'The body is larger than this route takes (16 MB).');
  });

  it('accepts the JSON body curl -d sends as form-encoded', async () => {
    const tx = aTransaction();
    accepted.push(tx['id'] as string);
    const res = await fetch(`${stack.url}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${stack.adminKey}` }, body: JSON.stringify(tx) });
    assert.equal(res.status, 200);
  });

  it('wrote no transaction, decision or workflow for any refused request', async () => {
    const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM transactions WHERE id <> ALL($1)', [accepted]);
    assert.equal(rows[0].n, 0, 'only the valid requests may be recorded');
  });
});
