import { z } from 'zod';

/**
 * Conversion rates into one base currency, so that a rule can compare amounts sent in many currencies
 * (`amount_base`): units of base per unit of each currency, the base itself at 1. A currency without a
 * rate leaves `amount_base` unset: a numeric comparison on it (greaterThan…) is then false.
 */
export type FxRates = Readonly<Record<string, number>>;

export const fxRatesSchema = z.record(z.string(), z.number().positive('must be a rate above 0').finite())
  .superRefine((rates, ctx) => {
    // Checked here rather than by a key schema, whose failure zod reports only as "Invalid key in record".
    for (const code of Object.keys(rates)) {
      if (!/^[A-Z]{3}$/.test(code)) ctx.addIssue({ code: 'custom', path: [code], message: 'must be a three-letter ISO 4217 code in capitals, e.g. USD' });
    }
    if (Object.keys(rates).length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one currency, e.g. {"EUR":1,"USD":0.92}' });
  });

/** The amount in the base currency, to the cent; undefined without a rate for its currency. */
export function amountInBase(amount: number, currency: string, rates: FxRates | undefined): number | undefined {
  const rate = rates?.[currency];
  return rate === undefined ? undefined : Math.round(amount * rate * 100) / 100;
}

/** The base currency: the one rated 1, if any. */
export const baseCurrencyOf = (rates: FxRates): string | undefined => Object.entries(rates).find(([, r]) => r === 1)?.[0];
