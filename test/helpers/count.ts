/**
 * What a piece of work costs the database, counted on the real client:
 *
 *   const sql = await statementsDuring(() => runIntakes(rt, ids));   // texts, BEGIN/COMMIT/ROLLBACK aside
 *   const counted = countingTransactions(h.deps.db);                  // counted.db opens transactions, counted.count() says how many
 */
import pg from 'pg';
import type { PrismaClient } from '../../core/db.js';

/** SQL statements sent while `fn` runs (BEGIN, COMMIT and ROLLBACK aside). */
export async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(text)) statements.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    await fn();
    return statements;
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** The same client, counting the transactions opened through it. */
export function countingTransactions(client: PrismaClient): { db: PrismaClient; count(): number } {
  let transactions = 0;
  const db = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === '$transaction') transactions++;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, count: () => transactions };
}
