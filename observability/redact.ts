/**
 * Secret-looking fields replaced by a marker, at any depth: what the audit trail keeps of a request
 * body. (Log lines are redacted by pino's own `redact` paths in observability/logger.ts.)
 */
const SECRET_KEY = /pass(word)?|secret|token|totp|otp|api[_-]?key|^key$|authorization|cookie|credential/i;
export const REDACTED = '[REDACTED]';

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[TOO DEEP]';
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactSecrets(v, depth + 1)]));
  }
  return value;
}
