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
    // The worker runs in this stack's process: the route starts the workflow eagerly, with no update
    // (test/decisions/decide.test.ts covers the update-with-start path).
    const names = ['POST /v1/decisions', 'StartWorkflow:transactionWorkflow', 'RunWorkflow:transactionWorkflow', 'RunActivity:decideAndRecord', 'lookupFeatures', 'scoreArms', 'decideArms', 'commitDecision'];
    const trace = await waitFor(async () => {
      const api = collector.spans.find((s) => s.name === 'POST /v1/decisions');
      if (!api) return null;
      const inTrace = collector.spans.filter((s) => s.traceId === api.traceId);
      return names.every((n) => inTrace.some((s) => s.name === n)) ? inTrace : null;
    }, 30_000, 'the decision\'s spans');
    const api = trace.find((s) => s.name === 'POST /v1/decisions') as Span;
    const client = trace.find((s) => s.name === 'StartWorkflow:transactionWorkflow') as Span;
    assert.equal(client.parentSpanId, api.spanId, 'the workflow start is a child of the request');
    assert.ok(!trace.some((s) => s.name === 'UpdateWithStartWorkflow:decide'), 'answered in process, without falling back to update-with-start');
    assert.equal((trace.find((s) => s.name === 'RunWorkflow:transactionWorkflow') as Span).parentSpanId, client.spanId, 'the workflow run is a child of its start');
    const decide = trace.find((s) => s.name === 'RunActivity:decideAndRecord') as Span;
    for (const step of ['lookupFeatures', 'scoreArms', 'decideArms', 'commitDecision']) {
      assert.equal((trace.find((s) => s.name === step) as Span).parentSpanId, decide.spanId, `${step} is a child of the decision activity`);
    }
  });
});
