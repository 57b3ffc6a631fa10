/**
 * Runs `work` on every item, at most `limit` at a time, started in the items' order; resolves once all
 * have finished. `work` handles its own failures: a rejection rejects the whole run.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}
