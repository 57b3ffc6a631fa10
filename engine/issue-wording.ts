import type { z } from 'zod';

/**
 * Zod's issues about bounds and choices in the words FraudGuard answers with, for the API's 400 fields
 * and the ruleset validator's problems alike: zod's own say "Too big: expected number to be <=1",
 * "Invalid option: expected one of \"L1\"|\"L2\"|\"lead\"", or, for a choice among literals, a bare
 * "Invalid input". Undefined for an issue whose own message already says what to send, and for
 * one whose schema gave its own message.
 */
export function boundOrChoiceReason(issue: z.core.$ZodIssue): string | undefined {
  if (!zodsOwn(issue)) return undefined;
  switch (issue.code) {
    case 'invalid_value':
      return choiceOf(issue.values);
    case 'invalid_union': {
      const branches = issue.errors.flat();
      if (branches.length > 0 && branches.every((b) => b.code === 'invalid_value' && b.path.length === 0)) {
        return choiceOf(branches.flatMap((b) => (b.code === 'invalid_value' ? b.values : [])));
      }
      return undefined;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const exact = (issue as { exact?: boolean }).exact === true;
      if (issue.origin === 'string' && issue.code === 'too_small' && Number(bound) === 1) return 'must not be empty';
      if (issue.origin === 'array' || issue.origin === 'string' || issue.origin === 'set') {
        const unit = `${issue.origin === 'string' ? 'character' : 'item'}${Number(bound) === 1 ? '' : 's'}`;
        return exact ? `must have exactly ${bound} ${unit}` : `must have at ${issue.code === 'too_small' ? 'least' : 'most'} ${bound} ${unit}`;
      }
      const inclusive = issue.inclusive !== false;
      return issue.code === 'too_small'
        ? `must be ${inclusive ? 'at least' : 'greater than'} ${bound}`
        : `must be ${inclusive ? 'at most' : 'less than'} ${bound}`;
    }
    default:
      return undefined;
  }
}

/**
 * A value of the wrong type, from zod's "Invalid input: expected object, received number":
 * "must be an object, not a number". Undefined for a missing value (the caller says "is required").
 */
export function wrongTypeReason(issue: z.core.$ZodIssue): string | undefined {
  if (!zodsOwn(issue)) return undefined;
  if (issue.code === 'invalid_union') {
    // Every alternative refused the value's type (a string or a number, given an object): name them all.
    const branches = issue.errors.map((b) => (b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0 ? b[0]! : null));
    if (branches.length === 0 || branches.some((b) => b === null)) return undefined;
    const types = branches as z.core.$ZodIssueInvalidType[];
    const received = receivedOf(types[0]!);
    if (received === undefined || received === 'undefined') return undefined;
    return `must be ${[...new Set(types.map((b) => article(b.expected)))].join(' or ')}, not ${kindOf(received)}`;
  }
  if (issue.code !== 'invalid_type') return undefined;
  const received = receivedOf(issue);
  if (received === 'undefined') return undefined;
  if (issue.expected === 'int' && received === 'number') return 'must be a whole number';
  if (issue.expected === 'number' && received === 'NaN') return 'must be a number';
  return `must be ${article(issue.expected)}${received ? `, not ${kindOf(received)}` : ''}`;
}

// Zod names the received type only in its message ("…, received number").
const receivedOf = (issue: z.core.$ZodIssue) => /received (\w+)$/.exec(issue.message)?.[1];
const kindOf = (received: string) => (received === 'null' ? 'null' : article(received));

// Zod's default messages start so; a schema's own message (`.min(1, 'must say why')`) is kept as written.
const zodsOwn = (issue: z.core.$ZodIssue) => /^(Invalid input|Invalid option|Too big|Too small)/.test(issue.message);

export function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'record') return 'an object'; // zod's name for an object of any keys
  if (expected === 'array' || expected === 'object' || expected === 'integer') return `an ${expected}`;
  return `a ${expected}`;
}

function choiceOf(values: readonly unknown[]): string {
  const quoted = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  return quoted.length === 1 ? `must be ${quoted[0]}` : `must be one of: ${quoted.join(', ')}`;
}
