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
  /** 住建委: the co-handler of the walkthrough's whistle */
  housing: { userId: '2201', chatId: '-2201', unitId: '110105:housing' },
  /** 小巷管家 and 街巷长 of 三里屯街道, with the communities they look after */
  steward: { userId: '4001', places: ['三里屯北社区', '幸福村社区'] },
  laneChief: { userId: '4101', places: ['幸福村社区'] },
} as const;

export async function seedSandboxOrg(db: PrismaClient): Promise<void> {
  const { unitId, areaCode, staff, coordinator, housing, steward, laneChief } = SANDBOX_ORG;
  await db.$transaction([
    db.staff.upsert({
      where: { platform_platformUserId: { platform: 'telegram', platformUserId: housing.userId } },
      create: { platform: 'telegram', platformUserId: housing.userId, displayName: '示范住建工作人员', role: 'staff', unitId: housing.unitId },
      update: { role: 'staff', unitId: housing.unitId },
    }),
    db.chatBinding.upsert({
      where: { platform_chatId: { platform: 'telegram', chatId: housing.chatId } },
      create: { platform: 'telegram', chatId: housing.chatId, unitId: housing.unitId },
      update: { unitId: housing.unitId, areaCode: null },
    }),
    db.staff.upsert({
      where: { platform_platformUserId: { platform: 'telegram', platformUserId: steward.userId } },
      create: { platform: 'telegram', platformUserId: steward.userId, displayName: '示范小巷管家', role: 'steward', areaCode, places: [...steward.places] },
      update: { role: 'steward', areaCode, places: [...steward.places] },
    }),
    db.staff.upsert({
      where: { platform_platformUserId: { platform: 'telegram', platformUserId: laneChief.userId } },
      create: { platform: 'telegram', platformUserId: laneChief.userId, displayName: '示范街巷长', role: 'lane_chief', areaCode, places: [...laneChief.places] },
      update: { role: 'lane_chief', areaCode, places: [...laneChief.places] },
    }),
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
