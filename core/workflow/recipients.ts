/**
 * Who receives an intent: the resident of a petition; every chat bound to a
 * unit (or, with none, its staff one by one); an area's coordinators (bound
 * chats, and privately the coordinators on platforms without one), climbing from street to district to admins
 * when nobody is registered, so an escalation never falls on the floor.
 */
import { Prisma, type Tx } from '../db.js';
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

interface UnitRow {
  unitId: string;
  platform: string;
  chatId: string;
  /** null for a bound chat, the staff member's language otherwise */
  language: string | null;
}

/**
 * Every chat bound to the unit that `unit` (an SQL expression yielding one unit id, or no row)
 * names, or with none, its staff one by one: one statement instead of binding + staff lookups.
 */
async function unitRows(tx: Tx, unit: Prisma.Sql): Promise<Recipient[]> {
  const rows = await tx.$queryRaw<UnitRow[]>`
    WITH target AS (${unit})
    SELECT t.unit_id AS "unitId", b.platform, b."chatId", NULL::text AS language
      FROM target t JOIN "ChatBinding" b ON b."unitId" = t.unit_id
    UNION ALL
    SELECT t.unit_id, s.platform, s."platformUserId", s.language
      FROM target t JOIN "Staff" s ON s."unitId" = t.unit_id AND s.role::text IN ('staff', 'coordinator', 'admin')
     WHERE NOT EXISTS (SELECT 1 FROM "ChatBinding" b WHERE b."unitId" = t.unit_id)`;
  // Bound chats and staff never come together (staff only when the unit has no bound chat).
  const bound = rows.filter((r) => r.language === null);
  if (bound.length) return bound.map((r) => ({ platform: r.platform, chatId: r.chatId, language: 'zh', audience: 'unit' as const, unitId: r.unitId }));
  return dedupe(rows.map((r) => ({ platform: r.platform, chatId: privateChatOf(r.platform, r.chatId), language: r.language ?? 'zh', audience: 'unit' as const, unitId: r.unitId })));
}

export async function unitRecipients(tx: Tx, unitId: string): Promise<Recipient[]> {
  return unitRows(tx, Prisma.sql`SELECT ${unitId}::text AS unit_id`);
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

interface ResidentRow {
  id: string;
  platform: string;
  chatId: string;
  language: string;
  channelAccount: string | null;
}

export async function recipientsFor(tx: Tx, intent: Intent): Promise<Recipient[]> {
  switch (intent.t) {
    case 'resident': {
      const [resident] = intent.residentId
        ? await tx.$queryRaw<ResidentRow[]>`
            SELECT id, platform, "chatId", language, "channelAccount" FROM "Resident" WHERE id = ${intent.residentId}`
        : await tx.$queryRaw<ResidentRow[]>`
            SELECT r.id, r.platform, r."chatId", r.language, r."channelAccount"
              FROM "Petition" p JOIN "Resident" r ON r.id = p."residentId" WHERE p.id = ${intent.petitionId!}`;
      if (!resident) return [];
      return [{ platform: resident.platform, chatId: resident.chatId, language: resident.language, channelAccount: resident.channelAccount, audience: 'resident', residentId: resident.id }];
    }
    case 'card':
      return unitRows(tx, Prisma.sql`SELECT COALESCE(${intent.copyToUnitId ?? null}::text, "unitId") AS unit_id FROM "Assignment" WHERE id = ${intent.assignmentId}`);
    case 'unit':
      return unitRecipients(tx, intent.unitId);
    case 'whistle_task':
      return unitRows(tx, Prisma.sql`SELECT "unitId" AS unit_id FROM "WhistleTask" WHERE id = ${intent.taskId}`);
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
