/**
 * findStaff runs for every inbound message: one plain statement, the same row
 * Prisma would give, and no second read of the same person in one transaction.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Work } from '../../core/workflow/context.js';
import { findStaff, requireStaff } from '../../core/workflow/staff.js';
import { NotAuthorizedError } from '../../core/errors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ seed: 'org' });
  await t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt', displayName: '王伟', language: 'en' },
      { platform: 'wecom', platformUserId: '2001', role: 'coordinator', areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => t.drop());

async function statementsIn(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = String((args[0] as { text?: string })?.text ?? args[0]);
    if (!/^\s*(BEGIN|COMMIT)/.test(text)) n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return n;
}

it('gives the row Prisma gives, per platform, and null for a stranger', async () => {
  await t.db.$transaction(async (tx) => {
    const w = { tx } as Work;
    for (const who of [
      { platform: 'telegram', userId: '2001' },
      { platform: 'wecom', userId: '2001' },
      { platform: 'telegram', userId: '9999' },
    ]) {
      expect(await findStaff(w, who)).toEqual(await tx.staff.findUnique({ where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } } }));
    }
    expect((await findStaff(w, { platform: 'telegram', userId: '2001' }))!.role).toBe('staff');
    await expect(requireStaff(w, { platform: 'telegram', userId: '9999' })).rejects.toBeInstanceOf(NotAuthorizedError);
  });
});

it('one statement per person and transaction', async () => {
  const n = await statementsIn(() =>
    t.db.$transaction(async (tx) => {
      const w = { tx } as Work;
      await findStaff(w, { platform: 'telegram', userId: '2001' });
      await requireStaff(w, { platform: 'telegram', userId: '2001' });
      await findStaff(w, { platform: 'wecom', userId: '2001' });
    }),
  );
  expect(n).toBe(2);
  // A new transaction reads again (an org import in between is seen).
  await t.db.staff.update({ where: { platform_platformUserId: { platform: 'telegram', platformUserId: '2001' } }, data: { role: 'admin' } });
  expect(await t.db.$transaction((tx) => findStaff({ tx } as Work, { platform: 'telegram', userId: '2001' }))).toMatchObject({ role: 'admin' });
});
