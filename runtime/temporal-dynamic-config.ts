/**
 * The Temporal server settings FraudGuard runs with, passed to the embedded dev server as
 * `--dynamic-config-value` and written out for the compose server in deploy/temporal/dynamicconfig.yaml
 * (a test keeps the two the same).
 */
export const TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, boolean | number | string>> = {
  // The decision API starts each transaction's workflow with update-with-start (a multi-operation),
  // which older servers keep behind these flags.
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableExecuteMultiOperation': true,
  'system.enableEagerWorkflowStart': true,
  // A new workflow's first task reaches the task queue when the history shard's transfer queue is next
  // read, and the server reads it at most 20 times a second by default: 30 ms of a 45 ms empty
  // workflow on the dev server (one shard) was that wait. Read on every notification instead.
  'history.transferProcessorMaxPollRPS': 1000,
  // The timer queue reads up to this far ahead of the clock and moves any timer that falls before what
  // it has read to just after it: with the default of 1 s, every retry back-off under a second (a
  // webhook's 200 ms, a record write's after Postgres returns) waited about a second (webhook retry gaps
  // 985–992 ms for a 200 ms back-off; with 10 ms, 294–377 ms). The shift guards against clocks that
  // differ between history hosts; a one-host server has none. No CPU difference at 100 decisions/s.
  'history.timerProcessorMaxTimeShift': '10ms',
};

/** The settings as the Temporal CLI takes them. */
export function dynamicConfigArgs(config: Readonly<Record<string, boolean | number | string>> = TEMPORAL_DYNAMIC_CONFIG): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
