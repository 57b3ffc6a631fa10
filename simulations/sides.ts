import type { LoadedRuleset } from '../engine/decide-arm.ts';
import type { Deployment, DeploymentSpec } from '../engine/deployment.ts';
import { routeToArm } from '../engine/routing.ts';
import { loadRuleset, type CustomOperators } from '../engine/rules/load.ts';
import type { Ruleset } from '../engine/rules/ruleset.ts';
import type { ModelWeights } from '../engine/scoring.ts';
import type { SimulationSide } from './simulate.ts';
import type { ResolvedSide, SimulationRequest } from './spec.ts';

/**
 * The two sides of a simulation, resolved once when it is created — ruleset documents copied, model
 * versions named — so a re-run, a retried chunk or another worker uses exactly the same rules and
 * models, whatever is published or deployed by then.
 */

/** What resolution reads: saved ruleset versions and the deployment in force. */
export interface SideReader {
  version(id: string): Promise<{ document: Ruleset } | null>;
  currentDeployment(): Promise<Deployment | null>;
}

/** A side that cannot be resolved: the request field and why. */
export class SideInvalid extends Error {
  readonly code = 'SIDE_INVALID';
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

type RequestSide = SimulationRequest['candidate'];

/**
 * Candidate: its ruleset (a saved version or a draft document), its models (default: the champion's).
 * Baseline: as given, else the champion of the deployment in force. A side naming no ruleset takes the
 * champion's (e.g. a candidate that only changes the model).
 */
export async function resolveSides(request: Pick<SimulationRequest, 'candidate' | 'baseline'>, reader: SideReader): Promise<{ candidate: ResolvedSide; baseline: ResolvedSide }> {
  const deployment = await reader.currentDeployment();
  const champion = deployment
    ? { label: `champion (deployment ${deployment.version}: ${deployment.champion.rulesetVersion})`, rulesetVersion: deployment.champion.rulesetVersion,
      modelVersions: deployment.champion.modelVersions, modelWeights: deployment.champion.modelWeights }
    : null;
  const baseline = await resolveSide('baseline', request.baseline, champion, reader);
  const candidate = await resolveSide('candidate', request.candidate, champion, reader);
  return { candidate, baseline };
}

type Champion = { label: string; rulesetVersion: string; modelVersions: string[]; modelWeights?: ModelWeights | undefined };

async function resolveSide(field: string, side: RequestSide | undefined, champion: Champion | null, reader: SideReader): Promise<ResolvedSide> {
  // The champion's models come with its weights; models named here combine as given, else by their own defaults.
  if (side?.deployment) return resolveDeployment(field, side.deployment, reader);
  const modelVersions = side?.model_versions ?? champion?.modelVersions ?? [];
  const weights = side?.model_weights ?? (side?.model_versions ? undefined : champion?.modelWeights);
  const models = { modelVersions, ...(weights ? { modelWeights: weights } : {}) };
  if (side?.document) {
    return { label: 'draft', rulesetVersion: 'draft', document: side.document, ...models };
  }
  const id = side?.ruleset_version ?? champion?.rulesetVersion;
  if (!id) throw new SideInvalid(`${field}.ruleset_version`, 'no deployment exists to take the champion from: name a ruleset version');
  const record = await reader.version(id);
  if (!record) throw new SideInvalid(side?.ruleset_version ? `${field}.ruleset_version` : field, `ruleset version ${id} does not exist`);
  const label = side?.ruleset_version || side?.model_versions ? id : (champion?.label ?? id);
  return { label, rulesetVersion: id, document: record.document, ...models };
}

async function resolveDeployment(field: string, spec: DeploymentSpec, reader: SideReader): Promise<ResolvedSide> {
  const documents: Record<string, Ruleset> = {};
  const arms = [spec.champion, ...spec.challengers];
  for (const [i, arm] of arms.entries()) {
    if (documents[arm.rulesetVersion]) continue;
    const record = await reader.version(arm.rulesetVersion);
    const at = i === 0 ? 'champion' : `challengers.${i - 1}`;
    if (!record) throw new SideInvalid(`${field}.deployment.${at}.rulesetVersion`, `ruleset version ${arm.rulesetVersion} does not exist`);
    documents[arm.rulesetVersion] = record.document;
  }
  const live = spec.challengers.filter((c) => !c.shadow).map((c) => `${c.name} ${c.share ?? 0} %`);
  return {
    label: `deployment (champion ${spec.champion.rulesetVersion}${live.length ? `; ${live.join(', ')}` : ''})`,
    rulesetVersion: spec.champion.rulesetVersion, document: documents[spec.champion.rulesetVersion] as Ruleset,
    modelVersions: spec.champion.modelVersions, ...(spec.champion.modelWeights ? { modelWeights: spec.champion.modelWeights } : {}),
    deployment: { spec, documents },
  };
}

/** A resolved side, ready to decide: its ruleset compiled once (no condition trees: nobody reads them in bulk). */
export function loadSide(name: string, side: ResolvedSide, operators: CustomOperators): SimulationSide {
  if (side.deployment) {
    const { spec, documents } = side.deployment;
    const rulesets = new Map(Object.entries(documents).map(([version, doc]) => [version, loadRuleset(version, doc, { operators, explain: false })]));
    const deployment: Deployment = { ...spec, version: 0 };
    const champion = { arm: { ...spec.champion, shadow: false }, ruleset: rulesets.get(spec.champion.rulesetVersion) as LoadedRuleset };
    return {
      ...champion,
      // The acting arm, as production routes it (shadow arms decide beside it and are never acted on).
      route: (tx) => {
        const { acting } = routeToArm(deployment, tx);
        return { arm: acting, ruleset: rulesets.get(acting.rulesetVersion) as LoadedRuleset };
      },
    };
  }
  return {
    arm: { name, rulesetVersion: side.rulesetVersion, modelVersions: side.modelVersions, ...(side.modelWeights ? { modelWeights: side.modelWeights } : {}), shadow: false },
    ruleset: loadRuleset(side.rulesetVersion, side.document, { operators, explain: false }),
  };
}
