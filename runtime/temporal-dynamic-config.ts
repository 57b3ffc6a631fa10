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
  // Timers (activity retry back-offs, case SLAs) fire when due. The timer queue reads up to this far
  // ahead of the clock and moves any timer that falls before what it has read to just after it: with the
  // default of 1 s every back-off under a second (a webhook's 200 ms, a record write's after Postgres
  // returns) waited about a second (webhook retry gaps 985–992 ms for a 200 ms back-off). The shift guards
  // against clocks that differ between history hosts; a one-host server has none.
  'history.timerProcessorMaxTimeShift': '10ms',
  // And it reads at most 20 times a second by default: with the shift alone the gaps were 276–358 ms for
  // 200 ms; with both, 208–209 ms (and 407–409 for 400, 809–812 for 800). Neither changed the server's
  // CPU a decision at 100 decisions/s beyond the machine's noise.
  'history.timerProcessorMaxPollRPS': 1000,
};

/** The settings as the Temporal CLI takes them. */
export function dynamicConfigArgs(config: Readonly<Record<string, boolean | number | string>> = TEMPORAL_DYNAMIC_CONFIG): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
