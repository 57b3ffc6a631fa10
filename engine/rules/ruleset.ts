import { z } from 'zod';

/**
 * A ruleset document: json-rules-engine rules (its own format, as authors write it) plus the
 * policy that turns their events into a decision. The JSON Schema in rules/ruleset.schema.json
 * is generated from this schema, so the API, the CLI and the editor's Monaco check the same thing.
 */

const name = z.string().min(1).max(200);
const jsonValue: z.ZodType<unknown> = z.unknown();

export const factValueSchema = z.strictObject({
  fact: z.string().min(1).describe('Compare against another fact instead of a literal value'),
  path: z.string().regex(/^\$/, 'must be a JSONPath starting with $').optional(),
  params: z.record(z.string(), jsonValue).optional(),
});

export const leafConditionSchema = z.strictObject({
  fact: z.string().min(1).describe('Fact name: a transaction field, a feature, a model score or a helper'),
  operator: z.string().min(1).describe('json-rules-engine operator, optionally with a decorator (e.g. "everyFact:greaterThan")'),
  value: z.union([factValueSchema, jsonValue]).describe('Literal value, or { "fact": name } to compare two facts'),
  path: z.string().regex(/^\$/, 'must be a JSONPath starting with $').optional().describe('JSONPath into the fact\'s value'),
  params: z.record(z.string(), jsonValue).optional(),
  priority: z.number().int().min(1).optional(),
  name: z.string().optional(),
});

export interface LeafCondition extends z.infer<typeof leafConditionSchema> {}
export type Condition =
  | LeafCondition
  | { all: Condition[]; priority?: number; name?: string }
  | { any: Condition[]; priority?: number; name?: string }
  | { not: Condition; priority?: number; name?: string }
  | { condition: string; priority?: number; name?: string };
export type TopLevelCondition = Exclude<Condition, LeafCondition>;

const meta = { priority: z.number().int().min(1).optional(), name: z.string().optional() };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  leafConditionSchema,
  z.strictObject({ all: z.array(conditionSchema), ...meta }),
  z.strictObject({ any: z.array(conditionSchema), ...meta }),
  z.strictObject({ not: conditionSchema, ...meta }),
  z.strictObject({ condition: z.string().min(1), ...meta }),
]));

export const topLevelConditionSchema: z.ZodType<TopLevelCondition> = z.lazy(() => z.union([
  z.strictObject({ all: z.array(conditionSchema), ...meta }),
  z.strictObject({ any: z.array(conditionSchema), ...meta }),
  z.strictObject({ not: conditionSchema, ...meta }),
  z.strictObject({ condition: z.string().min(1), ...meta }),
]));

export const EVENT_TYPES = ['decline', 'review', 'approve', 'tag', 'score'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const eventSchema = z.strictObject({
  type: z.enum(EVENT_TYPES).describe('decline / review / approve decide; tag labels the decision; score adds params.delta to the score'),
  params: z.object({
    reason: z.string().max(500).optional().describe('Shown to analysts and integrators'),
    code: z.string().regex(/^[A-Z0-9_]+$/, 'must be UPPER_SNAKE_CASE').max(64).optional(),
    delta: z.number().min(-1).max(1).optional().describe('Score adjustment for "score" events'),
    tag: z.string().max(64).optional(),
  }).catchall(jsonValue).optional(),
});

export const ruleSchema = z.strictObject({
  name: name.describe('Unique within the ruleset; shown as the reason'),
  priority: z.number().int().min(1).default(1).optional(),
  conditions: topLevelConditionSchema,
  event: eventSchema,
  enabled: z.boolean().optional().describe('false keeps the rule in the ruleset without evaluating it'),
});
export type Rule = z.infer<typeof ruleSchema>;

export const policySchema = z.strictObject({
  precedence: z.array(z.enum(['DECLINE', 'REVIEW', 'APPROVE'])).length(3)
    .refine((p) => new Set(p).size === 3, 'must list DECLINE, REVIEW and APPROVE once each')
    .default(['DECLINE', 'REVIEW', 'APPROVE'])
    .describe('When rules and thresholds disagree, the outcome listed first wins'),
  thresholds: z.strictObject({
    review: z.number().min(0).max(1),
    decline: z.number().min(0).max(1),
  }).refine((t) => t.review <= t.decline, { message: 'review must not exceed decline', path: ['review'] })
    .optional().describe('Score thresholds; without them the score alone never changes the outcome'),
});
export type Policy = z.infer<typeof policySchema>;

export const rulesetSchema = z.strictObject({
  $schema: z.string().optional(),
  name: name,
  description: z.string().max(2000).optional(),
  conditions: z.record(z.string().min(1), topLevelConditionSchema).optional()
    .describe('Shared conditions, referenced from rules as { "condition": name }'),
  rules: z.array(ruleSchema).max(1000),
  policy: policySchema.default({ precedence: ['DECLINE', 'REVIEW', 'APPROVE'] }),
});
export type Ruleset = z.output<typeof rulesetSchema>;
export type RulesetInput = z.input<typeof rulesetSchema>;
