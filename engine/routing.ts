import type { Arm, Deployment } from './deployment.ts';
import type { Transaction } from './transaction.ts';

export interface Route {
  /** The arm whose decision is returned and acted on. */
  acting: Arm;
  /** Arms that decide beside it, recorded only. */
  shadows: Arm[];
}

const BUCKETS = 10_000;

/**
 * Picks the arm by a stable hash of the routing key and the deployment's salt, so a customer keeps
 * its arm across requests and across deployments that keep the same salt and shares.
 * Challengers take consecutive bucket ranges in their listed order; the champion takes the rest.
 */
export function routeToArm(deployment: Deployment, tx: Transaction): Route {
  const champion: Arm = { ...deployment.champion, shadow: false };
  const shadows = deployment.challengers.filter((c) => c.shadow);
  const key = routingKeyOf(tx, deployment.routingKey);
  const bucket = bucketOf(`${deployment.salt}:${key}`);
  let upper = 0;
  for (const challenger of deployment.challengers) {
    if (challenger.shadow || !challenger.share) continue;
    upper += Math.round(challenger.share * (BUCKETS / 100));
    if (bucket < upper) return { acting: challenger, shadows };
  }
  return { acting: champion, shadows };
}

function routingKeyOf(tx: Transaction, key: Deployment['routingKey']): string {
  const value = key === 'id' ? tx.id : tx[key];
  // A transaction without the configured key falls back to its customer, which is always present.
  return value === undefined ? `customer:${tx.customer_id}` : String(value);
}

/** FNV-1a (32-bit) then a murmur3 finaliser: cheap, stable across processes and versions, well spread. */
export function bucketOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}
