import type { z } from 'zod';
import { issuesOf } from '../engine/transaction.ts';
import { invalid } from './errors.ts';

/** A request's body or query parsed by its schema, or the 400 naming each field at fault. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(issuesOf(parsed.error));
  return parsed.data;
}
