import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';
import { toolPath } from '../../runtime/tools.ts';
import { testTemporalAddress } from './stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Temporal's own CLI against the tests' server, as an operator would run it. */
export async function temporalCli(args: string[]): Promise<SpawnSyncReturns<string>> {
  return spawnSync(toolPath(ROOT, 'temporal') ?? 'temporal', [...args, '--address', await testTemporalAddress()], { encoding: 'utf8', timeout: 60_000 });
}
