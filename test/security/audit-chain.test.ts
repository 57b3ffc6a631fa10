import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, chainEntry, GENESIS_HASH, toJson, verifyChain, type AuditEntry } from '../../activities/audit-chain.ts';

function aChain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(chainEntry(entries.at(-1) ?? null, {
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), actor: `user${i}`, action: 'POST /v1/lists', target: `list:l${i}`,
      status: 201, request: { body: { name: `l${i}` } }, before: null, after: { name: `l${i}`, kind: 'ip' },
    }));
  }
  return entries;
}

describe('the audit hash chain', () => {
  it('spells a value one way whatever its key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  });

  it('keeps only what a jsonb column can store', () => {
    assert.deepEqual(toJson({ s: 'a\u0000b', lone: '\uD800x', n: Number.NaN, u: undefined }), { s: 'a\uFFFDb', lone: '\uFFFDx', n: null });
  });

  it('links each entry to the one before, from the genesis hash', () => {
    const chain = aChain(3);
    assert.equal(chain[0]?.prevHash, GENESIS_HASH);
    assert.equal(chain[1]?.prevHash, chain[0]?.hash);
    assert.deepEqual(chain.map((e) => e.seq), [1, 2, 3]);
  });

  it('accepts an untouched chain and reports its head', async () => {
    const chain = aChain(5);
    assert.deepEqual(await verifyChain(chain), { ok: true, entries: 5, head: { seq: 5, hash: chain[4]?.hash } });
    assert.deepEqual(await verifyChain([]), { ok: true, entries: 0, head: null });
  });

  it('names an edited entry', async () => {
    const chain = aChain(5);
    chain[2] = { ...(chain[2] as AuditEntry), actor: 'mallory' };
    const verdict = await verifyChain(chain);
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.seq, 3);
    assert.match(!verdict.ok ? verdict.reason : '', /altered/);
  });

  it('names the entry after one that was edited and re-hashed', async () => {
    const chain = aChain(5);
    const forged = chainEntry(chain[0] ?? null, { ...(chain[1] as AuditEntry), actor: 'mallory' });
    chain[1] = forged;
    const verdict = await verifyChain(chain);
    assert.equal(!verdict.ok && verdict.seq, 3);
    assert.match(!verdict.ok ? verdict.reason : '', /does not follow/);
  });

  it('names a deleted entry', async () => {
    const chain = aChain(5);
    chain.splice(1, 1);
    const verdict = await verifyChain(chain);
    assert.equal(!verdict.ok && verdict.seq, 2);
    assert.match(!verdict.ok ? verdict.reason : '', /missing/);
  });
});
