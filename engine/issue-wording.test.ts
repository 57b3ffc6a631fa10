import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { boundOrChoiceReason, wrongTypeReason } from './issue-wording.ts';

const reasonFor = (schema: z.ZodType, value: unknown): string | undefined => {
  const parsed = schema.safeParse(value);
  assert.equal(parsed.success, false, 'the value is meant to be refused');
  return boundOrChoiceReason(parsed.error!.issues[0]!);
};

describe('the wording of bounds and choices', () => {
  it('names the bound a number crosses, and whether it is allowed itself', () => {
    assert.equal(reasonFor(z.number().max(1), 2), 'must be at most 1');
    assert.equal(reasonFor(z.number().min(1), 0), 'must be at least 1');
    assert.equal(reasonFor(z.number().positive(), 0), 'must be greater than 0');
    assert.equal(reasonFor(z.number().lt(10), 10), 'must be less than 10');
  });

  it('counts characters of a string and items of an array, and calls a required empty string empty', () => {
    assert.equal(reasonFor(z.string().min(1), ''), 'must not be empty');
    assert.equal(reasonFor(z.string().max(3), 'abcd'), 'must have at most 3 characters');
    assert.equal(reasonFor(z.array(z.number()).min(2), [1]), 'must have at least 2 items');
    assert.equal(reasonFor(z.string().length(3), 'ab'), 'must have exactly 3 characters');
    assert.equal(reasonFor(z.array(z.string()).min(1), []), 'must have at least 1 item');
  });

  it('lists the choices, quoting text, whether they come from an enum, literals, or a union of both', () => {
    assert.equal(reasonFor(z.enum(['L1', 'L2', 'lead']), 'L3'), 'must be one of: "L1", "L2", "lead"');
    assert.equal(reasonFor(z.literal('all'), 'some'), 'must be "all"');
    assert.equal(reasonFor(z.union([z.enum(['open', 'claimed']), z.literal('all')]), 'lost'), 'must be one of: "open", "claimed", "all"');
    assert.equal(reasonFor(z.union([z.literal(1), z.literal(2)]), 3), 'must be one of: 1, 2');
  });

  it('leaves an issue whose own message says what to send', () => {
    assert.equal(reasonFor(z.string().regex(/^\d+$/, 'must be digits'), 'x'), undefined);
    assert.equal(reasonFor(z.union([z.number(), z.string().regex(/^\d+$/)]), 'x'), undefined);
  });
});

describe('the wording of a value of the wrong type', () => {
  const reasonFor = (schema: z.ZodType, value: unknown) => wrongTypeReason(schema.safeParse(value).error!.issues[0]!);

  it('names the type expected and the one received', () => {
    assert.equal(reasonFor(z.object({}), 7), 'must be an object, not a number');
    assert.equal(reasonFor(z.string(), null), 'must be a string, not null');
    assert.equal(reasonFor(z.array(z.string()), 'x'), 'must be an array, not a string');
    assert.equal(reasonFor(z.record(z.string(), z.number()), 5), 'must be an object, not a number');
    assert.equal(reasonFor(z.coerce.number(), 'ten'), 'must be a number');
    assert.equal(reasonFor(z.coerce.number().int(), '1.5'), 'must be a whole number');
    assert.equal(reasonFor(z.union([z.string(), z.number()]), { id: 1 }), 'must be a string or a number, not an object');
  });

  it('leaves a missing value (the caller says it is required) and a schema\'s own message', () => {
    assert.equal(reasonFor(z.string(), undefined), undefined);
    assert.equal(reasonFor(z.string({ error: 'must be the merchant\'s id' }), 5), undefined);
  });
});

describe('a schema\'s own message', () => {
  it('is kept over the generic wording of its bound', () => {
    const parsed = z.string().trim().min(1, 'must say why').safeParse(' ');
    assert.equal(boundOrChoiceReason(parsed.error!.issues[0]!), undefined);
  });
});
