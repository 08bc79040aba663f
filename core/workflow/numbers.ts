/**
 * Petition and whistle numbers named by a button or a command, checked before the step runs: a
 * number that names nothing (a forged button, a typo) is answered, never a failed lookup that the
 * queue retries. Set-based: the messages of a batch check all their numbers with one statement,
 * before any of them writes, so a bogus number never fails the batch's transaction.
 */
import type { Work } from './context.js';
import { together } from './together.js';

/** The first of `numbers` that is neither a petition's nor a whistle's number, or null. */
export function unknownNumber(w: Work, numbers: string[]): Promise<string | null> {
  if (!numbers.length) return Promise.resolve(null);
  return together(w, unknownNumbers, numbers);
}

async function unknownNumbers(w: Work, queries: string[][]): Promise<(string | null)[]> {
  const all = [...new Set(queries.flat())];
  const rows = await w.tx.$queryRaw<{ number: string }[]>`
    SELECT number FROM "Petition" WHERE number = ANY(${all}::text[])
    UNION ALL SELECT number FROM "Whistle" WHERE number = ANY(${all}::text[])`;
  const found = new Set(rows.map((r) => r.number));
  return queries.map((q) => q.find((n) => !found.has(n)) ?? null);
}
