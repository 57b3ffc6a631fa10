import type { z } from 'zod';

/**
 * Zod's issues about bounds and choices in the words FraudGuard answers with, for the API's 400 fields
 * and the ruleset validator's problems alike: zod's own say "Too big: expected number to be <=1",
 * "Invalid option: expected one of \"L1\"|\"L2\"|\"lead\"", or, for a choice among literals, a bare
 * "Invalid input". Undefined for an issue whose own message already says what to send.
 */
export function boundOrChoiceReason(issue: z.core.$ZodIssue): string | undefined {
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
        const unit = issue.origin === 'string' ? 'characters' : 'items';
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

function choiceOf(values: readonly unknown[]): string {
  const quoted = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  return quoted.length === 1 ? `must be ${quoted[0]}` : `must be one of: ${quoted.join(', ')}`;
}
