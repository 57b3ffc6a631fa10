// The bench's probe workflows (bench/temporal-floor.ts): the Temporal part of a decision with the
// decision taken out.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const answerUpdate = defineUpdate<string>('answer');

/** Answers its update at once and completes in its first workflow task, no activity. */
export async function floorWorkflow(): Promise<void> {
  let answered = false;
  setHandler(answerUpdate, () => { answered = true; return 'APPROVE'; });
  await condition(() => answered);
}

/** Completes in its first workflow task: for a plain start, eager or not. */
export async function emptyWorkflow(): Promise<string> {
  return 'APPROVE';
}
