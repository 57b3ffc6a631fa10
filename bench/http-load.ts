import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { quantile } from './figure.ts';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers per decision (APPROVE, REVIEW, DECLINE) among the successful ones that name one. */
  decisions: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  /** Builds each request body (unique transaction ids). */
  body: (i: number) => string;
  concurrency: number;
  durationMs: number;
  /**
   * When set, requests are scheduled at this many per second in total, spread over `concurrency`
   * connections, and each latency counts from its scheduled time: a request sent late because the
   * one before it on its connection was slow carries that delay (no coordinated omission). Else closed-loop.
   */
  ratePerSecond?: number;
  /** Sent with every request (e.g. the API key's Authorization header). */
  headers?: Record<string, string>;
}

const DECISION = /"decision":"(APPROVE|REVIEW|DECLINE)"/;

/** A bounded load loop on loopback: keep-alive connections, latency of every request. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const target = new URL(opts.url);
  const latencies: number[] = [];
  let errors = 0;
  let seq = 0;
  const decisions: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const interval = opts.ratePerSecond ? (1000 * opts.concurrency) / opts.ratePerSecond : 0;

  /** `due`: when the request was meant to go; its latency counts from then (a late send is the system's delay too). */
  const one = (body: string, due: number) => new Promise<void>((resolve) => {
    const t0 = Math.min(due, performance.now());
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
      headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode === 200) {
          latencies.push(performance.now() - t0);
          const named = DECISION.exec(text)?.[1];
          if (named) decisions[named] = (decisions[named] ?? 0) + 1;
        } else errors += 1;
        resolve();
      });
    });
    req.on('error', () => { errors += 1; resolve(); });
    req.end(body);
  });

  await Promise.all(Array.from({ length: opts.concurrency }, async (_, worker) => {
    let next = started + (interval * worker) / opts.concurrency;
    while (performance.now() < deadline) {
      const due = interval ? next : performance.now();
      if (interval) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += interval;
        if (performance.now() >= deadline) break;
      }
      await one(opts.body(seq++), due);
    }
  }));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  const q = (p: number) => quantile(latencies, p);
  return { requests: latencies.length, errors, seconds, throughput: latencies.length / seconds, p50: q(0.5), p95: q(0.95), p99: q(0.99), decisions };
}
