import { isIP } from 'node:net';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool.ts';
import { createListRepository, type ListRecord } from '../../activities/pg/list-repository.ts';
import { canonicalListValue, LIST_KINDS, type ListKind } from '../../engine/list-values.ts';
import type { FieldIssue } from '../../engine/transaction.ts';
import { actorOf } from '../actor.ts';
import { noteAudit } from '../audit-trail.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { RULESET_NAME } from './rulesets.ts';
import { parseInput } from '../parse-input.ts';

const createSchema = z.strictObject({
  name: z.string().regex(RULESET_NAME, 'must be 1–63 lower-case letters, digits, - or _, starting with a letter or digit'),
  kind: z.enum(LIST_KINDS).describe('What the values are; rules compare them with the fact of that kind (device_id, ip, card_bin, email, customer_id, merchant_id)'),
  description: z.string().max(500).default(''),
});
const value = z.string().min(1).max(512).refine((v) => v.trim() === v, 'must not start or end with spaces');
const addSchema = z.strictObject({
  values: z.array(value).min(1).max(10_000),
  comment: z.string().max(500).optional().describe('Why they were added (e.g. the case that found them)'),
});
const pageSchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), after: z.string().optional() });

const listView = (l: ListRecord) => ({ name: l.name, kind: l.kind, description: l.description, revision: l.revision, item_count: l.items, created_at: l.createdAt });

/** Values the list's kind cannot hold: rules compare them exactly, so a malformed one would never match. */
function kindIssues(kind: ListKind, values: readonly string[]): FieldIssue[] {
  const bad = (v: string) => (kind === 'ip' && isIP(v) === 0) || (kind === 'email' && !/^[^@\s]+@[^@\s]+$/.test(v));
  return values.flatMap((v, i) => (bad(v) ? [{ field: `values.${i}`, reason: `is not ${kind === 'ip' ? 'an IP address' : 'an e-mail address'}` }] : []));
}

/** The request bodies and queries, for the API's description (api/openapi.ts). */
export const listRequests = { create: createSchema, add: addSchema, page: pageSchema };

/**
 * Named block / allow lists (devices, IPs, cards, e-mails, customers, merchants) for the inList and
 * notInList operators. Each change bumps the list's revision; workers compare revisions every couple
 * of seconds and reload the lists that changed, so a blocked device is blocked within seconds.
 */
export function listRoutes(deps: { db: Db }): Router {
  const router = Router();
  const lists = createListRepository(deps.db);

  const existing = async (name: string): Promise<ListRecord> => {
    const found = await lists.get(name);
    if (!found) throw notFound(`List "${name}"`);
    return found;
  };

  router.get('/v1/lists', async (_req, res) => {
    res.json({ lists: (await lists.list()).map(listView) });
  });

  router.post('/v1/lists', async (req, res) => {
    const parsed = parseInput(createSchema, req.body);
    const created = await lists.create(parsed);
    if (!created) throw conflict(`A list named "${parsed.name}" exists already.`);
    noteAudit(res, { target: `list:${created.name}`, after: listView(created) });
    res.status(201).json(listView(created));
  });

  router.get('/v1/lists/:name', async (req, res) => {
    const list = await existing(req.params['name'] as string);
    const page = parseInput(pageSchema, req.query);
    const items = await lists.items(list.name, page);
    res.json({
      ...listView(list),
      items: items.map((i) => ({ value: i.value, comment: i.comment, added_by: i.addedBy, added_at: i.addedAt })),
      // The next page starts after the last value of this one; null on the last page.
      next_after: items.length === page.limit ? items[items.length - 1]?.value ?? null : null,
    });
  });

  router.post('/v1/lists/:name/items', async (req, res) => {
    const list = await existing(req.params['name'] as string);
    const parsed = parseInput(addSchema, req.body);
    const issues = kindIssues(list.kind, parsed.values);
    if (issues.length) throw invalid(issues);
    const values = [...new Set(parsed.values.map((v) => canonicalListValue(list.kind, v)))];
    const result = await lists.add(list.name, values, parsed.comment ?? null, actorOf(req));
    if (!result) throw notFound(`List "${list.name}"`);
    noteAudit(res, { target: `list:${list.name}`, before: { revision: list.revision }, after: { revision: result.revision, added: result.added } });
    res.json({ name: list.name, added: result.added, already_present: values.length - result.added, revision: result.revision });
  });

  router.delete('/v1/lists/:name/items/:value', async (req, res) => {
    const name = req.params['name'] as string;
    const item = req.params['value'] as string;
    const list = await existing(name);
    // Its canonical spelling, and the one given: a value stored before lists kept one spelling.
    const result = await lists.remove(name, [canonicalListValue(list.kind, item), item]);
    if (!result) throw notFound(`List "${name}"`);
    if (!result.removed) throw notFound(`Value ${JSON.stringify(item)} on list "${name}"`);
    noteAudit(res, { target: `list:${name}`, after: { revision: result.revision, removed: item } });
    res.json({ name, removed: item, revision: result.revision });
  });

  return router;
}
