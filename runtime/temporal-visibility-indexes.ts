import { execFile } from 'node:child_process';

/**
 * The embedded dev server keeps its visibility records (what `temporal workflow list` and the web UI's
 * list read) in its SQLite file, in a table Temporal's schema indexes 59 ways, 42 of them for search
 * attributes FraudGuard never sets: the custom ones (Bool01…Keyword10, which `temporal operator
 * search-attribute create` maps names onto) and Temporal's own for schedules, worker deployments and
 * paused activities. Every workflow writes each index twice (start, close): measured on this kind of
 * machine, 80–94 empty workflows a second at 11.8–16.4 ms of the server's CPU each with them, 110–124 at
 * 9.7–10.6 ms without, and the file grows by 9–10 KB a workflow instead of 22–23.
 *
 * Dropping them changes no answer: a list filtered on one of those attributes reads the table instead
 * of an index (slower on a large file, still correct). The indexes the default list, the UI's filters
 * (workflow id and type, status, start and close times, task queue) and Temporal's own listings use stay.
 * Only for the file `npm start` owns; a Temporal cluster (deploy/temporal, TEMPORAL_ADDRESS) is left as
 * its operators set it up.
 */
export const UNUSED_INDEX_PREFIXES = ['by_bool_', 'by_datetime_', 'by_double_', 'by_int_', 'by_keyword_', 'by_temporal_'] as const;
/** Temporal's own listings filter on it (system workflows are kept out of users' lists by it). */
export const KEPT_INDEXES = ['by_temporal_namespace_division'] as const;

// Node 20 has no SQLite of its own; Python's standard library has, and Python is how the Temporal CLI is
// installed here (scripts/setup.mjs). The file's path comes as an argument, never inside the code.
const DROP_SCRIPT = `
import sqlite3, sys, json
prefixes, kept = json.loads(sys.argv[2]), set(json.loads(sys.argv[3]))
db = sqlite3.connect(sys.argv[1], timeout=30)
names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility'")
         if n.startswith(tuple(prefixes)) and n not in kept]
for n in names:
    db.execute('DROP INDEX IF EXISTS "%s"' % n.replace('"', '""'))
db.commit()
db.close()
print(len(names))
`;

export type IndexDropResult = { dropped: number } | { skipped: string };

/** Drops the unused visibility indexes of the dev server's SQLite file `dbFile`, if Python is at hand. */
export function dropUnusedVisibilityIndexes(dbFile: string, python = 'python3'): Promise<IndexDropResult> {
  return new Promise((resolve) => {
    execFile(python, ['-c', DROP_SCRIPT, dbFile, JSON.stringify(UNUSED_INDEX_PREFIXES), JSON.stringify(KEPT_INDEXES)], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) resolve({ skipped: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${python} not found` : (stderr.trim().split('\n').at(-1) || err.message) });
      else resolve({ dropped: Number(stdout.trim()) });
    });
  });
}
