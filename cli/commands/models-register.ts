import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commandArgs, commandConfig, commandDatabase, NO_DATABASE, unreachableDatabase } from '../command-setup.ts';
import { migrate } from '../../db/migrate.ts';
import { createPool } from '../../db/pool.ts';
import { ModelRejected } from '../../activities/model-metadata.ts';
import { createModelRegistry, ModelVersionExists } from '../../activities/model-registry.ts';
import { USAGE as COMMAND_USAGE } from '../usage.ts';

const USAGE = COMMAND_USAGE['models register'];

/**
 * `fraudguard models register FILE.onnx --meta FILE.json`: checks the model against its metadata and
 * the feature set, then stores it as a new immutable version (DATABASE_URL, DATABASE_SCHEMA). The tree
 * structure for reason codes is read from the file the metadata names (`reasons.file`, beside it).
 * Exit 0 registered, 1 refused (every problem printed), 2 could not try (usage, files, database).
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = commandArgs(argv, { meta: { type: 'string' }, 'database-url': { type: 'string' }, schema: { type: 'string' } }, USAGE);
  if (!parsed) return 2;
  const { values: args, positionals } = parsed;
  const onnxFile = positionals[0];
  if (!onnxFile || positionals.length !== 1 || !args.meta) {
    console.error(`name one ONNX file and its metadata\nUsage: ${USAGE}`);
    return 2;
  }
  const env = commandConfig();
  if (!env) return 2;
  const database = commandDatabase(args['database-url'], env);
  if (!database) {
    console.error(NO_DATABASE);
    return 2;
  }
  const { url } = database;

  let onnx: Uint8Array, metadata: unknown, explainer: unknown;
  try {
    onnx = new Uint8Array(await readFile(onnxFile));
    metadata = JSON.parse(await readFile(args.meta, 'utf8'));
    const treesFile = (metadata as { reasons?: { file?: unknown } }).reasons?.file;
    explainer = typeof treesFile === 'string' ? JSON.parse(await readFile(join(dirname(args.meta), treesFile), 'utf8')) : undefined;
  } catch (err) {
    console.error(`cannot read the model files: ${(err as Error).message}`);
    return 2;
  }

  const schema = args.schema ?? env.DATABASE_SCHEMA;
  const db = createPool(url, schema, 2);
  try {
    try {
      await migrate(url, schema);
    } catch (err) {
      console.error(unreachableDatabase(database, err));
      return 2;
    }
    const model = await createModelRegistry(db).register({ onnx, metadata, explainer });
    console.log(`registered ${model.version} (${model.role}, ${model.featureNames.length} inputs, sha256 ${model.sha256.slice(0, 12)}…)`);
    return 0;
  } catch (err) {
    if (err instanceof ModelRejected) {
      console.error(`${onnxFile}: refused:`);
      for (const p of err.problems) console.error(`  - ${p}`);
      return 1;
    }
    if (err instanceof ModelVersionExists) {
      console.error(err.message);
      return 1;
    }
    console.error(`registration failed: ${(err as Error).message}`);
    return 2;
  } finally {
    await db.end();
  }
}

