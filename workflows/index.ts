// Every workflow the worker registers. Workflow code is bundled separately and must stay
// deterministic: only engine types and pure code are imported from here.
export { transactionWorkflow } from './transaction.ts';
export { labelWorkflow } from './label.ts';
export { simulationWorkflow } from './simulation.ts';
export { decidedBatchWorkflow } from './decided-batch.ts';
