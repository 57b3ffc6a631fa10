import type { LoadedRuleset } from '../engine/decide-arm.ts';
import type { Deployment } from '../engine/deployment.ts';
import { loadRuleset, type CustomOperators } from '../engine/rules/load.ts';
import { canonicalListValue, type ListKind } from '../engine/list-values.ts';
import type { DeploymentSource, RulesetSource } from './decision-activities.ts';
import type { RulesetReader } from './pg/ruleset-repository.ts';

export interface CacheOptions {
  /** How long the current deployment and list contents are trusted before re-reading (ms). */
  refreshMs?: number;
  now?: () => number;
}

/**
 * The worker's view of rules: ruleset versions are immutable, so each is loaded and compiled once and
 * kept; the deployment and the lists change, so they are re-read every `refreshMs` (a change takes
 * effect within seconds, without a restart).
 */
export function createRuleCaches(reader: RulesetReader, opts: CacheOptions = {}): { rulesets: RulesetSource; deployments: DeploymentSource; lists: ListCache } {
  const refreshMs = opts.refreshMs ?? 2_000;
  const now = opts.now ?? Date.now;
  const lists = createListCache(reader, refreshMs, now);
  const loaded = new Map<string, Promise<LoadedRuleset>>();
  let deployment: { value: Promise<Deployment>; at: number } | null = null;
  let lastGood: Deployment | null = null;

  const operators = listOperators(lists);

  return {
    lists,
    rulesets: {
      async get(version) {
        await lists.refresh();
        let entry = loaded.get(version);
        if (!entry) {
          entry = reader.version(version).then((record) => {
            if (!record) throw new Error(`ruleset version ${version} does not exist`);
            return loadRuleset(version, record.document, { operators });
          });
          entry.catch(() => loaded.delete(version));
          loaded.set(version, entry);
        }
        return entry;
      },
    },
    deployments: {
      async current() {
        if (!deployment || now() - deployment.at > refreshMs) {
          const previous = lastGood;
          const value = reader.currentDeployment().then((d) => {
            if (!d) throw new Error('no deployment exists: the database was not seeded');
            lastGood = d;
            return d;
          }, (err: unknown) => {
            // Postgres unreachable: keep deciding with the deployment last read (DESIGN.md: decisions are
            // still served while Postgres is down); it is read again after refreshMs.
            if (previous) return previous;
            throw err;
          });
          value.catch(() => { deployment = null; });
          deployment = { value, at: now() };
        }
        return deployment.value;
      },
    },
  };
}

/** inList / notInList over the lists' cached contents: the operators every ruleset is loaded with. */
export function listOperators(lists: Pick<ListCache, 'has'>): CustomOperators {
  return {
    inList: (factValue, listName) => typeof listName === 'string' && factValue !== undefined && factValue !== null
      && lists.has(listName, String(factValue)),
    notInList: (factValue, listName) => typeof listName === 'string' && !(factValue !== undefined && factValue !== null
      && lists.has(listName, String(factValue))),
  };
}

export interface ListCache {
  has(list: string, value: string): boolean;
  refresh(): Promise<void>;
}

interface HeldList { revision: number; kind: ListKind; values: Set<string> }

function createListCache(reader: RulesetReader, refreshMs: number, now: () => number): ListCache {
  let contents = new Map<string, HeldList>();
  let checkedAt = -Infinity;
  let inFlight: Promise<void> | null = null;

  async function reload(): Promise<void> {
    // Read whole, then swapped in: a read failing part-way (the revisions or any list's items) leaves
    // the lists read before in force, none of them half-updated or dropped.
    const fresh = new Map<string, HeldList>();
    try {
      const revisions = await reader.listRevisions();
      await Promise.all([...revisions].map(async ([name, { revision, kind }]) => {
        const held = contents.get(name);
        // Canonical here too: values stored before lists kept one spelling of each still match.
        fresh.set(name, held?.revision === revision ? held
          : { revision, kind, values: new Set((await reader.listItems(name)).map((v) => canonicalListValue(kind, v))) });
      }));
    } catch (err) {
      // Postgres unreachable: lists read before stay in force (tried again after refreshMs); a worker
      // that never read them cannot decide on them and fails the attempt instead.
      if (checkedAt === -Infinity) throw err;
      checkedAt = now();
      return;
    }
    contents = fresh;
    checkedAt = now();
  }

  return {
    has: (list, value) => {
      const held = contents.get(list);
      return held !== undefined && held.values.has(canonicalListValue(held.kind, value));
    },
    async refresh() {
      if (now() - checkedAt < refreshMs) return;
      inFlight ??= reload().finally(() => { inFlight = null; });
      await inFlight;
    },
  };
}
