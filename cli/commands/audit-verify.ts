import { commandArgs, commandConfig, commandDatabase, NO_DATABASE, unreachableDatabase } from '../command-setup.ts';
import { createPool } from '../../db/pool.ts';
import { createAuditRepository } from '../../activities/pg/audit-repository.ts';
import { USAGE as COMMAND_USAGE } from '../usage.ts';

const USAGE = COMMAND_USAGE['audit verify'];

/**
 * `fraudguard audit verify`: re-computes the audit log's hash chain and names the first entry that
 * was edited, deleted or replaced. Exit 0 when intact, 1 when broken, 2 when it could not check.
 *
 * The chain shows any change to past entries, but not the removal of the newest ones; for that, keep
 * the head this command prints (e.g. in the cron job's output) and pass it back as --anchor SEQ:HASH.
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = commandArgs(argv, {
    'database-url': { type: 'string' }, schema: { type: 'string' }, anchor: { type: 'string' }, json: { type: 'boolean', default: false },
  }, USAGE);
  if (!parsed) return 2;
  if (parsed.positionals.length) { console.error(`unexpected ${parsed.positionals.join(' ')}\nUsage: ${USAGE}`); return 2; }
  const env = commandConfig();
  if (!env) return 2;
  const args = parsed.values;
  const anchor = args.anchor ? /^(\d+):([0-9a-f]{64})$/.exec(args.anchor) : null;
  if (args.anchor && !anchor) { console.error(`--anchor must be SEQ:HASH (the head a previous run printed)\nUsage: ${USAGE}`); return 2; }

  const database = commandDatabase(args['database-url'], env);
  if (!database) { console.error(NO_DATABASE); return 2; }
  const db = createPool(database.url, args.schema ?? env.DATABASE_SCHEMA, 2);
  try {
    const audit = createAuditRepository(db);
    const verdict = await audit.verify();
    let anchorProblem: string | null = null;
    if (verdict.ok && anchor) {
      const seq = Number(anchor[1]);
      const [entry] = await audit.list({ afterSeq: seq - 1, limit: 1 });
      if (!entry || entry.seq !== seq) anchorProblem = `entry #${seq} of the anchor is gone: the newest entries were removed`;
      else if (entry.hash !== anchor[2]) anchorProblem = `entry #${seq} no longer has the anchor's hash: the log was rewritten`;
    }
    if (args.json) {
      console.log(JSON.stringify(anchorProblem ? { ...verdict, ok: false, reason: anchorProblem } : verdict));
    } else if (!verdict.ok) {
      console.log(`audit log broken at entry #${verdict.seq}: ${verdict.reason}`);
    } else if (anchorProblem) {
      console.log(`audit log broken: ${anchorProblem}`);
    } else {
      console.log(`audit log intact: ${verdict.entries} entries${verdict.head ? `; head ${verdict.head.seq}:${verdict.head.hash}` : ''}`);
    }
    return verdict.ok && !anchorProblem ? 0 : 1;
  } catch (err) {
    console.error(`fraudguard audit verify: could not read the audit log: ${unreachableDatabase(database, err)}`);
    return 2;
  } finally {
    await db.end();
  }
}
