/**
 * Who receives an intent: the resident of a petition; every chat bound to a
 * unit (or, with none, its staff one by one); an area's coordinators (bound
 * chats, and privately the coordinators on platforms without one), climbing from street to district to admins
 * when nobody is registered, so an escalation never falls on the floor.
 */
import type { Tx } from '../db.js';
import type { Intent } from './intents.js';

export interface Recipient {
  platform: string;
  chatId: string;
  language: string;
  /** WeCom kf open_kfid for replies to residents */
  channelAccount?: string | null;
  audience: 'resident' | 'unit' | 'area' | 'direct';
  residentId?: string;
  unitId?: string;
}

/** A staff member's own chat on their platform. */
export function privateChatOf(platform: string, platformUserId: string): string {
  return platform === 'wecom' ? `user:${platformUserId}` : platformUserId;
}

function dedupe(list: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.platform}|${r.chatId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export async function unitRecipients(tx: Tx, unitId: string): Promise<Recipient[]> {
  const bindings = await tx.chatBinding.findMany({ where: { unitId } });
  if (bindings.length) return bindings.map((b) => ({ platform: b.platform, chatId: b.chatId, language: 'zh', audience: 'unit' as const, unitId }));
  const staff = await tx.staff.findMany({ where: { unitId, role: { in: ['staff', 'coordinator', 'admin'] } } });
  return dedupe(staff.map((s) => ({ platform: s.platform, chatId: privateChatOf(s.platform, s.platformUserId), language: s.language, audience: 'unit' as const, unitId })));
}

export async function areaRecipients(tx: Tx, areaCode: string): Promise<Recipient[]> {
  for (const code of [areaCode, areaCode.split('-')[0]!]) {
    const [bindings, staff] = await Promise.all([
      tx.chatBinding.findMany({ where: { areaCode: code } }),
      tx.staff.findMany({ where: { areaCode: code, role: 'coordinator' } }),
    ]);
    // A platform with a chat bound to the area reaches its coordinators there; a private copy
    // to each of them would double every review request (and, in a burst, flood private chats
    // that get no digest). Coordinators on a platform without a bound chat are told directly.
    const boundPlatforms = new Set(bindings.map((b) => b.platform));
    const list = dedupe([
      ...bindings.map((b) => ({ platform: b.platform, chatId: b.chatId, language: 'zh', audience: 'area' as const })),
      ...staff
        .filter((s) => !boundPlatforms.has(s.platform))
        .map((s) => ({ platform: s.platform, chatId: privateChatOf(s.platform, s.platformUserId), language: s.language, audience: 'area' as const })),
    ]);
    if (list.length) return list;
  }
  const admins = await tx.staff.findMany({ where: { role: 'admin' } });
  return dedupe(admins.map((s) => ({ platform: s.platform, chatId: privateChatOf(s.platform, s.platformUserId), language: s.language, audience: 'area' as const })));
}

export async function recipientsFor(tx: Tx, intent: Intent): Promise<Recipient[]> {
  switch (intent.t) {
    case 'resident': {
      const resident = intent.residentId
        ? await tx.resident.findUnique({ where: { id: intent.residentId } })
        : (await tx.petition.findUnique({ where: { id: intent.petitionId! }, include: { resident: true } }))?.resident;
      if (!resident) return [];
      return [{ platform: resident.platform, chatId: resident.chatId, language: resident.language, channelAccount: resident.channelAccount, audience: 'resident', residentId: resident.id }];
    }
    case 'card': {
      const a = await tx.assignment.findUnique({ where: { id: intent.assignmentId } });
      return a ? unitRecipients(tx, intent.copyToUnitId ?? a.unitId) : [];
    }
    case 'unit':
      return unitRecipients(tx, intent.unitId);
    case 'whistle_task': {
      const task = await tx.whistleTask.findUnique({ where: { id: intent.taskId } });
      return task ? unitRecipients(tx, task.unitId) : [];
    }
    case 'area':
      return areaRecipients(tx, intent.areaCode);
    case 'rollcall': {
      const w = await tx.whistle.findUnique({ where: { id: intent.whistleId } });
      if (w?.chatPlatform && w.chatId) return [{ platform: w.chatPlatform, chatId: w.chatId, language: 'zh', audience: 'area' }];
      return w?.areaCode ? areaRecipients(tx, w.areaCode) : [];
    }
    case 'reply':
    case 'ack':
      return [{ platform: intent.platform, chatId: intent.chatId, language: 'zh', audience: 'direct' }];
  }
}
