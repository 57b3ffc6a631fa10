import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './pool.ts';
import { rulesetSchema } from '../engine/rules/ruleset.ts';
import type { DeploymentSpec } from '../engine/deployment.ts';

const DEFAULT_RULESET = fileURLToPath(new URL('../rules/default.json', import.meta.url));

/** The lists every installation starts with (rules/default.json names them; `rules validate` knows them offline). */
export const DEFAULT_LISTS: readonly { name: string; kind: string; description: string }[] = [
  { name: 'blocked_devices', kind: 'device', description: 'Devices whose payments are declined' },
  { name: 'blocked_emails', kind: 'email', description: 'E-mail addresses whose payments are declined' },
  { name: 'blocked_customers', kind: 'customer', description: 'Customers whose payments are declined' },
  { name: 'allowed_customers', kind: 'customer', description: 'Customers trusted by analysts' },
];

/**
 * On an empty database: the default ruleset as version 1 (published) and a first deployment with
 * it as champion, so the first request after `npm start` is decided. The champion scores with the
 * given model versions (the committed models: runtime/scorer.ts) combined with the given weights.
 * Does nothing once a deployment exists.
 */
export async function seedDefaults(db: Db, opts: { modelVersions?: string[]; modelWeights?: Record<string, number> } = {}): Promise<boolean> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    // Serialise concurrent starters (API and worker processes) on the seed.
    await client.query('SELECT pg_advisory_xact_lock(7734001)');
    const { rows } = await client.query('SELECT 1 FROM deployments LIMIT 1');
    if (rows.length) { await client.query('ROLLBACK'); return false; }
    const document = rulesetSchema.parse(JSON.parse(await readFile(DEFAULT_RULESET, 'utf8')));
    await client.query(
      `INSERT INTO rulesets (name, draft) VALUES ('default', $1) ON CONFLICT (name) DO NOTHING`, [document]);
    await client.query(
      `INSERT INTO ruleset_versions (ruleset, version, document, valid, comment, published_at, published_by)
       VALUES ('default', 1, $1, true, 'Seeded from rules/default.json', now(), 'system') ON CONFLICT DO NOTHING`, [document]);
    for (const { name, kind, description } of DEFAULT_LISTS) {
      await client.query('INSERT INTO lists (name, kind, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [name, kind, description]);
    }
    const spec: DeploymentSpec = {
      champion: {
        name: 'champion', rulesetVersion: 'default@1', modelVersions: opts.modelVersions ?? [],
        ...(opts.modelVersions?.length && opts.modelWeights ? { modelWeights: opts.modelWeights } : {}),
      },
      challengers: [], routingKey: 'customer_id', salt: 'fraudguard',
    };
    await client.query(`INSERT INTO deployments (version, spec, comment) VALUES (1, $1, 'Initial deployment')`, [spec]);
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
