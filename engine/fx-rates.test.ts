import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { amountInBase, baseCurrencyOf, fxRatesSchema } from './fx-rates.ts';
import { buildFacts } from './facts.ts';
import { parseTransaction } from './transaction.ts';

const rates = { EUR: 1, USD: 0.92, JPY: 0.0062 };

describe('conversion rates (FX_RATES)', () => {
  it('converts an amount into the base currency, to the cent, and leaves a currency without a rate unconverted', () => {
    assert.equal(amountInBase(12_990, 'JPY', rates), 80.54);
    assert.equal(amountInBase(129.9, 'EUR', rates), 129.9);
    assert.equal(amountInBase(10, 'GBP', rates), undefined);
    assert.equal(amountInBase(10, 'EUR', undefined), undefined);
    assert.equal(baseCurrencyOf(rates), 'EUR');
  });

  it('gives rules amount_base beside the amount as sent', () => {
    const parsed = parseTransaction({ id: 't', occurred_at: '2026-12-07T10:00:00Z', amount: '50000', currency: 'JPY', customer_id: 'c', merchant_id: 'm' });
    assert.ok(parsed.ok);
    const facts = buildFacts(parsed.value, {}, null, { fxRates: rates });
    assert.deepEqual([facts['amount'], facts['currency'], facts['amount_base']], [50_000, 'JPY', 310]);
  });

  it('refuses a table with a lower-case code, a rate of 0 or no currency, naming the entry', () => {
    const issues = (v: unknown) => { const r = fxRatesSchema.safeParse(v); return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`); };
    assert.deepEqual(issues(rates), []);
    assert.match(issues({ usd: 0.9 }).join(), /usd: must be a three-letter ISO 4217 code/);
    assert.match(issues({ USD: 0 }).join(), /USD: must be a rate above 0/);
    assert.match(issues({}).join(), /at least one currency/);
  });
});
