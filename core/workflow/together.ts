/**
 * Set-based steps. The messages of an intake batch run side by side in one transaction
 * (jobs/handlers.ts `intakeTx`), and most of them reach the same steps at the same time: store the
 * resident, look for a repeat, create the petition, route it, dispatch it. A step written with
 * `together` takes all the calls made while the transaction's flows are busy elsewhere and answers
 * them with one statement, instead of one round trip per message.
 *
 * Outside a batch (`w.batch` false) a call runs at once, as a batch of one: the same SQL either way.
 */
import type { Work } from './context.js';

type Run<T, R> = (w: Work, items: T[]) => Promise<R[]>;

interface Pending<T, R> {
  items: T[];
  settle: { resolve: (r: R) => void; reject: (err: unknown) => void }[];
}

const pendingByWork = new WeakMap<Work, Map<Run<unknown, unknown>, Pending<unknown, unknown>>>();

/**
 * Call `run` for `item`. In a batch, calls made before the event loop turns (every flow has reached
 * its next wait) go in one call of `run`, which answers the items in order.
 */
export function together<T, R>(w: Work, run: Run<T, R>, item: T): Promise<R> {
  if (!w.batch) return run(w, [item]).then((out) => out[0]!);
  let byRun = pendingByWork.get(w);
  if (!byRun) pendingByWork.set(w, (byRun = new Map()));
  let pending = byRun.get(run as Run<unknown, unknown>) as Pending<T, R> | undefined;
  if (!pending) {
    const fresh: Pending<T, R> = (pending = { items: [], settle: [] });
    byRun.set(run as Run<unknown, unknown>, fresh as Pending<unknown, unknown>);
    setImmediate(() => {
      byRun.delete(run as Run<unknown, unknown>);
      run(w, fresh.items).then(
        (out) => fresh.settle.forEach((s, i) => s.resolve(out[i]!)),
        (err: unknown) => fresh.settle.forEach((s) => s.reject(err)),
      );
    });
  }
  return new Promise<R>((resolve, reject) => {
    pending.items.push(item);
    pending.settle.push({ resolve, reject });
  });
}

/**
 * Run `fn` for each item side by side; items with the same `key` (one resident's messages) run one
 * after another, in order. Waits for all of them, then throws the first failure, so nothing is
 * still using the transaction when it ends.
 */
export async function sideBySide<T>(items: T[], key: (item: T, index: number) => string, fn: (item: T) => Promise<void>): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const [i, item] of items.entries()) {
    const k = key(item, i);
    const lane = lanes.get(k);
    if (lane) lane.push(item);
    else lanes.set(k, [item]);
  }
  const results = await Promise.allSettled(
    [...lanes.values()].map(async (lane) => {
      for (const item of lane) await fn(item);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
