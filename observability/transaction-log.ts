import { asyncLocalStorage } from '@temporalio/activity';
import type { Logger } from 'pino';

/**
 * The logger for lines about one transaction inside an activity: every line carries the
 * transaction id, the workflow id (read from the Temporal activity context) and the arm.
 * Outside an activity (simulations, the inline path, unit tests) the workflow id is not known; the
 * store is read rather than `Context.current()`, which throws there, at some 40 µs a decision.
 */
export function transactionLog(base: Logger, transactionId: string, arm?: string): Logger {
  const workflowId = asyncLocalStorage.getStore()?.info.workflowExecution?.workflowId;
  return base.child({ transactionId, workflowId, arm });
}
