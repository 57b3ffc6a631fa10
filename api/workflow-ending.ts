import type { Client } from '@temporalio/client';

/**
 * How a workflow ended, in words as Temporal names it ('terminated', 'timed out', 'cancelled', 'failed',
 * 'completed'); null while it runs, or when the server no longer knows it (its history past retention).
 * For the routes that find a workflow ended from outside FraudGuard (Temporal's CLI or UI).
 */
export async function workflowEnding(temporal: Client, workflowId: string): Promise<string | null> {
  const status = await temporal.workflow.getHandle(workflowId).describe().then((d) => d.status.name, () => null);
  if (status === null || status === 'RUNNING' || status === 'UNSPECIFIED' || status === 'UNKNOWN') return null;
  return status.toLowerCase().replace(/_/g, ' ');
}
