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
    async listRevisions() { guard(); return new Map([['blocked_devices', 1]]); },
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
      async listRevisions() { return new Map([['blocked_devices', revision], ['blocked_ips', 1]]); },
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
