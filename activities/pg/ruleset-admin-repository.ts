import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.ts';
import type { RulesetProblem } from '../../engine/rules/validate.ts';
import { versionFromRow, type RulesetVersionRecord, type VersionRow } from './ruleset-repository.ts';

type Queryable = Pick<Db, 'query'> | PoolClient;

export interface RulesetRecord {
  name: string;
  /** The draft as last saved: any JSON, valid or not (an invalid draft can be saved, never published). */
  draft: unknown;
  draftRevision: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface RulesetSummary extends RulesetRecord {
  versions: number;
  latestVersion: number | null;
  latestPublished: number | null;
}

export type VersionSummary = Omit<RulesetVersionRecord, 'document'>;

interface Row { name: string; draft: unknown; draft_revision: number; created_by: string; created_at: Date; updated_by: string; updated_at: Date }
const toRecord = (r: Row): RulesetRecord => ({
  name: r.name, draft: r.draft, draftRevision: r.draft_revision, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
  updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(),
});

/** The outcome of a write that names the revision it was based on: done, or the revision that is current instead. */
export type RevisionResult<T> = { ok: true; value: T } | { ok: false; currentRevision: number } | { ok: false; missing: true };

/**
 * Rulesets as authors manage them: one draft each, edited under optimistic concurrency (every save
 * names the revision it started from), saved as numbered versions the database never lets change.
 */
export function createRulesetAdminRepository(db: Db) {
  return {
    async list(): Promise<RulesetSummary[]> {
      const { rows } = await db.query<Row & { versions: number; latest_version: number | null; latest_published: number | null }>(
        `SELECT r.*, count(v.version)::int AS versions, max(v.version) AS latest_version,
                max(v.version) FILTER (WHERE v.published_at IS NOT NULL) AS latest_published
           FROM rulesets r LEFT JOIN ruleset_versions v ON v.ruleset = r.name
          GROUP BY r.name ORDER BY r.name`);
      return rows.map((r) => ({ ...toRecord(r), versions: r.versions, latestVersion: r.latest_version, latestPublished: r.latest_published }));
    },

    /** Null when a ruleset of that name exists already. */
    async create(name: string, draft: unknown, actor: string): Promise<RulesetRecord | null> {
      const { rows } = await db.query<Row>(
        `INSERT INTO rulesets (name, draft, created_by, updated_by) VALUES ($1, $2, $3, $3)
         ON CONFLICT (name) DO NOTHING RETURNING *`, [name, JSON.stringify(draft), actor]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async get(name: string, q: Queryable = db): Promise<RulesetRecord | null> {
      const { rows } = await q.query<Row>('SELECT * FROM rulesets WHERE name = $1', [name]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async versions(name: string): Promise<VersionSummary[]> {
      const { rows } = await db.query<VersionRow>(
        `SELECT ruleset, version, 'null'::jsonb AS document, valid, problems, comment, created_by, created_at, published_at, published_by
           FROM ruleset_versions WHERE ruleset = $1 ORDER BY version DESC`, [name]);
      return rows.map((r) => { const { document: _, ...summary } = versionFromRow(r); return summary; });
    },

    async version(name: string, version: number, q: Queryable = db): Promise<RulesetVersionRecord | null> {
      const { rows } = await q.query<VersionRow>('SELECT * FROM ruleset_versions WHERE ruleset = $1 AND version = $2', [name, version]);
      return rows[0] ? versionFromRow(rows[0]) : null;
    },

    /** Replaces the draft when `revision` is still the current one; the draft's revision goes up by one. */
    async saveDraft(name: string, draft: unknown, revision: number, actor: string): Promise<RevisionResult<RulesetRecord>> {
      const { rows } = await db.query<Row>(
        `UPDATE rulesets SET draft = $2, draft_revision = draft_revision + 1, updated_by = $4, updated_at = now()
          WHERE name = $1 AND draft_revision = $3 RETURNING *`, [name, JSON.stringify(draft), revision, actor]);
      if (rows[0]) return { ok: true, value: toRecord(rows[0]) };
      const current = await db.query<{ draft_revision: number }>('SELECT draft_revision FROM rulesets WHERE name = $1', [name]);
      return current.rows[0] ? { ok: false, currentRevision: current.rows[0].draft_revision } : { ok: false, missing: true };
    },

    /**
     * Saves the draft, as it is at `revision`, as the next version. `check` decides what is stored:
     * a valid draft is stored as parsed (defaults filled in, exactly what the worker will run), an
     * invalid one as written, with its problems.
     */
    async saveVersion(client: PoolClient, change: {
      name: string; revision: number; comment: string | null; actor: string;
      check: (draft: unknown) => { document: unknown; problems: RulesetProblem[] };
    }): Promise<RevisionResult<RulesetVersionRecord>> {
      const { rows } = await client.query<Row>('SELECT * FROM rulesets WHERE name = $1 FOR UPDATE', [change.name]);
      const ruleset = rows[0];
      if (!ruleset) return { ok: false, missing: true };
      if (ruleset.draft_revision !== change.revision) return { ok: false, currentRevision: ruleset.draft_revision };
      const { document, problems } = change.check(ruleset.draft);
      const inserted = await client.query<VersionRow>(
        `INSERT INTO ruleset_versions (ruleset, version, document, valid, problems, comment, created_by)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM ruleset_versions WHERE ruleset = $1
         RETURNING *`,
        [change.name, JSON.stringify(document), problems.length === 0, JSON.stringify(problems), change.comment, change.actor]);
      return { ok: true, value: versionFromRow(inserted.rows[0] as VersionRow) };
    },
  };
}
export type RulesetAdminRepository = ReturnType<typeof createRulesetAdminRepository>;
