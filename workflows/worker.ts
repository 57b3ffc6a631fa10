import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerInterceptors, type WorkerOptions as SdkWorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const WORKFLOWS = fileURLToPath(new URL('./index.ts', import.meta.url));

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundles the workflow code once per process (webpack takes seconds; tests start several workers),
 * with the workflow interceptor modules given (tracing), which must be inside the bundle.
 * `workflowsPath`: the product's workflows unless given (the bench's probe workflows).
 */
export function workflowBundle(workflowInterceptorModules: string[] = [], workflowsPath = WORKFLOWS): Promise<WorkflowBundleWithSourceMap> {
  const key = [workflowsPath, ...workflowInterceptorModules].join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietBundlerLogger });
    bundles.set(key, bundle);
  }
  return bundle;
}

const quietBundlerLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn(message: string) { console.warn(message); },
  error(message: string) { console.error(message); },
};

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activities?: object;
  /** The workflows to run: the product's (workflows/index.ts) unless given. */
  workflowsPath?: string;
  /** Concurrent local activities: the decision path's steps 2–4. */
  maxConcurrentLocalActivities?: number;
  sdkLogLevel?: LogLevel;
  /** Record workflows' stacks for the stack trace query (TEMPORAL_WORKFLOW_STACK_TRACES); off unless true. */
  stackTraces?: boolean;
  /** Tracing (observability/tracing.ts): activity interceptors, the workflow span sink, workflow interceptor modules. */
  tracing?: { interceptors: WorkerInterceptors; sinks: NonNullable<SdkWorkerOptions['sinks']>; workflowInterceptorModules: string[] } | null;
}

let runtimeInstalled = false;
/** The SDK logs worker state changes at INFO on stdout; our logs are pino's, so keep the SDK to warnings. */
function installRuntime(level: LogLevel): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}

/** Worker.create calls in turn, so that each worker's workflow threads start with its own stack-trace setting. */
let creating: Promise<unknown> = Promise.resolve();

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime(opts.sdkLogLevel ?? 'WARN');
  const connection = await NativeConnection.connect({ address: opts.address });
  const bundle = await workflowBundle(opts.tracing?.workflowInterceptorModules, opts.workflowsPath);
  const create = () => {
    // The SDK has no option for it: the workflow threads Worker.create starts read this variable from the
    // environment they are given, a copy of the process's (patches/@temporalio+worker+*.patch).
    process.env['TEMPORAL_WORKFLOW_STACK_TRACES'] = String(opts.stackTraces ?? false);
    return Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      workflowBundle: bundle,
      activities: opts.activities,
      ...(opts.tracing ? { interceptors: opts.tracing.interceptors, sinks: opts.tracing.sinks } : {}),
      maxConcurrentLocalActivityExecutions: opts.maxConcurrentLocalActivities ?? 200,
      maxConcurrentWorkflowTaskExecutions: 100,
      maxCachedWorkflows: 2_000,
    });
  };
  const worker = creating.then(create);
  creating = worker.catch(() => undefined);
  return { worker: await worker, connection };
}
