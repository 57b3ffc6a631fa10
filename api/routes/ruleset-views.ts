import type { Request } from 'express';
import type { Db } from '../../db/pool.ts';
import { createListRepository } from '../../activities/pg/list-repository.ts';
import type { VersionSummary } from '../../activities/pg/ruleset-admin-repository.ts';
import type { RulesetVersionRecord } from '../../activities/pg/ruleset-repository.ts';
import { KNOWN_OPERATORS, productFacts, validateRuleset, type KnownFacts, type ValidationResult } from '../../engine/rules/validate.ts';
import { notFound } from '../errors.ts';

/** Checks a document against the facts, the operators and the lists that exist now. */
export type RulesetCheck = (document: unknown) => Promise<ValidationResult>;

export function rulesetCheck(db: Db, facts: KnownFacts = productFacts()): RulesetCheck {
  const lists = createListRepository(db);
  return async (document) => validateRuleset(document, { facts, operators: KNOWN_OPERATORS, lists: await lists.names() });
}

export const problemsOf = (result: ValidationResult) => (result.ok ? [] : result.problems);

export const versionSummaryView = (v: VersionSummary) => ({
  ruleset: v.ruleset, version: v.version, id: v.id, valid: v.valid, problems: v.problems, comment: v.comment,
  created_by: v.createdBy, created_at: v.createdAt, published_at: v.publishedAt, published_by: v.publishedBy,
});

export const versionView = (v: RulesetVersionRecord) => ({ ...versionSummaryView(v), document: v.document });

/** `:version` of a route; 404 for anything but a positive number. */
export function versionParam(req: Request): number {
  const text = req.params['version'] as string;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw notFound(`Ruleset version ${req.params['name']}@${text}`);
  return Number(text);
}
