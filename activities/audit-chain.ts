import { createHash } from 'node:crypto';

/**
 * The audit trail's hash chain, as pure functions: the repository appends with them, and
 * `fraudguard audit verify` re-checks with them. Each entry's hash is
 *   SHA-256( prev_hash + "\n" + canonical JSON of the entry's fields )
 * so changing any field of any entry, removing an entry, or reordering entries breaks the chain at
 * the first entry affected.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface AuditFields {
  seq: number;
  /** ISO-8601, stored as text exactly as hashed. */
  at: string;
  actor: string;
  action: string;
  target: string | null;
  status: number | null;
  request: Json;
  before: Json;
  after: Json;
}

export interface AuditEntry extends AuditFields {
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level and no whitespace: one spelling per value, so the hash
 * does not depend on key order (PostgreSQL's jsonb reorders keys) or formatting.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(toJson(value)));
}

/**
 * A value as it will come back from a jsonb column: what JSON keeps (no undefined, functions,
 * non-finite numbers) and strings that PostgreSQL accepts (no NUL, no lone surrogates).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function toJson(value: unknown): Json {
  const parsed: unknown = JSON.parse(JSON.stringify(value ?? null));
  const clean = (v: unknown): Json => {
    if (typeof v === 'string') return v.replace(UNSTORABLE, '\uFFFD');
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k) as string, clean(x)]));
    return v as Json;
  };
  return clean(parsed);
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k] as Json);
    return out;
  }
  return v;
}

export function entryHash(prevHash: string, f: AuditFields): string {
  const fields = { seq: f.seq, at: f.at, actor: f.actor, action: f.action, target: f.target, status: f.status, request: f.request, before: f.before, after: f.after };
  return createHash('sha256').update(`${prevHash}\n${canonicalJson(fields)}`).digest('hex');
}

export function chainEntry(prev: { seq: number; hash: string } | null, f: Omit<AuditFields, 'seq'>): AuditEntry {
  const fields: AuditFields = { ...f, seq: (prev?.seq ?? 0) + 1 };
  const prevHash = prev?.hash ?? GENESIS_HASH;
  return { ...fields, prevHash, hash: entryHash(prevHash, fields) };
}

export type ChainVerdict =
  | { ok: true; entries: number; head: { seq: number; hash: string } | null }
  | { ok: false; entries: number; seq: number; reason: string };

/** Walks the entries in seq order and names the first one that breaks the chain. */
export async function verifyChain(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Promise<ChainVerdict> {
  let prev: { seq: number; hash: string } | null = null;
  let count = 0;
  for await (const e of entries) {
    count += 1;
    const expectedSeq: number = (prev?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) {
      return { ok: false, entries: count, seq: expectedSeq, reason: `entry #${expectedSeq} is missing (the next entry is #${e.seq}): it was deleted` };
    }
    if (e.prevHash !== (prev?.hash ?? GENESIS_HASH)) {
      return { ok: false, entries: count, seq: e.seq, reason: `entry #${e.seq} does not follow entry #${prev?.seq ?? 0} (prev_hash differs): an earlier entry was replaced` };
    }
    if (entryHash(e.prevHash, e) !== e.hash) {
      return { ok: false, entries: count, seq: e.seq, reason: `entry #${e.seq} was altered: its content no longer matches its hash` };
    }
    prev = { seq: e.seq, hash: e.hash };
  }
  return { ok: true, entries: count, head: prev };
}
