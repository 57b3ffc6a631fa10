import type { Decision } from '../engine/decision.ts';

/**
 * Decisions handed from this process's decision activity to this process's decision route, for
 * workflows the route started eagerly: the server gives an eagerly started workflow's first task to
 * the worker of the process that started it, so its local activity runs here. The decision is on
 * record before it is handed over (the decision record is the commit point: a re-run of the activity
 * after a crash finds it and decides nothing new), so the route may answer with it without waiting
 * for the workflow task to complete and the update to come back.
 */
export interface LocalAnswers {
  /**
   * Called by the route before it starts the workflow: the decision its activity publishes, or null
   * when it publishes none within `timeoutMs` or says it could not record it (the route then asks the
   * workflow). Null instead of a waiter when one already waits for this workflow (the same id sent
   * twice at once: the second goes the ordinary way).
   */
  expect(workflowId: string, timeoutMs: number): { answer: Promise<Decision | null>; cancel(): void } | null;
  /** Called by the decision activity: its decision when on record, null when it is not. */
  publish(workflowId: string, decision: Decision | null): void;
}

export function createLocalAnswers(): LocalAnswers {
  const waiting = new Map<string, (d: Decision | null) => void>();
  return {
    expect(workflowId, timeoutMs) {
      if (waiting.has(workflowId)) return null;
      let settle!: (d: Decision | null) => void;
      const answer = new Promise<Decision | null>((resolve) => { settle = resolve; });
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (d: Decision | null) => {
        if (waiting.get(workflowId) !== done) return;
        waiting.delete(workflowId);
        clearTimeout(timer);
        settle(d);
      };
      waiting.set(workflowId, done);
      return { answer, cancel: () => done(null) };
    },
    publish(workflowId, decision) {
      waiting.get(workflowId)?.(decision);
    },
  };
}
