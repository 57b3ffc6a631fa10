import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.ts';
import type { DeploymentSpec } from '../../engine/deployment.ts';
import type { FieldIssue } from '../../engine/transaction.ts';
import { parseVersionId } from './ruleset-repository.ts';

type Queryable = Pick<Db, 'query'> | PoolClient;

export interface DeploymentRecord {
  version: number;
  spec: DeploymentSpec;
  comment: string | null;
  createdBy: string;
  createdAt: string;
}

interface Row { version: number; spec: DeploymentSpec; comment: string | null; created_by: string; created_at: Date }
const toRecord = (r: Row): DeploymentRecord => ({ version: r.version, spec: r.spec, comment: r.comment, createdBy: r.created_by, createdAt: r.created_at.toISOString() });

/** Serialises deployment changes: two changes read the same current version and one of them must lose. */
const DEPLOYMENT_LOCK = 7734002;

export interface ArmStats {
  arm: string;
  shadow: boolean;
  decisions: number;
  counts: Record<'APPROVE' | 'REVIEW' | 'DECLINE', number>;
  rates: Record<'APPROVE' | 'REVIEW' | 'DECLINE', number | null>;
  /** Decisions whose transaction has a label (its latest label counts). */
  labelled: number;
  /** Among labelled decisions, REVIEW or DECLINE counts as flagging fraud. Null without labelled decisions to divide by. */
  precision: number | null;
  recall: number | null;
}

/** Deployment versions: appended, never changed (the table's trigger refuses updates). The highest is in force. */
export function createDeploymentRepository(db: Db) {
  async function current(q: Queryable = db): Promise<DeploymentRecord | null> {
    const { rows } = await q.query<Row>('SELECT * FROM deployments ORDER BY version DESC LIMIT 1');
    return rows[0] ? toRecord(rows[0]) : null;
  }

  return {
    current: () => current(),

    async get(version: number): Promise<DeploymentRecord | null> {
      const { rows } = await db.query<Row>('SELECT * FROM deployments WHERE version = $1', [version]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async list(opts: { limit: number; before?: number | undefined }): Promise<DeploymentRecord[]> {
      const { rows } = await db.query<Row>('SELECT * FROM deployments WHERE ($1::int IS NULL OR version < $1) ORDER BY version DESC LIMIT $2',
        [opts.before ?? null, opts.limit]);
      return rows.map(toRecord);
    },

    /** Takes the deployment lock for the rest of `client`'s transaction and reads the version in force. */
    async lockCurrent(client: PoolClient): Promise<DeploymentRecord | null> {
      await client.query('SELECT pg_advisory_xact_lock($1)', [DEPLOYMENT_LOCK]);
      return current(client);
    },

    /** Appends the next version; call lockCurrent first in the same transaction. */
    async append(client: PoolClient, after: DeploymentRecord | null, change: { spec: DeploymentSpec; comment: string | null; actor: string }): Promise<DeploymentRecord> {
      const { rows } = await client.query<Row>('INSERT INTO deployments (version, spec, comment, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
        [(after?.version ?? 0) + 1, JSON.stringify(change.spec), change.comment, change.actor]);
      return toRecord(rows[0] as Row);
    },

    /**
     * What a spec names must exist: each arm's ruleset version, saved and valid; each model version,
     * registered and active. Issues name the field (`spec.challengers.0.rulesetVersion`).
     */
    async checkArms(spec: DeploymentSpec, q: Queryable = db): Promise<FieldIssue[]> {
      const issues: FieldIssue[] = [];
      const arms: [string, DeploymentSpec['champion']][] = [
        ['spec.champion', spec.champion], ...spec.challengers.map((c, i) => [`spec.challengers.${i}`, c] as [string, DeploymentSpec['champion']]),
      ];
      // Every model the spec names, read at once.
      const { rows: modelRows } = await q.query<{ version: string; status: string; role: string }>(
        'SELECT version, status, role FROM models WHERE version = ANY($1)', [arms.flatMap(([, arm]) => arm.modelVersions)]);
      const models = new Map(modelRows.map((m) => [m.version, m]));
      for (const [field, arm] of arms) {
        const id = parseVersionId(arm.rulesetVersion);
        if (!id) { issues.push({ field: `${field}.rulesetVersion`, reason: 'must name a ruleset version as <ruleset>@<version>, e.g. default@3' }); continue; }
        const { rows } = await q.query<{ valid: boolean }>('SELECT valid FROM ruleset_versions WHERE ruleset = $1 AND version = $2', [id.ruleset, id.version]);
        if (!rows[0]) issues.push({ field: `${field}.rulesetVersion`, reason: `ruleset version ${arm.rulesetVersion} does not exist: save the draft as a version first` });
        else if (!rows[0].valid) issues.push({ field: `${field}.rulesetVersion`, reason: `ruleset version ${arm.rulesetVersion} is invalid (see its problems): it can never be deployed` });
        const roles = new Map<string, string>();
        for (const [i, model] of arm.modelVersions.entries()) {
          const status = models.get(model)?.status;
          if (status !== 'active') issues.push({ field: `${field}.modelVersions.${i}`, reason: status ? `model version ${model} is retired` : `model version ${model} is not registered` });
          const role = models.get(model)?.role;
          if (!role) continue;
          const twin = roles.get(role);
          if (twin) issues.push({ field: `${field}.modelVersions.${i}`, reason: `model versions ${twin} and ${model} both have the role "${role}": an arm has one model per role (rules see it as score.${role})` });
          else roles.set(role, model);
        }
        for (const role of Object.keys(arm.modelWeights ?? {})) {
          if (!roles.has(role)) issues.push({ field: `${field}.modelWeights.${role}`, reason: `no model of the arm has the role "${role}" (its models' roles: ${[...roles.keys()].join(', ') || 'none'})` });
        }
      }
      return issues;
    },

    /** Marks the ruleset versions a deployment puts live as published (the first time only; the stamp never changes). */
    async markPublished(client: PoolClient, spec: DeploymentSpec, actor: string): Promise<void> {
      for (const arm of [spec.champion, ...spec.challengers]) {
        const id = parseVersionId(arm.rulesetVersion);
        if (!id) continue;
        await client.query('UPDATE ruleset_versions SET published_at = now(), published_by = $3 WHERE ruleset = $1 AND version = $2 AND published_at IS NULL',
          [id.ruleset, id.version, actor]);
      }
    },

    /**
     * Per-arm figures for one deployment version over [from, to): decision counts and rates, shadow
     * arms included, and precision / recall against each transaction's latest label.
     */
    async stats(version: number, from: Date | null, to: Date | null): Promise<ArmStats[]> {
      const { rows } = await db.query<{ arm: string; shadow: boolean; decision: 'APPROVE' | 'REVIEW' | 'DECLINE'; n: number; labelled: number; fraud: number }>(
        `SELECT d.arm, d.shadow, d.decision, count(*)::int AS n, count(l.fraud)::int AS labelled, count(*) FILTER (WHERE l.fraud)::int AS fraud
           FROM decisions d
           LEFT JOIN LATERAL (SELECT fraud FROM labels WHERE transaction_id = d.transaction_id ORDER BY id DESC LIMIT 1) l ON true
          WHERE d.deployment_version = $1 AND ($2::timestamptz IS NULL OR d.decided_at >= $2) AND ($3::timestamptz IS NULL OR d.decided_at < $3)
          GROUP BY d.arm, d.shadow, d.decision`,
        [version, from, to]);
      const arms = new Map<string, ArmStats & { flaggedLabelled: number; flaggedFraud: number; fraud: number }>();
      for (const r of rows) {
        const key = `${r.arm}\u0000${r.shadow}`;
        const a = arms.get(key) ?? { arm: r.arm, shadow: r.shadow, decisions: 0, counts: { APPROVE: 0, REVIEW: 0, DECLINE: 0 },
          rates: { APPROVE: null, REVIEW: null, DECLINE: null }, labelled: 0, precision: null, recall: null, flaggedLabelled: 0, flaggedFraud: 0, fraud: 0 };
        a.decisions += r.n;
        a.counts[r.decision] += r.n;
        a.labelled += r.labelled;
        a.fraud += r.fraud;
        if (r.decision !== 'APPROVE') { a.flaggedLabelled += r.labelled; a.flaggedFraud += r.fraud; }
        arms.set(key, a);
      }
      return [...arms.values()].map(({ flaggedLabelled, flaggedFraud, fraud, ...a }) => ({
        ...a,
        rates: { APPROVE: ratio(a.counts.APPROVE, a.decisions), REVIEW: ratio(a.counts.REVIEW, a.decisions), DECLINE: ratio(a.counts.DECLINE, a.decisions) },
        precision: ratio(flaggedFraud, flaggedLabelled),
        recall: ratio(flaggedFraud, fraud),
      }));
    },
  };
}
export type DeploymentRepository = ReturnType<typeof createDeploymentRepository>;

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
