/**
 * `work`, or a rejection with `timedOut()` once `ms` have passed, whichever comes first. The timer is
 * cleared as soon as `work` settles, and a late settlement of `work` is dropped, never unhandled.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timedOut: () => Error = () => new Error(`no answer within ${ms} ms`)): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (err: unknown) => { clearTimeout(timer); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}
