import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalListValue } from './list-values.ts';

describe('the spelling a list keeps of a value', () => {
  it('is lower case for an e-mail address, whose case mail providers ignore', () => {
    assert.equal(canonicalListValue('email', 'Fraud@Example.COM'), 'fraud@example.com');
  });

  it('is the RFC 5952 form of an IPv6 address, the IPv4 address an IPv4-mapped one carries, and an IPv4 address as written', () => {
    assert.equal(canonicalListValue('ip', '2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalListValue('ip', '2001:db8::1'), '2001:db8::1');
    assert.equal(canonicalListValue('ip', '::FFFF:10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalListValue('ip', '::ffff:c0a8:101'), '192.168.1.1');
    assert.equal(canonicalListValue('ip', '10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalListValue('ip', 'not:an:address:at:all:x'), 'not:an:address:at:all:x');
  });

  it('is the value itself for ids, which the integrator spells', () => {
    for (const kind of ['device', 'card', 'customer', 'merchant', 'other'] as const) assert.equal(canonicalListValue(kind, 'Dev-1'), 'Dev-1');
  });
});
