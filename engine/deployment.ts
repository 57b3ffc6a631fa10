import { z } from 'zod';

/**
 * A deployment: which ruleset and model versions decide, and how traffic splits between the
 * champion and its challengers. Deployments are versioned like rulesets; every decision records
 * the deployment version and the arm that made it.
 */
export const armSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _'),
  rulesetVersion: z.string().min(1).describe('e.g. "default@3"'),
  modelVersions: z.array(z.string().min(1)).max(4).default([]),
  /**
   * How the arm combines its models into its score: the weight of each model role, e.g.
   * { "gbdt": 0.9, "anomaly": 0.1 }. A role left out keeps its model's default weight (its metadata);
   * weight 0 keeps a model out of the combined score while rules still see it as score.<role>.
   */
  modelWeights: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a model role: lower-case letters, digits or _'), z.number().min(0).max(100)).optional(),
  /** Percentage of traffic (0–100) for a challenger; ignored for the champion, which takes the rest. */
  share: z.number().min(0).max(100).optional(),
  /** A shadow arm decides every transaction beside the champion; its decisions are recorded, never acted on. */
  shadow: z.boolean().default(false),
});
export type Arm = z.output<typeof armSchema>;

export const ROUTING_KEYS = ['customer_id', 'merchant_id', 'device_id', 'card_bin', 'email', 'id'] as const;

export const deploymentSpecSchema = z.strictObject({
  champion: armSchema.omit({ share: true, shadow: true }),
  challengers: z.array(armSchema).max(10).default([]),
  routingKey: z.enum(ROUTING_KEYS).default('customer_id'),
  salt: z.string().min(1).max(64).default('fraudguard'),
}).superRefine((d, ctx) => {
  const live = d.challengers.filter((c) => !c.shadow);
  const total = live.reduce((sum, c) => sum + (c.share ?? 0), 0);
  if (total > 100) ctx.addIssue({ code: 'custom', path: ['challengers'], message: `challenger shares add up to ${total} %, more than 100 %` });
  live.forEach((c, i) => {
    if (c.share === undefined) ctx.addIssue({ code: 'custom', path: ['challengers', d.challengers.indexOf(c), 'share'], message: 'a challenger that is not in shadow needs a share' });
    void i;
  });
  const names = [d.champion.name, ...d.challengers.map((c) => c.name)];
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: i === 0 ? ['champion', 'name'] : ['challengers', i - 1, 'name'], message: `arm name "${n}" is used twice` });
  });
});
export type DeploymentSpec = z.output<typeof deploymentSpecSchema>;
export type DeploymentSpecInput = z.input<typeof deploymentSpecSchema>;

export interface Deployment extends DeploymentSpec {
  version: number;
}
