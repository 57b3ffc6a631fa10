import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTransaction } from '../../engine/transaction.ts';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/** Values each field must refuse (the schema in engine/transaction.ts), and fields it does not know. */
const BAD_VALUES: Record<string, unknown[]> = {
  id: ['', ' ', 'has space', 'x'.repeat(129), 'semi;colon', 42, null, [], {}],
  occurred_at: ['2026-11-22', '2026-11-22T10:00:00', 'yesterday', '2026-13-01T00:00:00Z', 0, null, true],
  amount: ['-1', '0', '1e3', '12.1234567', 'abc', '', -5, 0, 1e21, Number.MAX_VALUE, null, {}, '1.2.3'],
  currency: ['eur', 'EURO', 'E1R', '', 978, null],
  customer_id: ['', -1, 1.5, null, {}, [], 'x'.repeat(129)],
  merchant_id: ['', -3, null, {}, 'x'.repeat(129)],
  ip: ['999.1.1.1', 'localhost', '1.2.3', '::g', 7],
  card_bin: ['12345', '123456789', 'abcdef', 123456],
  country: ['fr', 'FRA', 'F', 33],
  channel: ['web', 'ECOMMERCE', '', 1],
  mcc: ['541', '54111', 'abcd', 5411],
  email: ['not-an-email', '@x.y', 'a@', 'x'.repeat(251) + '@a.b', 5],
  metadata: ['text', [1], { nested: { a: 1 } }, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])), { long: 'x'.repeat(1025) }],
};
const REQUIRED = ['id', 'occurred_at', 'amount', 'currency', 'customer_id'];

const valid = () => aTransaction({ merchant_id: 'm-1' });

/** A request body (or raw text) the decision route must refuse with a 4xx and a reason. */
const badRequest: fc.Arbitrary<{ path: string; body: string }> = fc.oneof(
  // One field with a value the schema refuses (several, sometimes).
  fc.array(fc.constantFrom(...Object.keys(BAD_VALUES)), { minLength: 1, maxLength: 3 }).chain((fields) =>
    fc.tuple(...fields.map((f) => fc.constantFrom(...(BAD_VALUES[f] as unknown[])).map((v) => [f, v] as const))))
    .map((pairs) => ({ path: '/v1/decisions', body: JSON.stringify({ ...valid(), ...Object.fromEntries(pairs) }) })),
  // A required field missing, or neither merchant nor terminal.
  fc.constantFrom(...REQUIRED, 'merchant_id').map((f) => {
    const tx = valid();
    delete tx[f];
    return { path: '/v1/decisions', body: JSON.stringify(tx) };
  }),
  // A field nobody declared.
  fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(k in valid()) && !Object.keys(BAD_VALUES).includes(k) && k !== '__proto__' && k !== 'terminal_id' && k !== 'device_id')
    .map((k) => ({ path: '/v1/decisions', body: JSON.stringify({ ...valid(), [k]: 1 }) })),
  // Any JSON at all that is not a transaction.
  fc.jsonValue().filter((v) => !parseTransaction(v).ok).map((v) => ({ path: '/v1/decisions', body: JSON.stringify(v) ?? 'null' })),
  // Text that is not JSON, or JSON cut short.
  fc.string({ maxLength: 200 }).filter((s) => { try { const v: unknown = JSON.parse(s); return !parseTransaction(v).ok; } catch { return true; } })
    .map((s) => ({ path: '/v1/decisions', body: s })),
  fc.nat({ max: 60 }).map((n) => ({ path: '/v1/decisions', body: JSON.stringify(valid()).slice(0, n) })),
  // Bulk envelopes that are not { transactions: [1..1000] }.
  fc.oneof(fc.constant({}), fc.constant({ transactions: [] }), fc.jsonValue().map((v) => ({ transactions: v })).filter((b) => !Array.isArray(b.transactions) || b.transactions.length === 0),
    fc.record({ transactions: fc.constant([{}]), extra: fc.jsonValue() }))
    .map((b) => ({ path: '/v1/decisions/bulk', body: JSON.stringify(b) })),
).filter(({ path, body }) => {
  // Belt and braces: whatever a generator made, it must not be a transaction the route would accept.
  if (path !== '/v1/decisions') return true;
  try { return !parseTransaction(JSON.parse(body)).ok; } catch { return true; }
});

describe(`malformed input: ${RUNS.toLocaleString('en')} generated bad requests`, () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('answers every one with a 4xx and a reason, never a 5xx, and writes nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(badRequest, async ({ path, body }) => {
      const res = await stack.request('POST', path, { body, headers: { 'content-type': 'application/json' } });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${body.slice(0, 200)}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body?.error?.code, 'string');
      assert.ok(res.body.error.message.length > 0);
      if (res.status === 400) assert.ok(res.body.error.fields.length > 0 && res.body.error.fields.every((f: { reason: string }) => f.reason.length > 0));
    }), { numRuns: RUNS, seed: 20261202, endOnFailure: true });
    const { rows } = await stack.db.query<{ d: number; t: number }>('SELECT (SELECT count(*)::int FROM decisions) AS d, (SELECT count(*)::int FROM transactions) AS t');
    assert.deepEqual(rows[0], { d: 0, t: 0 }, 'nothing written');
    console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('is still alive and deciding afterwards', async () => {
    assert.equal((await stack.as(null).get('/healthz')).status, 200);
    const res = await stack.post('/v1/decisions', aTransaction());
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await stack.request('POST', '/v1/decisions', { body: JSON.stringify({ ...valid(), metadata: { big: 'x'.repeat(2_000_000) } }) });
    assert.equal(res.status, 413);
  });
});
