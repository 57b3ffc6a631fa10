import { ApplicationFailure } from '@temporalio/common';

/** Statuses worth another try: the receiver is busy, timed out or broken for now. Any other 4xx will not change by retrying. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/**
 * POSTs a raw body. A 2xx is a delivery; a 5xx, a retryable 4xx or a network failure throws a
 * retryable error (the activity's retry policy backs off); any other 4xx throws a non-retryable
 * failure, so the notification goes to the dead letters at once instead of hammering the receiver.
 */
export async function postBody(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    throw new Error(`POST ${redact(url)} failed: ${(err as Error).message}`);
  }
  await res.arrayBuffer().catch(() => undefined); // drain: keep-alive sockets must not leak
  if (res.ok) return;
  const message = `POST ${redact(url)} answered ${res.status}`;
  if (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status)) throw ApplicationFailure.nonRetryable(message, 'NotificationRejected');
  throw new Error(message);
}

/** A URL fit for logs and the deliveries table: incoming-webhook paths and query strings carry secrets. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : '/'}`;
  } catch {
    return '(invalid url)';
  }
}
