import { z } from 'zod';
import { boundOrChoiceReason, wrongTypeReason } from './issue-wording.ts';

/**
 * The transaction a client submits for a decision. Parsed once at the edge (API, CSV replay);
 * everything inside the program works on the parsed `Transaction`.
 */

// Amounts stay decimal strings end to end (NUMERIC in Postgres) so no cent is lost to binary
// floating point; `amountValue` is the float view that features and rules compare against.
const DECIMAL = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,6})?$/;

const amount = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? numberToDecimal(value) : value.trim();
    if (text === null || !DECIMAL.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a positive decimal number with at most 6 decimal places' });
      return z.NEVER;
    }
    if (Number(text) <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      return z.NEVER;
    }
    return text;
  });

function numberToDecimal(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  // JSON numbers such as 12.3 print back exactly as written; exponent forms are refused.
  const text = String(value);
  return /e/i.test(text) ? null : text;
}

const id = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

const entityId = z.union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'));

export const transactionInputSchema = z.strictObject({
  id,
  // The message for a present value only: a missing one keeps zod's own, which issuesOf words "is required".
  occurred_at: z.iso.datetime({ offset: true, local: false, error: (iss) => (iss.input === undefined ? undefined : 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-22T10:15:00Z') }),
  amount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in capitals, e.g. EUR'),
  customer_id: entityId,
  merchant_id: entityId.optional(),
  terminal_id: entityId.optional(),
  device_id: entityId.optional(),
  ip: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IPv4 or IPv6 address' }).optional(),
  card_bin: z.string().regex(/^\d{6,8}$/, 'must be 6 to 8 digits').optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166-1 code in capitals').optional(),
  channel: z.enum(['card_present', 'ecommerce', 'moto', 'atm', 'transfer', 'wallet']).optional(),
  mcc: z.string().regex(/^\d{4}$/, 'must be a four-digit merchant category code').optional(),
  email: z.email({ message: 'must be an e-mail address' }).max(254).optional(),
  metadata: z.record(z.string(), z.union([z.string().max(1024, 'must be at most 1,024 characters'), z.number(), z.boolean(), z.null()], { message: 'must be a string of at most 1,024 characters, a number, true, false or null: metadata is one level deep' })).optional()
    .refine((m) => m === undefined || Object.keys(m).length <= 50, 'may hold at most 50 keys'),
}).refine((t) => t.merchant_id !== undefined || t.terminal_id !== undefined, {
  message: 'merchant_id or terminal_id is required',
  path: ['merchant_id'],
});

export type TransactionInput = z.input<typeof transactionInputSchema>;
type ParsedInput = z.output<typeof transactionInputSchema>;

/** A parsed transaction: the shape every engine function takes. */
export interface Transaction extends Omit<ParsedInput, 'merchant_id' | 'terminal_id'> {
  /** merchant_id, or terminal_id when only that was given: the merchant/terminal entity. */
  merchant_id: string;
  terminal_id?: string;
  /** `amount` as a number, for features and rules. */
  amountValue: number;
  /** `occurred_at` as epoch milliseconds: every window is measured on the transaction's own clock. */
  occurredAtMs: number;
}

export function toTransaction(input: ParsedInput): Transaction {
  const { merchant_id, terminal_id, ...rest } = input;
  return {
    ...rest,
    merchant_id: (merchant_id ?? terminal_id) as string,
    ...(terminal_id !== undefined ? { terminal_id } : {}),
    amountValue: Number(input.amount),
    occurredAtMs: Date.parse(input.occurred_at),
  };
}

/**
 * What tells one payment from another, by the request fields that carry it (the time as epoch ms, so
 * the same instant written in another offset is the same payment): a transaction id sent again with any
 * of them changed is not a retry but a second payment under a used id.
 */
export interface PaymentIdentity {
  occurred_at: number;
  amount: number;
  currency: string;
  customer_id: string;
  merchant_id: string;
  terminal_id: string | null;
}

export const paymentOf = (tx: Transaction): PaymentIdentity => ({
  occurred_at: tx.occurredAtMs, amount: tx.amountValue, currency: tx.currency,
  customer_id: tx.customer_id, merchant_id: tx.merchant_id, terminal_id: tx.terminal_id ?? null,
});

/** The fields of `a` and `b` that differ. */
export function paymentDifferences(a: PaymentIdentity, b: PaymentIdentity): (keyof PaymentIdentity)[] {
  return (Object.keys(a) as (keyof PaymentIdentity)[]).filter((k) => a[k] !== b[k]);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };
export interface FieldIssue { field: string; reason: string }

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    reason: issue.code === 'unrecognized_keys'
      ? `unknown field(s): ${issue.keys.join(', ')}`
      : isMissing(issue)
        ? 'is required'
        : plainer(issue) ?? issue.message,
  }));
}

/** Zod's own wording where it says too little: a value of the wrong type, bounds and choices. */
function plainer(issue: z.core.$ZodIssue): string | undefined {
  return wrongTypeReason(issue) ?? boundOrChoiceReason(issue);
}

// A missing field shows up as invalid_type "received undefined", or, for fields that accept
// several types (amount: number or string), as a union whose every branch says so.
function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_type') return issue.message.includes('received undefined');
  if (issue.code === 'invalid_union') {
    return issue.errors.length > 0 && issue.errors.every((branch) => branch.length > 0 && branch.every(isMissing));
  }
  return false;
}

/**
 * How far after the receiving server's clock a transaction's time may lie. Features are measured on the
 * transaction's own clock and an entity's store forgets what falls out of its longest window from the
 * latest time it has seen, so one payment stamped years ahead would erase its customer's history and
 * leave every later payment "0 seconds since the last". The API checks it; replays of history do not.
 */
export interface ClockBound { nowMs: number; maxAheadMs: number }

export function parseTransaction(input: unknown, clock?: ClockBound): ParseResult<Transaction> {
  const parsed = transactionInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
  const tx = toTransaction(parsed.data);
  const ahead = clock && aheadOfClock(tx.occurredAtMs, clock, 'send the time the payment happened, with its offset');
  return ahead ? { ok: false, issues: [{ field: 'occurred_at', reason: ahead }] } : { ok: true, value: tx };
}

/** Why a time sent by a client lies too far after the receiving clock (`hint`: what to send instead); undefined when it does not. */
export function aheadOfClock(atMs: number, clock: ClockBound, hint: string): string | undefined {
  if (atMs <= clock.nowMs + clock.maxAheadMs) return undefined;
  return `is ${spanOf(atMs - clock.nowMs)} after this server's clock (${new Date(clock.nowMs).toISOString()}): `
    + `at most ${spanOf(clock.maxAheadMs)} ahead is accepted; ${hint}`;
}

/** A span in its largest whole unit ("3 days", "15 minutes"): enough to see how far off a clock is. */
function spanOf(ms: number): string {
  const units: [string, number][] = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1_000]];
  for (const [name, size] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return `${Math.max(0, Math.round(ms))} ms`;
}
