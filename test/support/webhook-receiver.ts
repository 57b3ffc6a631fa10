import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: { id: string; type: string; occurred_at: string; data: Record<string, unknown> } | null;
  /** The status the receiver answered. */
  status: number;
  /** When the request's body had arrived (Date.now()): benchmarks read the retry schedule from it. */
  receivedAt: number;
  /** The X-FraudGuard-Signature header matched the HMAC-SHA256 of the raw body with the shared secret. */
  signatureValid: boolean;
}

/**
 * A real HTTP server standing in for an integrator's webhook endpoint (or a Slack incoming webhook):
 * records every request, verifies the signature as an integrator would, and answers as `respond` says
 * (e.g. fail twice, then accept).
 */
export async function startWebhookReceiver(secret: string) {
  const received: ReceivedHook[] = [];
  let respond: (hook: Omit<ReceivedHook, 'status' | 'receivedAt'>, previousTries: number) => number = () => 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedHook['body'] = null;
      try { body = JSON.parse(rawBody) as ReceivedHook['body']; } catch { body = null; }
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-fraudguard-signature'] ?? ''));
      const hook = { path: req.url ?? '/', headers: req.headers, rawBody, body, signatureValid: given.length === expected.length && timingSafeEqual(given, expected) };
      const key = req.headers['idempotency-key'];
      const previousTries = received.filter((r) => r.headers['idempotency-key'] === key && r.path === hook.path).length;
      const status = respond(hook, previousTries);
      received.push({ ...hook, status, receivedAt: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Decide each answer: called with the request and how many times this idempotency key was already seen on this path. */
    respondWith(fn: typeof respond) { respond = fn; },
    /** Requests (accepted or not) about one transaction and event type. */
    about(transactionId: string, type?: string, path?: string) {
      return received.filter((r) => (path === undefined || r.path === path) && (
        r.body?.data?.['transaction_id'] === transactionId || r.rawBody.includes(transactionId)) && (type === undefined || r.body?.type === type || r.rawBody.includes(type)));
    },
    async close() { server.closeAllConnections(); await new Promise<void>((ok) => server.close(() => ok())); },
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
