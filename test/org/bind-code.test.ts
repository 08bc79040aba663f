import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, NotFoundError } from '../../core/errors.js';
import { createBindCode, redeemBindCode, resolveBindTarget } from '../../core/org/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ seed: 'org' });
});
afterAll(() => t?.drop());

describe('bind codes', () => {
  it('binds a chat to a unit once, within 24 hours', async () => {
    const now = new Date('2026-11-25T09:00:00Z');
    const { code, expiresAt } = await createBindCode(t.db, await resolveBindTarget(t.db, '110105:urban_mgmt'), { now });
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(24 * 3600 * 1000);

    const by = { platform: 'telegram', chatId: '-100555', userId: '7' };
    expect(await redeemBindCode(t.db, code.toLowerCase(), by, new Date('2026-11-25T10:00:00Z'))).toEqual({ unitId: '110105:urban_mgmt', areaCode: null });
    const binding = await t.db.chatBinding.findUniqueOrThrow({ where: { platform_chatId: { platform: 'telegram', chatId: '-100555' } } });
    expect(binding.unitId).toBe('110105:urban_mgmt');
    // a second use is refused
    await expect(redeemBindCode(t.db, code, { ...by, chatId: '-100556' }, new Date('2026-11-25T10:01:00Z'))).rejects.toMatchObject({ code: 'bind_code_invalid' });
    expect(await t.db.chatBinding.count({ where: { chatId: '-100556' } })).toBe(0);
  });

  it('refuses expired codes and binds area codes to coordinators', async () => {
    const now = new Date('2026-11-25T09:00:00Z');
    const target = await resolveBindTarget(t.db, '110105-sanlitun');
    expect(target).toEqual({ areaCode: '110105-sanlitun' });
    const { code } = await createBindCode(t.db, target, { now });
    const by = { platform: 'wecom', chatId: 'wrAAA', userId: 'lifang' };
    await expect(redeemBindCode(t.db, code, by, new Date('2026-11-26T09:00:01Z'))).rejects.toBeInstanceOf(AppError);
    const fresh = await createBindCode(t.db, target, { now });
    expect(await redeemBindCode(t.db, fresh.code, by, now)).toEqual({ unitId: null, areaCode: '110105-sanlitun' });
  });

  it('rejects unknown targets', async () => {
    await expect(resolveBindTarget(t.db, 'nowhere')).rejects.toBeInstanceOf(NotFoundError);
  });
});
