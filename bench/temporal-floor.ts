import { fileURLToPath } from 'node:url';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { createWorker } from '../workflows/worker.ts';
import { answerUpdate, emptyWorkflow, floorWorkflow } from './floor-workflow.ts';
import { quantile } from './figure.ts';

export interface FloorResult { concurrency: number; throughput: number; p50: number; p95: number }

export interface Floors {
  /** The decision route's call (update-with-start, same policies) to a workflow that answers at once. */
  updateWithStart: FloorResult;
  /** Start, then wait for the result, of a workflow that completes in its first task. */
  start: FloorResult;
  /** The same with eager start: the server hands the first task back with the start's answer, to this process's worker. */
  eagerStart: FloorResult & { eagerlyStarted: number };
}

/**
 * The floors under the decision route on this Temporal server, on the product's worker (createWorker)
 * running probe workflows (floor-workflow.ts). Each closed loop at `concurrency` for `seconds`, then
 * 50 one at a time for the latency. Eager start beside plain start: the route starts eagerly when the
 * worker runs in its process (the server refuses eager start inside update-with-start, so that answer
 * comes back in process); it needs the client on the worker's own connection.
 */
export async function temporalFloors(opts: { client: Client; address: string; namespace: string; run: string; seconds: number; concurrency?: number }): Promise<Floors> {
  const taskQueue = `${opts.run}-floor`;
  // The product's worker (its workflow-task settings), running the probe workflows.
  const { worker, connection } = await createWorker({
    address: opts.address, namespace: opts.namespace, taskQueue, workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
  });
  const running = worker.run();
  const sameConnection = new Client({ connection, namespace: opts.namespace });
  const concurrency = opts.concurrency ?? 32;
  let n = 0;
  const measure = async (once: (workflowId: string) => Promise<unknown>): Promise<FloorResult> => {
    const kind = n++;
    for (let i = 0; i < 20; i++) await once(`${taskQueue}-${kind}-warm-${i}`);
    let k = 0;
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await once(`${taskQueue}-${kind}-${k++}`); }));
    const throughput = k / ((performance.now() - started) / 1000);
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) { const t0 = performance.now(); await once(`${taskQueue}-${kind}-one-${i}`); latencies.push(performance.now() - t0); }
    return { concurrency, throughput, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) };
  };
  try {
    const updateWithStart = await measure(async (workflowId) => {
      const start = new WithStartWorkflowOperation(floorWorkflow, { workflowId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      await opts.client.workflow.executeUpdateWithStart(answerUpdate, { startWorkflowOperation: start });
    });
    const start = await measure((workflowId) => sameConnection.workflow.execute(emptyWorkflow, { workflowId, taskQueue }));
    let eagerlyStarted = 0;
    const eagerStart = await measure(async (workflowId) => {
      const handle = await sameConnection.workflow.start(emptyWorkflow, { workflowId, taskQueue, requestEagerStart: true });
      if (handle.eagerlyStarted) eagerlyStarted += 1;
      await handle.result();
    });
    return { updateWithStart, start, eagerStart: { ...eagerStart, eagerlyStarted } };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
