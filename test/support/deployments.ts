import assert from 'node:assert/strict';
import { aTransaction, uniqueName, type StackClient } from './stack.ts';
import { waitFor } from './wait.ts';

/** Replaces the deployment with `spec`, based on the one in force; returns the new version. */
export async function deploy(stack: StackClient, spec: unknown, comment = 'test'): Promise<number> {
  const current = await stack.get('/v1/deployments/current');
  const res = await stack.post('/v1/deployments', { spec, comment, expected_version: current.body.version });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.version as number;
}

/**
 * Decides fresh transactions until one is decided under `deploymentVersion` (workers re-read the
 * deployment every 2 s) and returns that decision and its transaction. A new customer each time, so
 * no velocity rule of the default ruleset fires on the probes themselves.
 */
export async function decidedUnder(stack: StackClient, deploymentVersion: number, overrides: Record<string, unknown> = {}, timeoutMs = 20_000) {
  return waitFor(async () => {
    const tx = aTransaction({ customer_id: uniqueName('c'), ...overrides });
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.deployment_version === deploymentVersion ? { tx, body: res.body } : null;
  }, timeoutMs, `a decision under deployment ${deploymentVersion}`);
}
