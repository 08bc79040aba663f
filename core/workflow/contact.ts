/**
 * The unit and the resident in touch (先联系后办理): a unit's staff may see the resident's phone to
 * call them (only the person who asked, only in their private chat, audited, limited per day), unless
 * the resident asked to be reached on the platform only; the unit's first contact is recorded on its
 * assignment, so 响应率 can be checked against what the unit did; and the petitions no one has
 * contacted yet while their time runs out are listed.
 */
import type { Assignment, Petition, Staff } from '../../prisma/generated/client.js';
import { AppError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT, loadPetition } from './dispatch.js';
import { actorOf, requireAssignment, requireStaff, type PersonRef } from './staff.js';

export type ContactMethod = 'phone' | 'question' | 'marked';

/** "只在平台沟通", "不要打电话", "don't call me": the resident declines phone contact. */
const DECLINES_PHONE = /只在(?:平台|线上|网上|这里)(?:沟通|联系|回复)|(?:不要|别|勿|不用|请勿|不接受)(?:给我)?(?:打|来)?电话|不(?:要|需要)?电话(?:联系|回访)|(?:don'?t|do not|please don'?t|no)\s+(?:phone\s+)?call(?:s|\s+me)?|(?:chat|message|text)\s+only/i;

export function declinesPhone(text: string): boolean {
  return DECLINES_PHONE.test(text);
}

/** Called by intake when the resident writes that they want no calls: kept on the petition, shown on the card. */
export async function notePhoneDeclined(w: Work, petitionId: string, text: string): Promise<boolean> {
  if (!declinesPhone(text)) return false;
  await w.tx.petition.update({ where: { id: petitionId }, data: { phoneDeclined: true } });
  return true;
}

/**
 * The unit's first contact with the resident: its time and how, on the assignment (later contacts
 * change nothing). Returns true when this was the first. Other steps (a relayed question) call it too.
 */
export async function recordFirstContact(w: Work, assignment: Pick<Assignment, 'id'>, how: ContactMethod): Promise<boolean> {
  const n = await w.tx.assignment.updateMany({ where: { id: assignment.id, contactedAt: null }, data: { contactedAt: w.now, contactMethod: how } });
  return n.count > 0;
}

export interface PhoneReveal {
  petition: Petition;
  staff: Staff;
  assignment: Assignment;
  /** the resident whose phone is filled in at send time (never stored unencrypted) */
  residentId: string;
}

/**
 * Staff of a unit working on the petition ask for the resident's phone. Refused when the resident
 * declined phone contact, left no phone, or the staff member has used today's reveals (policy
 * `phoneRevealsPerDay`, counted over the last 24 h). Recorded as a petition event (who, when): the
 * audit trail. The first reveal counts as the unit's first contact.
 */
export async function revealPhone(w: Work, who: PersonRef, number: string): Promise<PhoneReveal> {
  const staff = await requireStaff(w, who);
  const assignment = await requireAssignment(w, who, number);
  const petition = await loadPetition(w, number);
  if (petition.phoneDeclined) {
    throw new AppError('phone_declined', `${number}: resident declined phone contact`, `市民要求只在平台沟通，不接受电话联系。请在本单回复与市民沟通。/ The resident asked not to be called; please reply on this card.`);
  }
  const resident = petition.residentId ? await w.tx.resident.findUnique({ where: { id: petition.residentId }, select: { id: true, phoneEnc: true } }) : null;
  if (!resident?.phoneEnc) {
    throw new AppError('no_phone', `${number}: no phone on file`, `市民未留电话，请在本单回复与市民沟通。/ The resident left no phone; please reply on this card.`);
  }
  const limit = w.deps.policy.phoneRevealsPerDay;
  const used = await w.tx.petitionEvent.count({
    where: { action: 'note', reason: 'phone_revealed', actorId: staff.id, at: { gt: new Date(w.now.getTime() - 24 * 3_600_000) } },
  });
  if (used >= limit) {
    throw new AppError('reveal_limit', `staff ${staff.id} used ${used} phone reveals`, `您今天已查看 ${used} 次市民电话，已达上限（${limit} 次/天）。/ Daily limit of ${limit} phone reveals reached.`);
  }
  await applyTransition(w.tx, { petitionId: petition.id, action: 'note', actor: actorOf(staff), reason: 'phone_revealed', data: { staffId: staff.id, unitId: assignment.unitId }, at: w.now });
  await recordFirstContact(w, assignment, 'phone');
  return { petition, staff, assignment, residentId: resident.id };
}

/** `已联系 <number>`: the unit says it has contacted the resident (a call made from its own records…). */
export async function markContacted(w: Work, who: PersonRef, number: string): Promise<{ petition: Petition; first: boolean; assignment: Assignment }> {
  const staff = await requireStaff(w, who);
  const assignment = await requireAssignment(w, who, number);
  const petition = await loadPetition(w, number);
  const first = await recordFirstContact(w, assignment, 'marked');
  if (first) await applyTransition(w.tx, { petitionId: petition.id, action: 'note', actor: actorOf(staff), reason: 'contacted', data: { unitId: assignment.unitId, method: 'marked' }, at: w.now });
  return { petition, first, assignment: first ? { ...assignment, contactedAt: w.now, contactMethod: 'marked' } : assignment };
}

export interface Uncontacted {
  number: string;
  unitName: string;
  dueAt: Date;
}

/**
 * Open assignments no one has contacted the resident on while half their time or more is used (the
 * 50 % reminder's mark), nearest deadline first; within an area (street or district code) or all.
 */
export async function uncontactedNearDeadline(w: Work, areaCode: string | null, limit = 5): Promise<{ total: number; list: Uncontacted[] }> {
  const rows = await w.tx.$queryRaw<(Uncontacted & { total: number })[]>`
    SELECT p.number, u.name AS "unitName", a."dueAt", count(*) OVER ()::int AS total
      FROM "Assignment" a JOIN "Petition" p ON p.id = a."petitionId" JOIN "Unit" u ON u.id = a."unitId"
     WHERE a.status::text = ANY(${[...ACTIVE_ASSIGNMENT]}) AND a."contactedAt" IS NULL AND a."dueAt" IS NOT NULL
       AND a."dueAt" - (a."dueAt" - a."dispatchedAt") / 2 <= ${w.now}
       AND (${areaCode}::text IS NULL OR p."streetCode" = ${areaCode} OR p."districtCode" = ${areaCode})
     ORDER BY a."dueAt" LIMIT ${limit}`;
  return { total: rows[0]?.total ?? 0, list: rows.map(({ total: _t, ...r }) => r) };
}
