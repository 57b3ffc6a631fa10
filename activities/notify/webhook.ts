import { createHmac } from 'node:crypto';
import { postBody } from './http-post.ts';

export const SIGNATURE_HEADER = 'X-FraudGuard-Signature';
export const TIMESTAMP_HEADER = 'X-FraudGuard-Timestamp';

/** `sha256=<hex HMAC-SHA256 of the raw body>`: what a receiver recomputes with the shared secret to trust the body. */
export function signature(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

export interface WebhookDelivery {
  url: string;
  secret: string;
  /** Stable per event: receivers drop a repeat they already processed. */
  idempotencyKey: string;
  body: string;
  timeoutMs: number;
  now?: () => number;
}

/** One signed POST of the integrator's webhook. */
export async function sendWebhook(d: WebhookDelivery): Promise<void> {
  await postBody(d.url, d.body, {
    [SIGNATURE_HEADER]: signature(d.body, d.secret),
    [TIMESTAMP_HEADER]: String(Math.floor((d.now ?? Date.now)() / 1000)),
    'Idempotency-Key': d.idempotencyKey,
    'User-Agent': 'FraudGuard-Webhook/1',
  }, d.timeoutMs);
}
