import type { Db } from '../../db/pool.ts';
import type { Deployment, DeploymentSpec } from '../../engine/deployment.ts';
import type { ListKind } from '../../engine/list-values.ts';
import type { Ruleset } from '../../engine/rules/ruleset.ts';

export interface RulesetVersionRecord {
  ruleset: string;
  version: number;
  id: string;
  document: Ruleset;
  valid: boolean;
  problems: unknown[];
  comment: string | null;
  createdBy: string;
  createdAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
}

/** Parses "name@3" into its parts; null when it is not a version id. */
export function parseVersionId(id: string): { ruleset: string; version: number } | null {
  const m = /^([a-z0-9][a-z0-9_-]{0,62})@(\d{1,9})$/.exec(id);
  return m ? { ruleset: m[1] as string, version: Number(m[2]) } : null;
}

/** Ruleset versions and deployments as the decision path reads them. */
export function createRulesetReader(db: Db) {
  return {
    async version(id: string): Promise<RulesetVersionRecord | null> {
      const parsed = parseVersionId(id);
      if (!parsed) return null;
      const { rows } = await db.query<VersionRow>('SELECT * FROM ruleset_versions WHERE ruleset = $1 AND version = $2', [parsed.ruleset, parsed.version]);
      return rows[0] ? versionFromRow(rows[0]) : null;
    },

    async currentDeployment(): Promise<Deployment | null> {
      const { rows } = await db.query<{ version: number; spec: DeploymentSpec }>('SELECT version, spec FROM deployments ORDER BY version DESC LIMIT 1');
      return rows[0] ? { ...rows[0].spec, version: rows[0].version } : null;
    },

    /** Current revision of every list, to know when cached list contents are stale, and its kind, which says how its values compare. */
    async listRevisions(): Promise<Map<string, { revision: number; kind: ListKind }>> {
      const { rows } = await db.query<{ name: string; revision: number; kind: ListKind }>('SELECT name, revision, kind FROM lists');
      return new Map(rows.map((r) => [r.name, { revision: r.revision, kind: r.kind }]));
    },

    async listItems(name: string): Promise<string[]> {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM list_items WHERE list = $1', [name]);
      return rows.map((r) => r.value);
    },
  };
}
export type RulesetReader = ReturnType<typeof createRulesetReader>;

export interface VersionRow {
  ruleset: string; version: number; document: Ruleset; valid: boolean; problems: unknown[]; comment: string | null;
  created_by: string; created_at: Date; published_at: Date | null; published_by: string | null;
}

export function versionFromRow(r: VersionRow): RulesetVersionRecord {
  return {
    ruleset: r.ruleset, version: r.version, id: `${r.ruleset}@${r.version}`, document: r.document, valid: r.valid,
    problems: r.problems, comment: r.comment, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
    publishedAt: r.published_at?.toISOString() ?? null, publishedBy: r.published_by,
  };
}
