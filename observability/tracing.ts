import { createRequire } from 'node:module';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerInterceptors, WorkerOptions } from '@temporalio/worker';
import type { RequestHandler, Response } from 'express';

/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT names an OTLP/HTTP collector. When on,
 * one trace follows a decision from the API request through the workflow and its activities:
 * the API opens a server span per request, Temporal's client interceptor carries its context into
 * the workflow's headers, the workflow interceptors (bundled into the workflow code) and the activity
 * interceptors continue it, and workflow spans leave the sandbox through a sink.
 */
export interface Tracing {
  clientInterceptors: WorkflowClientInterceptor[];
  worker: { interceptors: WorkerInterceptors; sinks: NonNullable<WorkerOptions['sinks']>; workflowInterceptorModules: string[] };
  /** A server span per HTTP request, named after the route pattern once it is known. */
  httpSpans(routeOf: (res: Response) => string | undefined): RequestHandler;
  shutdown(): Promise<void>;
}

const require = createRequire(import.meta.url);

// The SDK registers the process-wide tracer provider and context manager, which exist once per
// process: a second start (tests start several stacks in one process) shares the first.
let running: Tracing | null = null;

export function startTracing(opts: { endpoint: string | undefined; serviceName: string }): Tracing | null {
  if (!opts.endpoint) return null;
  if (running) return running;
  const resource = new Resource({ 'service.name': opts.serviceName });
  const url = new URL('v1/traces', opts.endpoint.endsWith('/') ? opts.endpoint : `${opts.endpoint}/`).toString();
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 });
  const sdk = new NodeSDK({ resource, spanProcessors: [processor], instrumentations: [] });
  sdk.start();
  const tracer = trace.getTracer('fraudguard-api');
  running = {
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor()],
    worker: {
      interceptors: {
        activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
      workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    },
    httpSpans: (routeOf) => (req, res, next) => {
      const parent = propagation.extract(context.active(), req.headers);
      const span = tracer.startSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } }, parent);
      res.once('finish', () => {
        const route = routeOf(res);
        if (route) { span.updateName(route); span.setAttribute('http.route', route); }
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      context.with(trace.setSpan(parent, span), next);
    },
    async shutdown() {
      await processor.forceFlush().catch(() => undefined);
    },
  };
  return running;
}

const stepTracer = trace.getTracer('fraudguard-worker');

/**
 * A decision step as a child span of whatever span is active (the activity's, when tracing is on):
 * steps that share one local activity stay visible one by one in the trace. Without an SDK the
 * tracer is the API's no-op one.
 */
export function inSpan<T>(name: string, step: () => Promise<T>): Promise<T> {
  return stepTracer.startActiveSpan(name, async (span) => {
    try {
      return await step();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
