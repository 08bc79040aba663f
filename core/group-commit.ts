/**
 * Group commit: calls made while a flush is in flight wait and go together in
 * the next one, so many concurrent callers cost one statement (each statement is
 * a round trip and a `writev`, the largest single cost found by profiling). A
 * lone call flushes at once: no added latency when the service is quiet.
 *
 * `run` answers the items in order; when it throws, every item of that flush
 * fails with its error.
 */
export function groupCommit<T, R>(run: (items: T[]) => Promise<R[]>, max = 256): (item: T) => Promise<R> {
  const waiting: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  let flushing = false;
  const drain = async () => {
    flushing = true;
    while (waiting.length) {
      const group = waiting.splice(0, max);
      try {
        const out = await run(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(out[i]!));
      } catch (err) {
        group.forEach((g) => g.reject(err));
      }
    }
    flushing = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!flushing) void drain();
    });
}
