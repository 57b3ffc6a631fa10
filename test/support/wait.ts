/** Polls until `probe` returns something truthy (bounded): for effects that happen after the API answers. */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs = 15_000, what = 'condition', intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
