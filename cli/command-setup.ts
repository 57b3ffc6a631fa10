import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';

/**
 * What every database command does first: read its options and the environment's configuration,
 * printing what is wrong (with the usage) and giving null when it cannot go on (the caller exits 2).
 */
export function commandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${usage}`);
    return null;
  }
}

export function commandConfig(): Config | null {
  try {
    return loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return null;
  }
}
