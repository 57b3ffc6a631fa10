import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const WORKFLOWS = fileURLToPath(new URL('./index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

/** Bundles the workflow code once per process (webpack takes seconds; tests start several workers). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quietBundlerLogger });
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
  activities: object;
  /** Concurrent local activities: the decision path's steps 2–4. */
  maxConcurrentLocalActivities?: number;
  sdkLogLevel?: LogLevel;
}

let runtimeInstalled = false;
/** The SDK logs worker state changes at INFO on stdout; our logs are pino's, so keep the SDK to warnings. */
function installRuntime(level: LogLevel): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime(opts.sdkLogLevel ?? 'WARN');
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: opts.activities,
    maxConcurrentLocalActivityExecutions: opts.maxConcurrentLocalActivities ?? 200,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 2_000,
  });
  return { worker, connection };
}
