// The bench's probe workflow (bench/temporal-floor.ts): answers its update at once and completes in
// its first workflow task, no activity: the Temporal part of a decision with the decision taken out.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const answerUpdate = defineUpdate<string>('answer');

export async function floorWorkflow(): Promise<void> {
  let answered = false;
  setHandler(answerUpdate, () => { answered = true; return 'APPROVE'; });
  await condition(() => answered);
}
