import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRuleCaches } from './ruleset-cache.ts';
import type { RulesetReader } from './pg/ruleset-repository.ts';
import type { Deployment } from '../engine/deployment.ts';

/** A reader whose database can be taken away: every call throws while `down`. */
function flakyReader(deployment: Deployment) {
  const state = { down: false, deploymentReads: 0 };
  const guard = () => { if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432'); };
  const reader = {
    async version() { guard(); return null; },
    async currentDeployment() { guard(); state.deploymentReads += 1; return deployment; },
    async listRevisions() { guard(); return new Map([['blocked_devices', { revision: 1, kind: 'device' }]]); },
    async listItems() { guard(); return ['dev-1']; },
  } as unknown as RulesetReader;
  return { reader, state };
}

const DEPLOYMENT = { version: 3 } as unknown as Deployment;

describe('the worker\'s rule caches while Postgres does not answer', () => {
  it('keeps deciding with the deployment and lists last read, and reads them again once it answers', async () => {
    let now = 0;
    const { reader, state } = flakyReader(DEPLOYMENT);
    const caches = createRuleCaches(reader, { refreshMs: 1_000, now: () => now });
    assert.equal((await caches.deployments.current()).version, 3);
    await caches.lists.refresh();
    assert.equal(caches.lists.has('blocked_devices', 'dev-1'), true);

    state.down = true;
    now += 5_000;
    assert.equal((await caches.deployments.current()).version, 3, 'the last deployment read');
    await caches.lists.refresh();
    assert.equal(caches.lists.has('blocked_devices', 'dev-1'), true, 'the lists last read');

    state.down = false;
    now += 5_000;
    const reads = state.deploymentReads;
    await caches.deployments.current();
    assert.equal(state.deploymentReads, reads + 1, 'read again from the database');
  });

  it('keeps every list read before when a changed list cannot be read, none dropped or half-updated', async () => {
    let now = 0;
    let revision = 1;
    let itemsDown = false;
    const reader = {
      async listRevisions() { return new Map([['blocked_devices', { revision, kind: 'device' }], ['blocked_ips', { revision: 1, kind: 'ip' }]]); },
      async listItems(name: string) {
        if (itemsDown) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return name === 'blocked_devices' ? [`dev-${revision}`] : ['10.0.0.1'];
      },
    } as unknown as RulesetReader;
    const caches = createRuleCaches(reader, { refreshMs: 1_000, now: () => now });
    await caches.lists.refresh();
    revision = 2;
    itemsDown = true;
    now += 5_000;
    await caches.lists.refresh();
    assert.equal(caches.lists.has('blocked_devices', 'dev-1'), true, 'the list as last read');
    assert.equal(caches.lists.has('blocked_ips', '10.0.0.1'), true);
    itemsDown = false;
    now += 5_000;
    await caches.lists.refresh();
    assert.equal(caches.lists.has('blocked_devices', 'dev-2'), true, 'read again once it answers');
    assert.equal(caches.lists.has('blocked_devices', 'dev-1'), false);
  });

  it('fails when it never read them: there is nothing to decide with', async () => {
    const { reader, state } = flakyReader(DEPLOYMENT);
    state.down = true;
    const caches = createRuleCaches(reader, { refreshMs: 1_000, now: () => 0 });
    await assert.rejects(caches.deployments.current(), /ECONNREFUSED/);
    await assert.rejects(caches.lists.refresh(), /ECONNREFUSED/);
  });
});

describe('the lists\' comparisons', () => {
  const cachesOver = (lists: Record<string, { kind: string; items: string[] }>) => createRuleCaches({
    async listRevisions() { return new Map(Object.entries(lists).map(([name, l]) => [name, { revision: 1, kind: l.kind }])); },
    async listItems(name: string) { return lists[name]?.items ?? []; },
  } as unknown as RulesetReader, { refreshMs: 1_000, now: () => 0 });

  it('match an e-mail address in any case and an IPv6 address in any spelling, ids exactly', async () => {
    const caches = cachesOver({
      blocked_emails: { kind: 'email', items: ['fraud@example.com', 'Old.Entry@Example.COM'] },
      blocked_ips: { kind: 'ip', items: ['2001:db8::1', '10.0.0.1'] },
      blocked_devices: { kind: 'device', items: ['Dev-1'] },
    });
    await caches.lists.refresh();
    assert.equal(caches.lists.has('blocked_emails', 'Fraud@Example.com'), true);
    assert.equal(caches.lists.has('blocked_emails', 'old.entry@example.com'), true, 'a value stored before lists kept one spelling');
    assert.equal(caches.lists.has('blocked_ips', '2001:DB8:0:0::1'), true);
    assert.equal(caches.lists.has('blocked_ips', '10.0.0.1'), true);
    assert.equal(caches.lists.has('blocked_devices', 'dev-1'), false, 'device ids are the integrator\'s own: exact');
  });
});
