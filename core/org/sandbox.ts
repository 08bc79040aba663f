/**
 * The demo org the sandbox runs with (`npm start` with no platform): the three
 * demo people of adapters/telegram/sandbox.ts registered and their groups
 * bound. Idempotent.
 */
import type { PrismaClient } from '../db.js';

export const SANDBOX_ORG = {
  unitId: '110105:urban_mgmt',
  areaCode: '110105-sanlitun',
  staff: { userId: '2001', chatId: '-2001' },
  coordinator: { userId: '3001', chatId: '-3001' },
} as const;

export async function seedSandboxOrg(db: PrismaClient): Promise<void> {
  const { unitId, areaCode, staff, coordinator } = SANDBOX_ORG;
  await db.$transaction([
    db.staff.upsert({
      where: { platform_platformUserId: { platform: 'telegram', platformUserId: staff.userId } },
      create: { platform: 'telegram', platformUserId: staff.userId, displayName: '示范工作人员', role: 'staff', unitId },
      update: { role: 'staff', unitId },
    }),
    db.staff.upsert({
      where: { platform_platformUserId: { platform: 'telegram', platformUserId: coordinator.userId } },
      create: { platform: 'telegram', platformUserId: coordinator.userId, displayName: '示范协调员', role: 'coordinator', areaCode },
      update: { role: 'coordinator', areaCode },
    }),
    db.chatBinding.upsert({
      where: { platform_chatId: { platform: 'telegram', chatId: staff.chatId } },
      create: { platform: 'telegram', chatId: staff.chatId, unitId },
      update: { unitId, areaCode: null },
    }),
    db.chatBinding.upsert({
      where: { platform_chatId: { platform: 'telegram', chatId: coordinator.chatId } },
      create: { platform: 'telegram', chatId: coordinator.chatId, areaCode },
      update: { areaCode, unitId: null },
    }),
  ]);
}
