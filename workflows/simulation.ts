import { ActivityCancellationType, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createSimulationActivities } from '../activities/simulation-activities.ts';

// A chunk replays weeks of history: minutes of work. The heartbeat timeout is what detects a
// crashed worker (the chunk then restarts elsewhere and overwrites its own counts, never adding twice).
// A chunk heartbeats every 2,000 transactions (under a second; seconds on a crowded machine);
// heartbeats reach the server at most every 0.8 × the timeout, and a cancellation reaches the chunk
// with the next one: 20 s notices a crash or a cancel within 20 s without mistaking a slow worker for a dead one.
const chunks = proxyActivities<ReturnType<typeof createSimulationActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const bookkeeping = proxyActivities<ReturnType<typeof createSimulationActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/**
 * A large simulation: its history in calendar chunks, one activity each, then the merged figures.
 * Chunks already finished (by an earlier attempt of this workflow) are skipped.
 */
export async function simulationWorkflow({ simulationId, chunks: total }: { simulationId: string; chunks: number }): Promise<void> {
  await bookkeeping.markSimulationStarted(simulationId);
  try {
    const finished = new Set(await bookkeeping.finishedChunks(simulationId));
    for (let chunk = 0; chunk < total; chunk++) {
      if (finished.has(chunk)) continue;
      await chunks.runSimulationChunk({ simulationId, chunk });
    }
    await bookkeeping.completeSimulation(simulationId);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => bookkeeping.failSimulation({ simulationId, status: 'cancelled', error: 'cancelled by a user' }));
    } else {
      await CancellationScope.nonCancellable(() => bookkeeping.failSimulation({ simulationId, status: 'failed', error: (err as Error).message }));
    }
    throw err;
  }
}
