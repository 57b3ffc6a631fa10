import { fileURLToPath } from 'node:url';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { answerUpdate, floorWorkflow } from './floor-workflow.ts';
import { quantile } from './figure.ts';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) };

export interface FloorResult { concurrency: number; throughput: number; p50: number; p95: number }

/**
 * The floor under the decision route on this Temporal server: the same update-with-start call (same
 * conflict and reuse policies), on a worker with the product's workflow-task settings, to a workflow
 * that answers at once (floor-workflow.ts). Closed loop at `concurrency` for `seconds`, then 50 one at
 * a time for the latency.
 */
export async function updateWithStartFloor(opts: { client: Client; address: string; namespace: string; run: string; seconds: number; concurrency?: number }): Promise<FloorResult> {
  const taskQueue = `${opts.run}-floor`;
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection, namespace: opts.namespace, taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)), logger: quietLogger }),
    maxConcurrentWorkflowTaskExecutions: 100, maxCachedWorkflows: 2_000,
  });
  const running = worker.run();
  try {
    let n = 0;
    const once = async (workflowId: string) => {
      const start = new WithStartWorkflowOperation(floorWorkflow, { workflowId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      await opts.client.workflow.executeUpdateWithStart(answerUpdate, { startWorkflowOperation: start });
    };
    for (let i = 0; i < 20; i++) await once(`${taskQueue}-warm-${i}`);
    const concurrency = opts.concurrency ?? 32;
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await once(`${taskQueue}-${n++}`); }));
    const throughput = n / ((performance.now() - started) / 1000);
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) { const t0 = performance.now(); await once(`${taskQueue}-one-${i}`); latencies.push(performance.now() - t0); }
    return { concurrency, throughput, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
