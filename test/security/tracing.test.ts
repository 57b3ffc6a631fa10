import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

interface Span { traceId: string; spanId: string; parentSpanId?: string; name: string }

/** A stand-in OTLP/HTTP collector: keeps every span it is sent (JSON encoding, the exporter's default). */
async function aCollector(): Promise<{ url: string; spans: Span[]; close(): Promise<void> }> {
  const spans: Span[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
      for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, close: () => new Promise((ok) => server.close(() => ok())) };
}

describe('tracing', () => {
  let stack: TestStack;
  let collector: Awaited<ReturnType<typeof aCollector>>;
  before(async () => {
    collector = await aCollector();
    stack = await startStack({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await collector?.close(); });

  it('follows a decision in one trace from the API request through the workflow and its activities', async () => {
    const res = await stack.post('/v1/decisions', aTransaction());
    assert.equal(res.status, 200);
    // The workflow is started eagerly when the worker runs in the API's process (this stack), else by update-with-start.
    const clientSpans = ['StartWorkflow:transactionWorkflow', 'UpdateWithStartWorkflow:decide'];
    const names = ['POST /v1/decisions', 'RunWorkflow:transactionWorkflow', 'RunActivity:decideAndRecord', 'lookupFeatures', 'scoreArms', 'decideArms', 'commitDecision'];
    const trace = await waitFor(async () => {
      const api = collector.spans.find((s) => s.name === 'POST /v1/decisions');
      if (!api) return null;
      const inTrace = collector.spans.filter((s) => s.traceId === api.traceId);
      return names.every((n) => inTrace.some((s) => s.name === n)) && inTrace.some((s) => clientSpans.includes(s.name)) ? inTrace : null;
    }, 30_000, 'the decision\'s spans');
    const api = trace.find((s) => s.name === 'POST /v1/decisions') as Span;
    const client = trace.find((s) => clientSpans.includes(s.name)) as Span;
    assert.equal(client.parentSpanId, api.spanId, 'the workflow call is a child of the request');
    const decide = trace.find((s) => s.name === 'RunActivity:decideAndRecord') as Span;
    for (const step of ['lookupFeatures', 'scoreArms', 'decideArms', 'commitDecision']) {
      assert.equal((trace.find((s) => s.name === step) as Span).parentSpanId, decide.spanId, `${step} is a child of the decision activity`);
    }
  });
});
