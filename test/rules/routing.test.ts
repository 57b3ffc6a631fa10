import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentSpecSchema, type Deployment, type DeploymentSpecInput } from '../../engine/deployment.ts';
import { routeToArm } from '../../engine/routing.ts';
import { parseTransaction, type Transaction } from '../../engine/transaction.ts';

function aDeployment(spec: Partial<DeploymentSpecInput>, version = 1): Deployment {
  return { ...deploymentSpecSchema.parse({ champion: { name: 'champion', rulesetVersion: 'default@1' }, ...spec }), version };
}

function aTransaction(n: number, overrides: Record<string, unknown> = {}): Transaction {
  const parsed = parseTransaction({
    id: `tx-${n}`, occurred_at: '2026-11-22T10:00:00Z', amount: String(10 + (n % 500)), currency: 'EUR',
    customer_id: `customer-${n}`, merchant_id: `merchant-${n % 37}`, ...overrides,
  });
  assert.ok(parsed.ok);
  return parsed.value;
}

const CUSTOMERS = 10_000;

/** Which arm acts for each of 10,000 synthetic customers, counted. */
function split(deployment: Deployment): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 0; n < CUSTOMERS; n++) {
    const arm = routeToArm(deployment, aTransaction(n)).acting.name;
    counts.set(arm, (counts.get(arm) ?? 0) + 1);
  }
  return counts;
}

describe('routing transactions to arms', () => {
  it('splits 10,000 customers within ±2 % of the configured shares, the champion taking the rest', () => {
    const deployment = aDeployment({ challengers: [
      { name: 'tight', rulesetVersion: 'tight@1', share: 20 },
      { name: 'loose', rulesetVersion: 'loose@1', share: 5 },
      { name: 'watching', rulesetVersion: 'strict@1', shadow: true },
    ] });
    const counts = split(deployment);
    const expected = { tight: 20, loose: 5, champion: 75 };
    for (const [arm, share] of Object.entries(expected)) {
      const observed = (100 * (counts.get(arm) ?? 0)) / CUSTOMERS;
      assert.ok(Math.abs(observed - share) <= 2, `${arm}: ${observed} % of customers, configured ${share} %`);
    }
    assert.equal(counts.get('watching'), undefined, 'a shadow arm never acts');
  });

  it('holds the shares for other splits and salts too', () => {
    for (const [share, salt] of [[50, 'a'], [1, 'b'], [33.3, 'c'], [90, 'd']] as const) {
      const counts = split(aDeployment({ salt, challengers: [{ name: 'challenger', rulesetVersion: 'x@1', share }] }));
      const observed = (100 * (counts.get('challenger') ?? 0)) / CUSTOMERS;
      assert.ok(Math.abs(observed - share) <= 2, `share ${share} % with salt ${salt}: observed ${observed} %`);
    }
  });

  it('keeps a customer in the same arm for every transaction, whatever else differs', () => {
    const deployment = aDeployment({ challengers: [{ name: 'challenger', rulesetVersion: 'x@1', share: 50 }] });
    for (let n = 0; n < 500; n++) {
      const first = routeToArm(deployment, aTransaction(n)).acting.name;
      for (let k = 1; k <= 5; k++) {
        const again = aTransaction(n * 1000 + k, { customer_id: `customer-${n}`, amount: String(k * 99), merchant_id: `other-${k}` });
        assert.equal(routeToArm(deployment, again).acting.name, first, `customer-${n}, transaction ${k}`);
      }
    }
  });

  it('keeps a customer in the same arm across deployments that keep the salt and the shares', () => {
    const before = aDeployment({ challengers: [{ name: 'challenger', rulesetVersion: 'x@1', share: 30 }] }, 1);
    const after = aDeployment({
      champion: { name: 'champion', rulesetVersion: 'default@2' },
      challengers: [{ name: 'challenger', rulesetVersion: 'x@2', share: 30 }, { name: 'shadow', rulesetVersion: 'y@1', shadow: true }],
    }, 2);
    for (let n = 0; n < 2000; n++) {
      const tx = aTransaction(n);
      assert.equal(routeToArm(after, tx).acting.name, routeToArm(before, tx).acting.name, `customer-${n}`);
    }
  });

  it('gives every transaction all the shadow arms, and routes by the configured key', () => {
    const deployment = aDeployment({ routingKey: 'merchant_id', challengers: [
      { name: 'challenger', rulesetVersion: 'x@1', share: 50 }, { name: 's1', rulesetVersion: 'y@1', shadow: true }, { name: 's2', rulesetVersion: 'z@1', shadow: true },
    ] });
    const byMerchant = new Map<string, string>();
    for (let n = 0; n < 1000; n++) {
      const route = routeToArm(deployment, aTransaction(n));
      assert.deepEqual(route.shadows.map((s) => s.name), ['s1', 's2']);
      const merchant = `merchant-${n % 37}`;
      const seen = byMerchant.get(merchant);
      if (seen) assert.equal(route.acting.name, seen, `every transaction of ${merchant} in one arm`);
      byMerchant.set(merchant, route.acting.name);
    }
  });
});
