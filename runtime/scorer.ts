import type { Logger } from 'pino';
import type { Db } from '../db/pool.ts';
import type { ArmScores, Scorer } from '../engine/scoring.ts';

/** The scorer the worker uses, and the model versions a fresh deployment starts with. */
export async function createScorer(_deps: { db: Db; log: Logger }): Promise<Scorer & { defaultModelVersions: string[] }> {
  return {
    defaultModelVersions: [],
    async score(versions: string[]): Promise<ArmScores> {
      if (versions.length === 0) return { combined: null, models: [] };
      throw new Error(`model versions ${versions.join(', ')} are not registered`);
    },
  };
}
