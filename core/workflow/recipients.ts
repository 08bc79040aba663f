/**
 * Who receives an intent: the resident of a petition; every chat bound to a
 * unit (or, with none, its staff one by one; with neither, a card goes to the
 * coordinators of its area, marked 未绑定单位); an area's coordinators (bound
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
  /** a card for this unit, which has no bound chat and no staff: shown to the area's coordinators instead */
  unboundUnitId?: string;
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
 * Every chat bound to each unit that `target` names (SQL yielding `key`, `unit_id` rows), or for a unit
 * with none, its staff one by one: one statement for all of them, answered per key.
 */
async function unitRows(tx: Tx, target: Prisma.Sql): Promise<Map<number, Recipient[]>> {
  const rows = await tx.$queryRaw<(UnitRow & { key: number })[]>`
    WITH target AS (${target})
    SELECT t.key, t.unit_id AS "unitId", b.platform, b."chatId", NULL::text AS language
      FROM target t JOIN "ChatBinding" b ON b."unitId" = t.unit_id
    UNION ALL
    SELECT t.key, t.unit_id, s.platform, s."platformUserId", s.language
      FROM target t JOIN "Staff" s ON s."unitId" = t.unit_id AND s.role::text IN ('staff', 'coordinator', 'admin')
     WHERE NOT EXISTS (SELECT 1 FROM "ChatBinding" b WHERE b."unitId" = t.unit_id)`;
  const byKey = new Map<number, UnitRow[]>();
  for (const r of rows) byKey.set(Number(r.key), [...(byKey.get(Number(r.key)) ?? []), r]);
  return new Map([...byKey].map(([key, list]) => [key, unitChats(list)]));
}

/** Bound chats and staff never come together (staff only when the unit has no bound chat). */
function unitChats(rows: UnitRow[]): Recipient[] {
  const bound = rows.filter((r) => r.language === null);
  if (bound.length) return bound.map((r) => ({ platform: r.platform, chatId: r.chatId, language: 'zh', audience: 'unit' as const, unitId: r.unitId }));
  return dedupe(rows.map((r) => ({ platform: r.platform, chatId: privateChatOf(r.platform, r.chatId), language: r.language ?? 'zh', audience: 'unit' as const, unitId: r.unitId })));
}

/** The chats of the one unit `unit` (SQL yielding one `unit_id`, or no row) names. */
async function oneUnit(tx: Tx, unit: Prisma.Sql): Promise<Recipient[]> {
  return (await unitRows(tx, Prisma.sql`SELECT 1 AS key, unit_id FROM (${unit}) u`)).get(1) ?? [];
}

export async function unitRecipients(tx: Tx, unitId: string): Promise<Recipient[]> {
  return oneUnit(tx, Prisma.sql`SELECT ${unitId}::text AS unit_id`);
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

function residentRecipient(r: ResidentRow | undefined): Recipient[] {
  return r ? [{ platform: r.platform, chatId: r.chatId, language: r.language, channelAccount: r.channelAccount, audience: 'resident', residentId: r.id }] : [];
}

/** The resident of each petition, by petition id: one statement for any number of them. */
async function petitionResidents(tx: Tx, petitionIds: string[]): Promise<Map<string, Recipient[]>> {
  const rows = await tx.$queryRaw<(ResidentRow & { petitionId: string })[]>`
    SELECT p.id AS "petitionId", r.id, r.platform, r."chatId", r.language, r."channelAccount"
      FROM "Petition" p JOIN "Resident" r ON r.id = p."residentId" WHERE p.id = ANY(${petitionIds}::text[])`;
  return new Map(rows.map((r) => [r.petitionId, residentRecipient(r)]));
}

/** The unit chats of each card (its assignment's unit, or the unit it is copied to): one statement. */
async function cardUnits(tx: Tx, cards: Extract<Intent, { t: 'card' }>[]): Promise<Recipient[][]> {
  const units = await unitRows(
    tx,
    Prisma.sql`SELECT x.k::int AS key, COALESCE(x.copy, a."unitId") AS unit_id
                 FROM unnest(${cards.map((c) => c.assignmentId)}::text[], ${cards.map((c) => c.copyToUnitId ?? null)}::text[]) WITH ORDINALITY AS x(aid, copy, k)
                 JOIN "Assignment" a ON a.id = x.aid`,
  );
  const out = cards.map((_, i) => units.get(i + 1) ?? []);
  // A unit with no bound chat and no staff: the card goes to the coordinators of the petition's street (climbing
  // to the district's, then the admins, when the street has none), or of the unit's area, marked as such.
  const lost = cards.flatMap((c, i) => (!out[i]!.length && !c.copyToUnitId ? [i] : []));
  if (lost.length) {
    const areas = await tx.$queryRaw<{ id: string; unitId: string; area: string | null }[]>`
      SELECT a.id, a."unitId", COALESCE(p."streetCode", u."areaCode", p."districtCode") AS area
        FROM "Assignment" a JOIN "Unit" u ON u.id = a."unitId" JOIN "Petition" p ON p.id = a."petitionId"
       WHERE a.id = ANY(${lost.map((i) => cards[i]!.assignmentId)}::text[])`;
    const byId = new Map(areas.map((r) => [r.id, r]));
    for (const i of lost) {
      const row = byId.get(cards[i]!.assignmentId);
      if (!row) continue;
      out[i] = (await areaRecipients(tx, row.area ?? '')).map((r) => ({ ...r, unboundUnitId: row.unitId }));
    }
  }
  return out;
}

export async function recipientsFor(tx: Tx, intent: Intent): Promise<Recipient[]> {
  switch (intent.t) {
    case 'resident': {
      if (!intent.residentId) return (await petitionResidents(tx, [intent.petitionId!])).get(intent.petitionId!) ?? [];
      const [resident] = await tx.$queryRaw<ResidentRow[]>`
        SELECT id, platform, "chatId", language, "channelAccount" FROM "Resident" WHERE id = ${intent.residentId}`;
      return residentRecipient(resident);
    }
    case 'card':
      return (await cardUnits(tx, [intent]))[0]!;
    case 'unit':
      return unitRecipients(tx, intent.unitId);
    case 'whistle_task':
      return oneUnit(tx, Prisma.sql`SELECT "unitId" AS unit_id FROM "WhistleTask" WHERE id = ${intent.taskId}`);
    case 'area':
      return areaRecipients(tx, intent.areaCode);
    case 'person': {
      // a lane chief (街巷长): their own chat
      const s = await tx.staff.findUnique({ where: { id: intent.staffId } });
      return s ? [{ platform: s.platform, chatId: privateChatOf(s.platform, s.platformUserId), language: s.language, audience: 'direct' }] : [];
    }
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

/**
 * The recipients of each intent, in order. The residents of all petition notes, and the units of all
 * cards, are looked up with one statement each (a batch of petitions makes many of both).
 */
export async function recipientsForAll(tx: Tx, intents: Intent[]): Promise<Recipient[][]> {
  const out: (Recipient[] | undefined)[] = intents.map(() => undefined);
  const notes = intents.flatMap((i, n) => (i.t === 'resident' && !i.residentId && i.petitionId ? [{ n, petitionId: i.petitionId }] : []));
  if (notes.length) {
    const residents = await petitionResidents(tx, notes.map((x) => x.petitionId));
    for (const { n, petitionId } of notes) out[n] = residents.get(petitionId) ?? [];
  }
  const cards = intents.flatMap((i, n) => (i.t === 'card' ? [{ n, intent: i }] : []));
  if (cards.length) (await cardUnits(tx, cards.map((c) => c.intent))).forEach((units, i) => (out[cards[i]!.n] = units));
  for (let n = 0; n < intents.length; n++) out[n] ??= await recipientsFor(tx, intents[n]!);
  return out as Recipient[][];
}
