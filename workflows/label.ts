import { proxyActivities } from '@temporalio/workflow';
import type { ApplyLabelInput, createLabelActivities } from '../activities/label-activities.ts';

// The feature store may be briefly down (Redis restart): keep trying, a label must not be lost.
const { applyLabel } = proxyActivities<ReturnType<typeof createLabelActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Delivers one label to the worker's feature store, durably (the in-process store lives in the worker). */
export async function labelWorkflow(input: ApplyLabelInput): Promise<void> {
  await applyLabel(input);
}
