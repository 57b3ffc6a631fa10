import { Router } from 'express';
import { z } from 'zod';
import { inTransaction, type Db } from '../../db/pool.ts';
import type { DeploymentRecord, DeploymentRepository } from '../../activities/pg/deployment-repository.ts';
import type { RulesetAdminRepository } from '../../activities/pg/ruleset-admin-repository.ts';
import type { DeploymentSpec } from '../../engine/deployment.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { rulesetSubject, type FourEyes } from '../four-eyes.ts';
import { ApiError, invalid, notFound, rulesetInvalid } from '../errors.ts';
import { deploymentView } from './deployments.ts';
import { problemsOf, versionParam, versionSummaryView, type RulesetCheck } from './ruleset-views.ts';
import { parseInput } from '../parse-input.ts';

export interface PublicationDeps {
  db: Db;
  fourEyes: FourEyes;
  rulesets: RulesetAdminRepository;
  deployments: DeploymentRepository;
  check: RulesetCheck;
}

const publishSchema = z.strictObject({ comment: z.string().max(2000).optional() });
const rollbackSchema = z.strictObject({ version: z.number().int().min(1).describe('An earlier version that was published before'), comment: z.string().max(2000).optional() });

/** A deployment in force before anything was published (an unseeded database): the champion is all there is. */
const FIRST_SPEC: DeploymentSpec = { champion: { name: 'champion', rulesetVersion: '', modelVersions: [] }, challengers: [], routingKey: 'customer_id', salt: 'fraudguard' };

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const publicationRequests = { publish: publishSchema, rollback: rollbackSchema };

/**
 * Publishing makes a valid version the champion's ruleset: the version is stamped published and a
 * new deployment version is appended with the same arms, challengers kept. Rolling back does the
 * same with an earlier version that was published before. Both need four-eyes approval of
 * `ruleset.publish` for `<ruleset>@<version>` when four-eyes is on: for a publication the approver
 * must not be the version's author; for a rollback, not the person rolling back. Workers pick the new
 * deployment up within seconds (activities/ruleset-cache.ts).
 */
export function publicationRoutes(deps: PublicationDeps): Router {
  const router = Router();

  const championChange = async (req: import('express').Request, kind: 'publish' | 'rollback', version: number, comment: string | undefined) => {
    const name = req.params['name'] as string;
    const actor = actorOf(req);
    const record = await deps.rulesets.version(name, version);
    if (!record) throw notFound(`Ruleset version ${name}@${version}`);
    if (kind === 'rollback' && record.publishedAt === null) {
      throw new ApiError(409, 'NEVER_PUBLISHED', `${record.id} was never published, so there is nothing to roll back to: publish it instead (POST /v1/rulesets/${name}/versions/${version}/publish).`);
    }
    // Checked again now: the lists and facts it names must still exist.
    const result = await deps.check(record.document);
    const problems = record.valid ? problemsOf(result) : record.problems as { path: string; reason: string }[];
    if (problems.length > 0) throw rulesetInvalid(`${record.id} is invalid and cannot be published: fix the draft and save a new version.`, problems);

    return inTransaction(deps.db, async (client) => {
      const current = await deps.deployments.lockCurrent(client);
      const spec = current?.spec ?? FIRST_SPEC;
      if (spec.champion.rulesetVersion === record.id) return { record, deployment: current as DeploymentRecord, changed: false };
      await deps.fourEyes.require({ action: 'ruleset.publish', subject: rulesetSubject(name, version), author: kind === 'publish' ? record.createdBy : actor, actor }, client);
      const next: DeploymentSpec = { ...spec, champion: { ...spec.champion, rulesetVersion: record.id } };
      await deps.deployments.markPublished(client, next, actor);
      const what = kind === 'publish' ? `Publish ${record.id}` : `Roll back to ${record.id}`;
      const deployment = await deps.deployments.append(client, current, { spec: next, comment: comment ? `${what}: ${comment}` : what, actor });
      const published = await deps.rulesets.version(name, version, client);
      return { record: published ?? record, deployment, changed: true };
    });
  };

  router.post('/v1/rulesets/:name/versions/:version/publish', async (req, res) => {
    const version = versionParam(req);
    const parsed = parseInput(publishSchema, req.body ?? {});
    const outcome = await championChange(req, 'publish', version, parsed.comment);
    noteAudit(res, { target: `ruleset:${outcome.record.id}`, action: 'ruleset.published', after: { deployment_version: outcome.deployment.version, changed: outcome.changed } });
    res.json({ version: versionSummaryView(outcome.record), deployment: deploymentView(outcome.deployment), deployment_changed: outcome.changed });
  });

  router.post('/v1/rulesets/:name/rollback', async (req, res) => {
    const parsed = parseInput(rollbackSchema, req.body);
    const outcome = await championChange(req, 'rollback', parsed.version, parsed.comment);
    noteAudit(res, { target: `ruleset:${outcome.record.id}`, action: 'ruleset.rolled_back', after: { deployment_version: outcome.deployment.version, changed: outcome.changed } });
    res.json({ version: versionSummaryView(outcome.record), deployment: deploymentView(outcome.deployment), deployment_changed: outcome.changed });
  });

  return router;
}
