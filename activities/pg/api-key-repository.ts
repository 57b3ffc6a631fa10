import { inTransaction, type Db } from '../../db/pool.ts';
import type { Scope } from '../../api/permissions.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  rateLimit: number | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

interface Row {
  id: string; name: string; prefix: string; scopes: Scope[]; rate_limit: number | null; created_by: string;
  created_at: Date; last_used_at: Date | null; revoked_at: Date | null; revoked_by: string | null;
}

const COLUMNS = 'id, name, prefix, scopes, rate_limit, created_by, created_at, last_used_at, revoked_at, revoked_by';
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, rateLimit: r.rate_limit, createdBy: r.created_by,
  createdAt: r.created_at.toISOString(), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at), revokedBy: r.revoked_by,
});

export interface NewApiKey {
  id: string;
  name: string;
  keyHash: Buffer;
  prefix: string;
  scopes: Scope[];
  rateLimit: number | null;
  createdBy: string;
}

/** API keys by hash. The key itself never reaches the database. */
export function createApiKeyRepository(db: Db) {
  return {
    async insert(k: NewApiKey): Promise<ApiKeyRecord> {
      const { rows } = await db.query<Row>(
        `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, rate_limit, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [k.id, k.name, k.keyHash, k.prefix, k.scopes, k.rateLimit, k.createdBy]);
      return toRecord(rows[0] as Row);
    },

    /**
     * Makes `k` the key with id `k.id`, whatever was there: the FRAUDGUARD_ADMIN_API_KEY of this start
     * replaces the previous start's, and is active even if it had been revoked (the environment decides).
     */
    async upsert(k: NewApiKey): Promise<void> {
      await db.query(
        `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, rate_limit, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash, prefix = EXCLUDED.prefix, scopes = EXCLUDED.scopes,
           revoked_at = NULL, revoked_by = NULL`,
        [k.id, k.name, k.keyHash, k.prefix, k.scopes, k.rateLimit, k.createdBy]);
    },

    /** The active key with this hash. */
    async findActive(keyHash: Buffer): Promise<ApiKeyRecord | null> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async list(): Promise<ApiKeyRecord[]> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
      return rows.map(toRecord);
    },

    async get(id: string): Promise<ApiKeyRecord | null> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async revoke(id: string, by: string): Promise<ApiKeyRecord | null> {
      const { rows } = await db.query<Row>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING ${COLUMNS}`, [id, by]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async touch(id: string): Promise<void> {
      await db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id]);
    },


    /**
     * The one-time bootstrap: on a database that has never had a credential, creates `k` and returns
     * true — for exactly one caller over the database's life, however many processes start at once.
     */
    async bootstrap(k: NewApiKey): Promise<boolean> {
      return inTransaction(db, async (client) => {
        const claimed = await client.query(
          `INSERT INTO security_bootstrap (id, how)
           SELECT 1, 'printed' WHERE NOT EXISTS (SELECT 1 FROM api_keys) AND NOT EXISTS (SELECT 1 FROM users)
           ON CONFLICT (id) DO NOTHING`);
        if ((claimed.rowCount ?? 0) === 0) return false;
        await client.query('INSERT INTO api_keys (id, name, key_hash, prefix, scopes, rate_limit, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [k.id, k.name, k.keyHash, k.prefix, k.scopes, k.rateLimit, k.createdBy]);
        return true;
      });
    },

    /** Marks the bootstrap as done without printing anything (an admin key came from the environment). */
    async markBootstrapped(how: string): Promise<void> {
      await db.query('INSERT INTO security_bootstrap (id, how) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [how]);
    },
  };
}
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
