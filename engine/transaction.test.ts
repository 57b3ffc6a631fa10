import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTransaction } from './transaction.ts';

const payment = (occurred_at: string) => ({ id: 't-1', occurred_at, amount: '10.00', currency: 'EUR', customer_id: 'c-1', merchant_id: 'm-1' });
const nowMs = Date.parse('2026-12-07T12:00:00Z');
const clock = { nowMs, maxAheadMs: 15 * 60_000 };

describe('parseTransaction against the receiving clock', () => {
  it('takes a time up to the allowance after the clock, in any offset', () => {
    assert.equal(parseTransaction(payment('2026-12-07T12:15:00Z'), clock).ok, true);
    assert.equal(parseTransaction(payment('2026-12-07T21:15:00+09:00'), clock).ok, true);
    assert.equal(parseTransaction(payment('2018-04-01T00:00:00Z'), clock).ok, true, 'history is not limited');
  });

  it('refuses a time past the allowance, naming the field, how far ahead it is and what is accepted', () => {
    const late = parseTransaction(payment('2026-12-07T12:15:00.001Z'), clock);
    assert.deepEqual(late, { ok: false, issues: [{ field: 'occurred_at',
      reason: "is 15 minutes after this server's clock (2026-12-07T12:00:00.000Z): at most 15 minutes ahead is accepted; send the time the payment happened, with its offset" }] });
    const years = parseTransaction(payment('2030-12-07T12:00:00Z'), clock);
    assert.match(years.ok ? '' : years.issues[0]?.reason ?? '', /^is 1461 days after/);
  });

  it('checks nothing without a clock (replays of history)', () => {
    assert.equal(parseTransaction(payment('2099-01-01T00:00:00Z')).ok, true);
  });
});
