/**
 * The Temporal server settings FraudGuard runs with, passed to the embedded dev server as
 * `--dynamic-config-value` and written out for the compose server in deploy/temporal/dynamicconfig.yaml
 * (a test keeps the two the same).
 */
export const TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, boolean | number>> = {
  // The decision API starts each transaction's workflow with update-with-start (a multi-operation),
  // which older servers keep behind these flags.
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableExecuteMultiOperation': true,
  'system.enableEagerWorkflowStart': true,
  // A new workflow's first task reaches the task queue when the history shard's transfer queue is next
  // read, and the server reads it at most 20 times a second by default: 30 ms of a 45 ms empty
  // workflow on the dev server (one shard) was that wait. Read on every notification instead.
  'history.transferProcessorMaxPollRPS': 1000,
};

/** The settings as the Temporal CLI takes them. */
export function dynamicConfigArgs(config: Readonly<Record<string, boolean | number>> = TEMPORAL_DYNAMIC_CONFIG): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
