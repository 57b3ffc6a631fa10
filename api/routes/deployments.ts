import { Router, type Request } from 'express';
import { z } from 'zod';
import { inTransaction, type Db } from '../../db/pool.ts';
import { createDeploymentRepository, type DeploymentRecord } from '../../activities/pg/deployment-repository.ts';
import { deploymentSpecSchema } from '../../engine/deployment.ts';
import { issuesOf } from '../../engine/transaction.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { deploymentSubject, type FourEyes } from '../four-eyes.ts';
import { ApiError, invalid, notFound } from '../errors.ts';
import { parseInput } from '../parse-input.ts';

export const deploymentView = (d: DeploymentRecord) => ({
  version: d.version, spec: d.spec, comment: d.comment, created_by: d.createdBy, created_at: d.createdAt,
});

const createSchema = z.strictObject({
  spec: z.unknown().refine((s) => s !== undefined, 'is required').describe('The deployment spec: champion, challengers, routingKey, salt'),
  comment: z.string().max(2000).optional(),
  expected_version: z.number().int().min(0).describe('The deployment version this change was based on (0 when there is none)'),
});
const listSchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: z.coerce.number().int().min(1).optional() });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' });
const statsSchema = z.object({ from: instant.optional(), to: instant.optional() })
  .refine((q) => !(q.from && q.to) || Date.parse(q.from) < Date.parse(q.to), { message: 'must be before to', path: ['from'] });

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const deploymentRequests = { create: createSchema, list: listSchema, stats: statsSchema };

/**
 * Deployments: which ruleset and model versions decide, split between a champion and challengers
 * (a share of traffic, or shadow). Every change is a new version; the highest is in force and workers
 * follow it within seconds. A change names the version it was based on (409 when another came first)
 * and, with four-eyes on, needs an approval of `deployment.change` for the spec's digest.
 */
export function deploymentRoutes(deps: { db: Db; fourEyes: FourEyes }): Router {
  const router = Router();
  const deployments = createDeploymentRepository(deps.db);

  const versionOf = (req: Request): number => {
    const text = req.params['version'] as string;
    if (!/^[1-9]\d{0,8}$/.test(text)) throw notFound(`Deployment version ${text}`);
    return Number(text);
  };
  const stats = async (req: Request, version: number) => {
    const parsed = parseInput(statsSchema, req.query);
    const deployment = await deployments.get(version);
    if (!deployment) throw notFound(`Deployment version ${version}`);
    const from = parsed.from ? new Date(parsed.from) : null;
    const to = parsed.to ? new Date(parsed.to) : null;
    const figures = await deployments.stats(version, from, to);
    // Every arm of the spec appears, with zero decisions when none has reached it yet.
    const arms = [{ name: deployment.spec.champion.name, shadow: false }, ...deployment.spec.challengers];
    return {
      deployment_version: version, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null,
      positive: 'REVIEW or DECLINE counts as flagging fraud; precision and recall use each transaction\'s latest label',
      arms: arms.map((arm) => {
        const f = figures.find((s) => s.arm === arm.name && s.shadow === arm.shadow);
        return {
          arm: arm.name, shadow: arm.shadow, decisions: f?.decisions ?? 0, counts: f?.counts ?? { APPROVE: 0, REVIEW: 0, DECLINE: 0 },
          rates: f?.rates ?? { APPROVE: null, REVIEW: null, DECLINE: null }, labelled: f?.labelled ?? 0, precision: f?.precision ?? null, recall: f?.recall ?? null,
        };
      }),
    };
  };

  router.get('/v1/deployments', async (req, res) => {
    const parsed = parseInput(listSchema, req.query);
    res.json({ deployments: (await deployments.list(parsed)).map(deploymentView) });
  });

  router.get('/v1/deployments/current', async (_req, res) => {
    const current = await deployments.current();
    if (!current) throw notFound('A deployment');
    res.json(deploymentView(current));
  });

  router.get('/v1/deployments/current/stats', async (req, res) => {
    const current = await deployments.current();
    if (!current) throw notFound('A deployment');
    res.json(await stats(req, current.version));
  });

  router.get('/v1/deployments/:version', async (req, res) => {
    const found = await deployments.get(versionOf(req));
    if (!found) throw notFound(`Deployment version ${req.params['version']}`);
    res.json(deploymentView(found));
  });

  router.get('/v1/deployments/:version/stats', async (req, res) => {
    res.json(await stats(req, versionOf(req)));
  });

  router.post('/v1/deployments', async (req, res) => {
    const body = parseInput(createSchema, req.body);
    const spec = deploymentSpecSchema.safeParse(body.spec);
    if (!spec.success) throw invalid(issuesOf(spec.error).map((i) => ({ ...i, field: i.field === '(body)' ? 'spec' : `spec.${i.field}` })));
    const actor = actorOf(req);
    const created = await inTransaction(deps.db, async (client) => {
      const current = await deployments.lockCurrent(client);
      const currentVersion = current?.version ?? 0;
      if (currentVersion !== body.expected_version) {
        throw new ApiError(409, 'DEPLOYMENT_CONFLICT', `The deployment changed meanwhile: version ${currentVersion} is in force, not ${body.expected_version}. Review it (GET /v1/deployments/current) and retry with expected_version ${currentVersion}.`,
          undefined, { current_version: currentVersion });
      }
      const issues = await deployments.checkArms(spec.data, client);
      if (issues.length > 0) throw invalid(issues, 'The deployment names versions that cannot run: see fields.');
      await deps.fourEyes.require({ action: 'deployment.change', subject: deploymentSubject(body.spec), author: actor, actor }, client);
      await deployments.markPublished(client, spec.data, actor);
      return deployments.append(client, current, { spec: spec.data, comment: body.comment ?? null, actor });
    });
    noteAudit(res, { target: `deployment:${created.version}`, after: deploymentView(created) });
    res.status(201).json(deploymentView(created));
  });

  return router;
}
