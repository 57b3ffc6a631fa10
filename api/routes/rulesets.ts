import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { inTransaction, type Db } from '../../db/pool.ts';
import { createListRepository } from '../../activities/pg/list-repository.ts';
import { createRulesetAdminRepository, type RulesetAdminRepository, type RulesetRecord } from '../../activities/pg/ruleset-admin-repository.ts';
import { createDeploymentRepository } from '../../activities/pg/deployment-repository.ts';
import { diffRulesets } from '../../engine/rules/diff.ts';
import { KNOWN_OPERATORS, productFacts, validateRuleset, type KnownFacts, type ValidationResult } from '../../engine/rules/validate.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import type { FourEyes } from '../four-eyes.ts';
import { ApiError, conflict, invalid, notFound } from '../errors.ts';
import { publicationRoutes } from './ruleset-publication.ts';
import { problemsOf, rulesetCheck, versionParam, versionSummaryView, versionView } from './ruleset-views.ts';
import { parseInput } from '../parse-input.ts';

export const RULESET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface RulesetRouteDeps {
  db: Db;
  fourEyes: FourEyes;
  /** The facts rules may name; the product's (transaction fields, default features, scores) unless told. */
  facts?: KnownFacts;
}

const document = z.unknown().refine((d) => d !== undefined, 'is required').describe('The ruleset document (rules/ruleset.schema.json)');
const comment = z.string().max(2000).optional();
const createSchema = z.strictObject({
  name: z.string().regex(RULESET_NAME, 'must be 1–63 lower-case letters, digits, - or _, starting with a letter or digit'),
  document: z.unknown().optional().describe('The first draft; an empty ruleset when absent'),
});
const draftSchema = z.strictObject({ document, revision: z.number().int().min(1).describe('The draft revision this edit started from') });
const versionSchema = z.strictObject({ revision: z.number().int().min(1).describe('The draft revision to save'), comment });
const validateSchema = z.strictObject({ document });
const side = z.union([z.literal('draft'), z.coerce.number().int().min(1)], 'must be a version number (1, 2, …) or draft');
const diffSchema = z.object({ from: side.optional(), to: side.optional() });

const draftView = (r: RulesetRecord, check: ValidationResult) => ({
  document: r.draft, revision: r.draftRevision, valid: check.ok, problems: problemsOf(check), updated_by: r.updatedBy, updated_at: r.updatedAt,
});

export async function existingRuleset(rulesets: RulesetAdminRepository, name: string): Promise<RulesetRecord> {
  const found = await rulesets.get(name);
  if (!found) throw notFound(`Ruleset "${name}"`);
  return found;
}

const revisionConflict = (name: string, current: number) =>
  new ApiError(409, 'REVISION_CONFLICT', `The draft of "${name}" was changed by someone else: it is at revision ${current}. Reload it, reapply your edit and save with revision ${current}.`,
    undefined, { current_revision: current });

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const rulesetRequests = { create: createSchema, draft: draftSchema, version: versionSchema, validate: validateSchema, diff: diffSchema };

/**
 * Rulesets for authors: list and create them, edit the draft (optimistic concurrency: every save
 * names the revision it started from, a stale one gets 409 with the current revision), save the
 * draft as an immutable numbered version, read versions, compare them, validate without saving.
 * Publishing and rollback are in ruleset-publication.ts.
 */
export function rulesetRoutes(deps: RulesetRouteDeps): Router {
  const router = Router();
  const rulesets = createRulesetAdminRepository(deps.db);
  const deployments = createDeploymentRepository(deps.db);
  const check = rulesetCheck(deps.db, deps.facts);

  router.get('/v1/rulesets', async (_req, res) => {
    const all = await rulesets.list();
    res.json({ rulesets: all.map((r) => ({
      name: r.name, draft_revision: r.draftRevision, versions: r.versions, latest_version: r.latestVersion, latest_published: r.latestPublished,
      created_by: r.createdBy, created_at: r.createdAt, updated_by: r.updatedBy, updated_at: r.updatedAt,
    })) });
  });

  router.post('/v1/rulesets/validate', async (req, res) => {
    const parsed = parseInput(validateSchema, req.body);
    const result = await check(parsed.document);
    res.json({ valid: result.ok, problems: problemsOf(result) });
  });

  router.post('/v1/rulesets', async (req, res) => {
    const parsed = parseInput(createSchema, req.body);
    const { name } = parsed;
    const draft = parsed.document ?? { name, rules: [] };
    const created = await rulesets.create(name, draft, actorOf(req));
    if (!created) throw conflict(`A ruleset named "${name}" exists already: edit its draft (PUT /v1/rulesets/${name}/draft).`);
    noteAudit(res, { target: `ruleset:${name}`, after: { revision: created.draftRevision } });
    res.status(201).json({ name, created_by: created.createdBy, created_at: created.createdAt, draft: draftView(created, await check(draft)), versions: [] });
  });

  router.get('/v1/rulesets/:name', async (req, res) => {
    const ruleset = await existingRuleset(rulesets, req.params['name'] as string);
    const [versions, current] = await Promise.all([rulesets.versions(ruleset.name), deployments.current()]);
    const arms = current ? [{ ...current.spec.champion, shadow: false }, ...current.spec.challengers] : [];
    res.json({
      name: ruleset.name, created_by: ruleset.createdBy, created_at: ruleset.createdAt,
      draft: draftView(ruleset, await check(ruleset.draft)),
      versions: versions.map(versionSummaryView),
      // Where the ruleset runs now: the arms of the deployment in force that use one of its versions.
      deployed: arms.filter((a) => a.rulesetVersion.startsWith(`${ruleset.name}@`))
        .map((a) => ({ arm: a.name, shadow: a.shadow, ruleset_version: a.rulesetVersion, deployment_version: current?.version })),
    });
  });

  router.put('/v1/rulesets/:name/draft', async (req, res) => {
    const name = req.params['name'] as string;
    const parsed = parseInput(draftSchema, req.body);
    const saved = await rulesets.saveDraft(name, parsed.document, parsed.revision, actorOf(req));
    if (!saved.ok) throw 'missing' in saved ? notFound(`Ruleset "${name}"`) : revisionConflict(name, saved.currentRevision);
    noteAudit(res, { target: `ruleset:${name}`, before: { revision: parsed.revision }, after: { revision: saved.value.draftRevision } });
    // An invalid draft is saved all the same (work in progress); its problems come back with it.
    res.json({ name, ...draftView(saved.value, await check(parsed.document)) });
  });

  router.get('/v1/rulesets/:name/versions', async (req, res) => {
    const ruleset = await existingRuleset(rulesets, req.params['name'] as string);
    res.json({ versions: (await rulesets.versions(ruleset.name)).map(versionSummaryView) });
  });

  router.post('/v1/rulesets/:name/versions', async (req, res) => {
    const name = req.params['name'] as string;
    const parsed = parseInput(versionSchema, req.body);
    // The known lists are read before the transaction: validation is a pure function inside it.
    const lists = await createListRepository(deps.db).names();
    const facts = deps.facts ?? productFacts();
    const saved = await inTransaction(deps.db, (client) => rulesets.saveVersion(client, {
      name, revision: parsed.revision, comment: parsed.comment ?? null, actor: actorOf(req),
      check: (draft) => {
        const result = validateRuleset(draft, { facts, operators: KNOWN_OPERATORS, lists });
        return result.ok ? { document: result.ruleset, problems: [] } : { document: draft, problems: result.problems };
      },
    }));
    if (!saved.ok) throw 'missing' in saved ? notFound(`Ruleset "${name}"`) : revisionConflict(name, saved.currentRevision);
    noteAudit(res, { target: `ruleset:${saved.value.id}`, after: versionSummaryView(saved.value) });
    res.status(201).json(versionView(saved.value));
  });

  router.get('/v1/rulesets/:name/versions/:version', async (req, res) => {
    const version = await rulesets.version(req.params['name'] as string, versionParam(req));
    if (!version) throw notFound(`Ruleset version ${req.params['name']}@${req.params['version']}`);
    res.json(versionView(version));
  });

  // A saved version never changes (the database refuses too): say so instead of "no such route".
  const immutable = (req: Request, res: Response): never => {
    res.setHeader('Allow', 'GET');
    throw new ApiError(405, 'VERSION_IMMUTABLE', `Ruleset versions are immutable: edit the draft (PUT /v1/rulesets/${req.params['name']}/draft) and save it as a new version (POST /v1/rulesets/${req.params['name']}/versions).`);
  };
  router.put('/v1/rulesets/:name/versions/:version', immutable);
  router.patch('/v1/rulesets/:name/versions/:version', immutable);
  router.delete('/v1/rulesets/:name/versions/:version', immutable);

  router.get('/v1/rulesets/:name/diff', async (req, res) => {
    const ruleset = await existingRuleset(rulesets, req.params['name'] as string);
    const parsed = parseInput(diffSchema, req.query);
    const versions = await rulesets.versions(ruleset.name);
    // By default: what the draft changes since the latest published version (or the latest version).
    const base = versions.find((v) => v.publishedAt !== null) ?? versions[0];
    const from = parsed.from ?? base?.version ?? 'draft';
    const to = parsed.to ?? 'draft';
    const sideOf = async (which: number | 'draft', field: string) => {
      if (which === 'draft') return { label: 'draft', revision: ruleset.draftRevision, document: ruleset.draft };
      const v = await rulesets.version(ruleset.name, which);
      if (!v) throw invalid([{ field, reason: `version ${which} does not exist` }]);
      return { label: v.id, version: v.version, document: v.document as unknown };
    };
    const [a, b] = await Promise.all([sideOf(from, 'from'), sideOf(to, 'to')]);
    res.json({ from: a, to: b, changes: diffRulesets(a.document, b.document) });
  });

  router.use(publicationRoutes({ db: deps.db, fourEyes: deps.fourEyes, rulesets, deployments, check }));
  return router;
}
