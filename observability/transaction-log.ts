import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';

/**
 * The logger for lines about one transaction inside an activity: every line carries the
 * transaction id, the workflow id (read from the Temporal activity context) and the arm.
 */
export function transactionLog(base: Logger, transactionId: string, arm?: string): Logger {
  let workflowId: string | undefined;
  try {
    workflowId = Context.current().info.workflowExecution?.workflowId;
  } catch {
    // Not inside an activity (simulations, unit tests): the workflow id is not known.
  }
  return base.child({ transactionId, workflowId, arm });
}
