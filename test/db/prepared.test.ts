/**
 * Statements are prepared once per connection (core/db.ts): Postgres parses them once and may keep
 * their plan, instead of parsing and planning every call.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t?.drop());

it('a statement run twice on one connection is prepared once and answers both times', async () => {
  const marker = `prepared-${Date.now()}`;
  const [first, second, prepared] = await t.db.$transaction(async (tx) => {
    const run = (n: number) => tx.$queryRaw<{ n: number; tag: string }[]>`SELECT ${n}::int AS n, ${marker}::text AS tag`;
    const a = await run(1);
    const b = await run(2);
    // pg_prepared_statements is per session: the transaction's own connection.
    const p = await tx.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement LIKE '%AS tag'`;
    return [a, b, p];
  });
  expect(first).toEqual([{ n: 1, tag: marker }]);
  expect(second).toEqual([{ n: 2, tag: marker }]);
  expect(prepared[0]!.count).toBe(1);
});
