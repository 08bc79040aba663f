/**
 * Department staff actions on an assignment: 签收 accept, progress, 办结
 * resolve (answer required), 退单 return (reason, reviewed by the area's coordinator). Only staff
 * registered to the assigned unit may act; co-handlers report to the lead.
 * 延期 is a request the coordinator decides: extensions.ts.
 */
import { Prisma, type Assignment, type Petition, type Staff } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT, loadPetition } from './dispatch.js';
import { cancelTimers, scheduleTimer, type TimerKind } from './timers.js';
import { flagPhoneCallback, residentReach, type Reach } from './reach.js';

/** 签收 timers: done with once the order is accepted (or worked on). */
const ACCEPT_TIMERS: TimerKind[] = ['accept_remind', 'accept_escalate'];

export interface PersonRef {
  platform: string;
  userId: string;
}

/**
 * Staff looked up in this transaction: the router asks who speaks, then the step asks again
 * (requireStaff). Staff rows are org data that no workflow step writes, so one read per
 * person and transaction is the same answer.
 */
const staffSeen = new WeakMap<object, Map<string, Promise<Staff | null>>>();

function staffMemo(w: Work) {
  let seen = staffSeen.get(w.tx);
  if (!seen) staffSeen.set(w.tx, (seen = new Map()));
  return seen;
}
const staffKey = (who: PersonRef) => `${who.platform}\u0000${who.userId}`;
const STAFF_COLUMNS = Prisma.sql`id, platform, "platformUserId", "displayName", role::text AS role, "unitId", "areaCode", places, language, "createdAt"`;

/** Runs for every inbound message: one plain statement on the (platform, platformUserId) key. */
export async function findStaff(w: Work, who: PersonRef): Promise<Staff | null> {
  const seen = staffMemo(w);
  const key = staffKey(who);
  let found = seen.get(key);
  if (!found) {
    found = w.tx.$queryRaw<Staff[]>`SELECT ${STAFF_COLUMNS} FROM "Staff" WHERE platform = ${who.platform} AND "platformUserId" = ${who.userId}`.then((rows) => rows[0] ?? null);
    seen.set(key, found);
    found.catch(() => seen.delete(key));
  }
  return found;
}

/** Looks up everyone of a batch of messages at once: their `findStaff` in this transaction costs nothing more. */
export async function prefetchStaff(w: Work, people: PersonRef[]): Promise<void> {
  const seen = staffMemo(w);
  const wanted = people.filter((p) => !seen.has(staffKey(p)));
  if (wanted.length < 2) return;
  const rows = await w.tx.$queryRaw<Staff[]>`
    SELECT ${STAFF_COLUMNS} FROM "Staff"
     WHERE (platform, "platformUserId") IN (SELECT * FROM unnest(${wanted.map((p) => p.platform)}::text[], ${wanted.map((p) => p.userId)}::text[]))`;
  const found = new Map(rows.map((r) => [staffKey({ platform: r.platform, userId: r.platformUserId }), r]));
  for (const p of wanted) seen.set(staffKey(p), Promise.resolve(found.get(staffKey(p)) ?? null));
}

export async function requireStaff(w: Work, who: PersonRef): Promise<Staff> {
  const s = await findStaff(w, who);
  if (!s) throw new NotAuthorizedError(`${who.platform} user is not registered staff`);
  return s;
}

/** The acting staff member's own assignment on this petition (admins act for the lead). */
export async function ownAssignment(w: Work, p: Petition, staff: Staff, states: readonly string[] = ACTIVE_ASSIGNMENT): Promise<Assignment> {
  const mine = await w.tx.assignment.findFirst({
    where: {
      petitionId: p.id,
      status: { in: states as Assignment['status'][] },
      ...(staff.role === 'admin' ? { role: 'lead' } : { unitId: staff.unitId ?? '__none__' }),
    },
    orderBy: { dispatchedAt: 'desc' },
  });
  if (mine) return mine;
  const anyOpen = await w.tx.assignment.findFirst({ where: { petitionId: p.id, unitId: staff.unitId ?? '__none__' } });
  if (anyOpen) throw new AppError('not_active', `assignment of ${p.number} is ${anyOpen.status}`, `诉求 ${p.number} 当前状态不能执行此操作。/ Not possible in the current state.`);
  throw new NotAuthorizedError(`staff ${staff.id} acted on ${p.number} without an assignment`);
}

/**
 * The right to act on this petition, checked before a button asks for text: registered staff
 * with an open assignment of their unit on it (admins: the lead's).
 */
export async function requireAssignment(w: Work, who: PersonRef, number: string): Promise<Assignment> {
  const staff = await requireStaff(w, who);
  return ownAssignment(w, await loadPetition(w, number), staff);
}

export interface StaffActionResult {
  petition: Petition;
  assignment: Assignment;
  /** true when nothing changed (a repeated press) */
  unchanged?: boolean;
  /** resolve: whether the answer can reach the resident (closed: a phone callback was flagged instead) */
  reach?: Reach;
}

export async function accept(w: Work, who: PersonRef, number: string): Promise<StaffActionResult> {
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff);
  if (a.status !== 'dispatched') return { petition: p, assignment: a, unchanged: true };
  const updated = await w.tx.assignment.update({ where: { id: a.id }, data: { status: 'accepted', acceptedAt: w.now } });
  await cancelTimers(w.tx, a.id, w.now, ACCEPT_TIMERS);
  if (a.role === 'lead') {
    await applyTransition(w.tx, { petitionId: p.id, action: 'accept', actor: actorOf(staff), at: w.now, data: { unitId: a.unitId } });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'accepted', data: { unitId: a.unitId } }, `res:${p.id}:acc:${a.id}`);
  } else {
    await coReport(w, p, a, staff, 'accept');
  }
  return { petition: p, assignment: updated };
}

export async function progress(w: Work, who: PersonRef, number: string, note: string): Promise<StaffActionResult> {
  const text = requireText(note, 'progress');
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff);
  const updated = await w.tx.assignment.update({ where: { id: a.id }, data: { status: 'in_progress', acceptedAt: a.acceptedAt ?? w.now } });
  if (!a.acceptedAt) await cancelTimers(w.tx, a.id, w.now, ACCEPT_TIMERS);
  if (a.role === 'lead') {
    if (p.status === 'dispatched' || p.status === 'reopened') {
      await applyTransition(w.tx, { petitionId: p.id, action: 'accept', actor: actorOf(staff), at: w.now });
    }
    await applyTransition(w.tx, { petitionId: p.id, action: 'progress', actor: actorOf(staff), reason: text, at: w.now });
    const n = await w.tx.petitionEvent.count({ where: { petitionId: p.id, action: 'progress' } });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'progress', data: { note: text } }, `res:${p.id}:prg:${n}`);
  } else {
    await coReport(w, p, a, staff, 'progress', text);
  }
  return { petition: p, assignment: updated };
}

export async function resolve(w: Work, who: PersonRef, number: string, answer: string): Promise<StaffActionResult> {
  const text = requireText(answer, 'answer');
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff);
  const updated = await w.tx.assignment.update({ where: { id: a.id }, data: { status: 'resolved', resolvedAt: w.now, answer: text, acceptedAt: a.acceptedAt ?? w.now } });
  await cancelTimers(w.tx, a.id, w.now);
  if (a.role !== 'lead') {
    await coReport(w, p, a, staff, 'resolve', text);
    return { petition: p, assignment: updated };
  }
  if (p.status === 'dispatched' || p.status === 'reopened') {
    await applyTransition(w.tx, { petitionId: p.id, action: 'accept', actor: actorOf(staff), at: w.now });
  }
  await applyTransition(w.tx, { petitionId: p.id, action: 'resolve', actor: actorOf(staff), reason: text, set: { resolvedAt: w.now }, at: w.now });
  const reach = await askForRating(w, p, text);
  return { petition: p, assignment: updated, reach };
}

/**
 * After the petition is resolved (办结, or a joint case finished): a rating round with its reminder
 * and expiry, and the answer with the rating request to the resident. `parts`: the answers of each
 * unit of a joint case, for the resident's note to show them one by one.
 */
export async function askForRating(w: Work, p: Petition, answer: string, parts?: { unitId: string; role: string; note: string | null }[]): Promise<Reach> {
  const round = (await w.tx.rating.count({ where: { petitionId: p.id } })) + 1;
  const rating = await w.tx.rating.create({ data: { petitionId: p.id, round, askedAt: w.now } });
  await scheduleTimer(w.tx, 'rating_reminder', rating.id, new Date(w.now.getTime() + w.deps.policy.ratingReminderAfterMs), { petitionId: p.id });
  await scheduleTimer(w.tx, 'rating_expire', `${p.id}:${round}`, new Date(w.now.getTime() + w.deps.policy.ratingWindowMs), { petitionId: p.id, round });
  // The answer and the rating request travel together (one message where budgets are tight).
  // Decided now, with the window as it stands, so staff are told what will happen: an answer that cannot
  // reach the resident becomes a phone callback at once (the send stage would find the same).
  const reach = await residentReach(w, p);
  await w.notify({ t: 'resident', petitionId: p.id, note: 'resolved', data: { answer, round, ...(parts ? { parts } : {}) } }, `res:${p.id}:resolved:${round}`);
  if (reach === 'closed') await flagPhoneCallback(w, p);
  return reach;
}

export async function returnOrder(w: Work, who: PersonRef, number: string, reason: string): Promise<StaffActionResult> {
  const text = requireText(reason, 'reason');
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff, ['dispatched', 'accepted']);
  const updated = await w.tx.assignment.update({ where: { id: a.id }, data: { status: 'returned', returnReason: text } });
  await cancelTimers(w.tx, a.id, w.now);
  if (a.role === 'lead') {
    await applyTransition(w.tx, { petitionId: p.id, action: 'return', actor: actorOf(staff), reason: text, data: { unitId: a.unitId }, at: w.now });
    const area = p.streetCode ?? p.districtCode;
    if (area) await w.notify({ t: 'area', areaCode: area, note: 'review_return', petitionId: p.id, data: { unitId: a.unitId, reason: text } }, `review:${a.id}`);
  } else {
    await coReport(w, p, a, staff, 'return', text);
  }
  return { petition: p, assignment: updated };
}

/** 主办/协办: a co-handler's step is recorded on the petition and reported to the lead unit. */
export async function coReport(w: Work, p: Petition, a: Assignment, staff: Staff, step: string, text?: string) {
  await applyTransition(w.tx, { petitionId: p.id, action: 'note', actor: actorOf(staff), reason: text, data: { co: a.unitId, step }, at: w.now });
  const lead = await w.tx.assignment.findFirst({ where: { petitionId: p.id, role: 'lead' }, orderBy: { dispatchedAt: 'desc' } });
  if (lead) {
    await w.notify(
      { t: 'unit', unitId: lead.unitId, note: 'co_report', petitionId: p.id, data: { from: a.unitId, step, text: text ?? null } },
      `co:${a.id}:${step}:${w.now.getTime()}`,
    );
  }
}

export function actorOf(staff: Staff) {
  return { kind: staff.role === 'coordinator' ? ('coordinator' as const) : staff.role === 'admin' ? ('admin' as const) : ('staff' as const), id: staff.id };
}

export function requireText(v: string, what: string): string {
  const t = (v ?? '').trim();
  if (t.length < 2) {
    const zh = what === 'answer' ? '办结需要填写答复内容' : what === 'reason' ? '需要填写理由' : what === 'question' ? '需要填写要询问市民的问题' : '需要填写进展内容';
    throw new AppError('text_required', `${what} required`, `${zh}。/ Please write the ${what}.`);
  }
  return t.slice(0, 2000);
}
