import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.ts';
import { inTransaction } from '../../db/pool.ts';
import type { ListKind } from '../../engine/list-values.ts';

export interface ListRecord {
  name: string;
  kind: ListKind;
  description: string;
  /** Goes up with every change to the items: workers compare it to know their copy is stale (activities/ruleset-cache.ts). */
  revision: number;
  items: number;
  createdAt: string;
}

export interface ListItem {
  value: string;
  comment: string | null;
  addedBy: string;
  addedAt: string;
}

interface Row { name: string; kind: ListKind; description: string; revision: number; items: number; created_at: Date }
const toRecord = (r: Row): ListRecord => ({ name: r.name, kind: r.kind, description: r.description, revision: r.revision, items: r.items, createdAt: r.created_at.toISOString() });
const SELECT = 'SELECT l.*, (SELECT count(*)::int FROM list_items i WHERE i.list = l.name) AS items FROM lists l';

/** Named block / allow lists for the inList operator. Every change to the items bumps the list's revision in the same transaction. */
export function createListRepository(db: Db) {
  return {
    async list(): Promise<ListRecord[]> {
      const { rows } = await db.query<Row>(`${SELECT} ORDER BY l.name`);
      return rows.map(toRecord);
    },

    async names(): Promise<Set<string>> {
      const { rows } = await db.query<{ name: string }>('SELECT name FROM lists');
      return new Set(rows.map((r) => r.name));
    },

    async get(name: string): Promise<ListRecord | null> {
      const { rows } = await db.query<Row>(`${SELECT} WHERE l.name = $1`, [name]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /** Null when a list of that name exists already. */
    async create(list: { name: string; kind: ListKind; description: string }): Promise<ListRecord | null> {
      const { rows } = await db.query<Row>(
        'INSERT INTO lists (name, kind, description) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING *, 0 AS items',
        [list.name, list.kind, list.description]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /** Items in value order, after `after` (keyset paging). */
    async items(name: string, page: { limit: number; after?: string | undefined }): Promise<ListItem[]> {
      const { rows } = await db.query<{ value: string; comment: string | null; added_by: string; added_at: Date }>(
        'SELECT * FROM list_items WHERE list = $1 AND ($2::text IS NULL OR value COLLATE "C" > $2) ORDER BY value COLLATE "C" LIMIT $3',
        [name, page.after ?? null, page.limit]);
      return rows.map((r) => ({ value: r.value, comment: r.comment, addedBy: r.added_by, addedAt: r.added_at.toISOString() }));
    },

    /** Adds the values not yet on the list; null when the list does not exist. */
    async add(name: string, values: readonly string[], comment: string | null, actor: string): Promise<{ added: number; revision: number } | null> {
      return inTransaction(db, async (client) => {
        const { rows } = await client.query<{ revision: number }>('SELECT revision FROM lists WHERE name = $1 FOR UPDATE', [name]);
        if (!rows[0]) return null;
        const inserted = await client.query(
          `INSERT INTO list_items (list, value, comment, added_by) SELECT $1, v, $3, $4 FROM unnest($2::text[]) AS v
           ON CONFLICT (list, value) DO NOTHING`, [name, [...new Set(values)], comment, actor]);
        const added = inserted.rowCount ?? 0;
        return { added, revision: added > 0 ? await bump(client, name) : rows[0].revision };
      });
    },

    /** Removes one value, under any of its spellings; null when the list does not exist, `removed: false` when the value was not on it. */
    async remove(name: string, spellings: readonly string[]): Promise<{ removed: boolean; revision: number } | null> {
      return inTransaction(db, async (client) => {
        const { rows } = await client.query<{ revision: number }>('SELECT revision FROM lists WHERE name = $1 FOR UPDATE', [name]);
        if (!rows[0]) return null;
        const deleted = await client.query('DELETE FROM list_items WHERE list = $1 AND value = ANY($2::text[])', [name, [...spellings]]);
        const removed = (deleted.rowCount ?? 0) > 0;
        return { removed, revision: removed ? await bump(client, name) : rows[0].revision };
      });
    },
  };
}
export type ListRepository = ReturnType<typeof createListRepository>;

async function bump(client: PoolClient, name: string): Promise<number> {
  const { rows } = await client.query<{ revision: number }>('UPDATE lists SET revision = revision + 1 WHERE name = $1 RETURNING revision', [name]);
  return (rows[0] as { revision: number }).revision;
}
