/** Most items one flush takes (one statement's arrays). */
const MAX_GROUP = 256;

/**
 * Group commit: calls made while `inFlight` flushes are running wait and go
 * together in the next one, so many concurrent callers cost one statement (each
 * statement is a round trip and a `writev`, the largest single cost found by
 * profiling). A call made with a flush slot free flushes at once: no added
 * latency when the service is quiet.
 *
 * `run` answers the items in order; when it throws, every item of that flush
 * fails with its error.
 */
export function groupCommit<T, R>(run: (items: T[]) => Promise<R[]>, inFlight = 1): (item: T) => Promise<R> {
  const waiting: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  let running = 0;
  const flush = async () => {
    running++;
    while (waiting.length) {
      const group = waiting.splice(0, MAX_GROUP);
      try {
        const out = await run(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(out[i]!));
      } catch (err) {
        group.forEach((g) => g.reject(err));
      }
    }
    running--;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (running < inFlight) void flush();
    });
}
