/**
 * 小巷管家 (volunteer stewards) and 街巷长 (lane chiefs), registered per street with the
 * communities or lanes they look after (Staff.places, from the org file).
 *
 * A steward's report is a petition like a resident's, but it needs no clarification round: the
 * category and the community are chosen from their area's buttons, so it is dispatched at once,
 * marked as a steward report (Petition.stewardId). The steward follows it like a resident (the
 * notes go to their own chat through a Resident row of their platform identity).
 *
 * A lane chief gets a copy of each petition dispatched on their lanes and a daily digest of the
 * open ones.
 */
import type { Petition, Staff } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { OPEN_STATES } from '../petition/lifecycle.js';
import { nextNumbers } from '../petition/number.js';
import type { Work } from './context.js';
import { dispatchPetition } from './dispatch.js';
import { upsertResident } from './intake.js';
import { findStaff, type PersonRef } from './staff.js';
import { together } from './together.js';
import type { GeoPoint } from '../channel.js';
import { locationOf } from './evidence.js';

/** Categories a steward sees first when their area has too little history of its own. */
const COMMON_CATEGORIES = ['garbage', 'sanitation', 'parking', 'municipal_facility', 'illegal_construction', 'street_vending', 'greening', 'noise'];
const MENU_SIZE = 6;
const HISTORY_MS = 90 * 24 * 3_600_000;

export async function requireSteward(w: Work, who: PersonRef): Promise<Staff> {
  const s = await findStaff(w, who);
  if (!s || s.role !== 'steward' || !s.areaCode) throw new NotAuthorizedError('not a steward', '只有登记的小巷管家可以一键上报。/ Registered stewards only.');
  return s;
}

/** The frequent categories of the steward's street (last 90 days), topped up with the common ones. */
export async function stewardCategories(w: Work, steward: Staff): Promise<{ code: string; nameZh: string; nameEn: string }[]> {
  const since = new Date(w.now.getTime() - HISTORY_MS);
  const frequent = await w.tx.$queryRaw<{ code: string }[]>`
    SELECT "categoryCode" AS code FROM "Petition"
     WHERE "streetCode" = ${steward.areaCode} AND "createdAt" >= ${since} AND "categoryCode" IS NOT NULL AND "categoryCode" <> 'other'
     GROUP BY "categoryCode" ORDER BY count(*) DESC, "categoryCode" LIMIT ${MENU_SIZE}`;
  const codes = [...new Set([...frequent.map((r) => r.code), ...COMMON_CATEGORIES])];
  const rows = await w.tx.category.findMany({ where: { code: { in: codes } }, select: { code: true, nameZh: true, nameEn: true } });
  const byCode = new Map(rows.map((r) => [r.code, r]));
  return codes.flatMap((c) => (byCode.has(c) ? [byCode.get(c)!] : [])).slice(0, MENU_SIZE);
}

/** The places a steward reports from: their communities or lanes, else their street itself. */
export function stewardPlaces(steward: Staff): string[] {
  return steward.places.length ? steward.places : [];
}

export interface StewardReport {
  categoryCode: string;
  /** one of the steward's places (index into Staff.places), or null for the street as a whole */
  placeIndex: number | null;
  text?: string;
  photoFileId?: string;
  /** a location pin instead of (or besides) a community: shown to the unit as a map point */
  location?: GeoPoint;
  /** the stored inbound message (keys the notes) */
  inboundId: string;
  chatId: string;
}

/** File a steward's report and dispatch it at once (no clarification round). */
export async function fileStewardReport(w: Work, who: PersonRef, report: StewardReport): Promise<Petition> {
  const steward = await requireSteward(w, who);
  const street = await w.tx.area.findUnique({ where: { code: steward.areaCode! } });
  if (!street) throw new AppError('no_place', `steward ${steward.id} has an unknown area`, '您登记的辖区无效，请联系管理员。/ Your registered area is unknown.');
  const category = await w.tx.category.findUnique({ where: { code: report.categoryCode } });
  if (!category) throw new AppError('bad_category', `unknown category ${report.categoryCode}`, '请从按钮中选择问题类别。/ Choose a category from the buttons.');
  const community = report.placeIndex === null ? null : (steward.places[report.placeIndex] ?? null);
  const text = (report.text ?? '').trim().slice(0, 1000);
  const resident = await upsertResident(w, { platform: who.platform, userId: who.userId, chatId: report.chatId, language: steward.language });
  const said = text ? await w.deps.understand(text, {}) : null;
  const masked = said?.maskedText ?? '';
  const summary = [category.nameZh, community, masked].filter(Boolean).join(' · ').slice(0, 60);
  const [number] = await nextNumbers(w.deps.db, w.now, w.deps.timeZone, 1);
  const p = await w.tx.petition.create({
    data: {
      number: number!,
      residentId: resident.id,
      channel: `${who.platform}:steward`,
      originalTextEnc: Buffer.from(w.deps.sealer.seal(text || summary)),
      maskedText: masked || summary,
      categoryCode: category.code,
      urgency: said?.urgency.class ?? 'ordinary',
      urgencyReason: said?.urgency.reason || null,
      summary,
      attachments: [
        ...(report.photoFileId ? [{ kind: 'photo', fileId: report.photoFileId, platform: who.platform }] : []),
        ...(report.location ? [locationOf(report.location)] : []),
      ] as object[],
      ...(report.location ? { lat: report.location.lat, lng: report.location.lng } : {}),
      districtCode: street.parentCode,
      streetCode: street.code,
      community,
      placeMethod: 'steward',
      stewardId: steward.id,
      createdAt: w.now,
      updatedAt: w.now,
    },
  });
  await w.tx.petitionEvent.create({ data: { petitionId: p.id, actorKind: 'staff', actorId: steward.id, action: 'receive', toStatus: 'received', at: w.now, data: { category: category.code, method: 'steward' } } });
  await dispatchPetition(w, p, { actor: { kind: 'staff', id: steward.id }, reason: 'steward' });
  return p;
}

/** Open petitions of the steward's street, their own places first. */
export async function stewardOpenPetitions(w: Work, who: PersonRef) {
  const steward = await requireSteward(w, who);
  const open = await w.tx.petition.findMany({
    where: { streetCode: steward.areaCode, status: { in: [...OPEN_STATES] } },
    select: { number: true, status: true, summary: true, community: true, stewardId: true, feedbackDueAt: true },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
  const mine = (p: (typeof open)[number]) => (p.community && steward.places.includes(p.community) ? 0 : 1);
  return { steward, petitions: open.sort((a, b) => mine(a) - mine(b)).slice(0, 20) };
}

/** Whether a petition lies on one of a lane chief's places (its community, or named in its address). */
function onPlaces(p: Pick<Petition, 'community' | 'address'>, places: string[]): boolean {
  return places.some((x) => x === p.community || (!!p.address && p.address.includes(x)));
}

/** The lane chiefs of each petition's street whose lanes it lies on: one statement for a batch. */
async function laneChiefsOf(w: Work, ps: Petition[]): Promise<Staff[][]> {
  const streets = [...new Set(ps.map((p) => p.streetCode).filter((x): x is string => !!x))];
  if (!streets.length) return ps.map(() => []);
  const chiefs = await w.tx.staff.findMany({ where: { role: 'lane_chief', areaCode: { in: streets } } });
  return ps.map((p) => chiefs.filter((c) => c.areaCode === p.streetCode && onPlaces(p, c.places)));
}

/** A new petition on a lane chief's lanes: a copy to each of them (called once, at first dispatch). */
export async function copyToLaneChiefs(w: Work, p: Petition): Promise<void> {
  const chiefs = await together(w, laneChiefsOf, p);
  for (const c of chiefs) await w.notify({ t: 'person', staffId: c.id, note: 'lane_copy', petitionId: p.id }, `lane:${p.id}:${c.id}`);
}

/** The daily digest: every lane chief with open petitions on their lanes gets the list. Returns how many were told. */
export async function laneDigests(w: Work, day: string): Promise<number> {
  const chiefs = await w.tx.staff.findMany({ where: { role: 'lane_chief', areaCode: { not: null } } });
  let told = 0;
  for (const c of chiefs) {
    const open = await w.tx.petition.findMany({
      where: { streetCode: c.areaCode, status: { in: [...OPEN_STATES] } },
      select: { id: true, number: true, community: true, address: true },
      orderBy: { createdAt: 'asc' },
    });
    const mine = open.filter((p) => onPlaces(p, c.places));
    if (!mine.length) continue;
    await w.notify({ t: 'person', staffId: c.id, note: 'lane_digest', data: { petitionIds: mine.slice(0, 30).map((p) => p.id), total: mine.length, day } }, `lanedigest:${c.id}:${day}`);
    told++;
  }
  return told;
}
