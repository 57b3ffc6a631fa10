import { z } from 'zod';
import { armSchema, deploymentSpecSchema, type DeploymentSpec } from '../engine/deployment.ts';
import { rulesetSchema, type Ruleset } from '../engine/rules/ruleset.ts';
import type { ModelWeights } from '../engine/scoring.ts';

/** What an author asks for when starting a simulation (API body; the CLI builds the same). */
// 2018-02-31 would otherwise roll over into March, and 2018-13-01 give no date at all.
const isCalendarDay = (text: string) => {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
};
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine(isCalendarDay, 'is not a calendar date');

const sideSchema = z.strictObject({
  ruleset_version: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}@\d+$/, 'must be a version id like default@3').optional(),
  document: rulesetSchema.optional().describe('A ruleset draft to simulate without saving it'),
  model_versions: z.array(z.string().min(1)).max(4).optional(),
  model_weights: armSchema.shape.modelWeights.describe('How the models combine (weight per role); default: the champion\'s when its models are used, else each model\'s own'),
  deployment: deploymentSpecSchema.optional()
    .describe('A deployment (champion and challengers with their shares): each transaction decided by the arm production would route it to'),
}).refine((s) => !(s.ruleset_version && s.document), 'give ruleset_version or document, not both')
  .refine((s) => !(s.deployment && (s.ruleset_version || s.document || s.model_versions || s.model_weights)), {
    message: 'a deployment names its arms\' rulesets and models: give it alone', path: ['deployment'],
  });

export const simulationRequestSchema = z.strictObject({
  source: z.enum(['dataset', 'postgres']).default('dataset')
    .describe('dataset: the configured data set directory (monthly YYYY-MM.csv.gz); postgres: recorded transactions and labels'),
  from: day,
  to: day.describe('inclusive'),
  candidate: sideSchema,
  baseline: sideSchema.optional().describe('defaults to the current champion'),
  chunk_days: z.number().int().min(1).max(31).default(7),
}).refine((r) => r.from <= r.to, { message: 'must not be after to', path: ['from'] });

export type SimulationRequest = z.output<typeof simulationRequestSchema>;

/** A side resolved at creation, so a re-run uses exactly the same rules and models. */
export interface ResolvedSide {
  label: string;
  rulesetVersion: string;
  document: z.output<typeof rulesetSchema>;
  modelVersions: string[];
  modelWeights?: ModelWeights;
  /** A deployment side: its spec and the document of every ruleset version its arms name (rulesetVersion etc. are its champion's). */
  deployment?: { spec: DeploymentSpec; documents: Record<string, Ruleset> };
}

export interface SimulationPlan {
  id: string;
  source: { kind: 'dataset'; dir: string } | { kind: 'postgres' };
  fromMs: number;
  /** Exclusive end: the day after `to`. */
  toMs: number;
  candidate: ResolvedSide;
  baseline: ResolvedSide;
  chunks: { fromMs: number; toMs: number }[];
}

const DAY_MS = 86_400_000;

/** Calendar chunks of `chunkDays` covering [fromMs, toMs). */
export function chunkRange(fromMs: number, toMs: number, chunkDays: number): { fromMs: number; toMs: number }[] {
  const chunks: { fromMs: number; toMs: number }[] = [];
  for (let start = fromMs; start < toMs; start += chunkDays * DAY_MS) {
    chunks.push({ fromMs: start, toMs: Math.min(toMs, start + chunkDays * DAY_MS) });
  }
  return chunks;
}

export function dayStartMs(dayText: string): number {
  return Date.parse(`${dayText}T00:00:00Z`);
}
