/**
 * The feedback clock pauses while the unit waits on the resident. A unit asks (询问): the
 * question goes to the resident signed by the unit, the order's deadline timers are held, and the
 * resident's next message is the answer. When it comes, or after policy.residentWaitMs without
 * one (the coordinator is then told), the clock runs again: the deadline and every held timer
 * move by the time waited.
 *
 * The rule: held timers are the order's deadline timers cancelled at the instant the wait began
 * (`cancelledAt = waitingSince`); resuming re-arms exactly those, shifted. One wait at a time per
 * order. The conversation feature builds on `askResident` / `residentAnswered` / `resumeClock`.
 */
import type { Assignment, Resident } from '../../prisma/generated/client.js';
import { AppError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT, loadPetition } from './dispatch.js';
import { setAwaiting, type Awaiting, type IntakeOutcome, type ResidentMessage } from './intake.js';
import { actorOf, ownAssignment, requireStaff, requireText, type PersonRef } from './staff.js';
import { cancelTimers, DEADLINE_TIMERS, scheduleTimer } from './timers.js';

/** What the resident's next message answers (Resident.awaiting). */
export type AwaitingReply = Extract<Awaiting, { kind: 'reply' }>;

/** 询问: the unit asks the resident; the clock stops until the answer (or the limit). */
export async function askResident(w: Work, who: PersonRef, number: string, question: string) {
  const text = requireText(question, 'question');
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff);
  if (a.waitingSince) {
    throw new AppError('already_waiting', `${number} already waits on the resident`, `诉求 ${number} 已在等待市民答复，收到答复后再问。/ Already waiting for the resident's answer.`);
  }
  if (!p.residentId) throw new AppError('no_resident', `${number} has no resident chat`, `诉求 ${number} 没有可联系的市民会话，请电话联系。/ No chat with the resident; please call.`);
  await w.tx.assignment.update({ where: { id: a.id }, data: { waitingSince: w.now } });
  await cancelTimers(w.tx, a.id, w.now, DEADLINE_TIMERS);
  await scheduleTimer(w.tx, 'wait_expire', a.id, new Date(w.now.getTime() + w.deps.policy.residentWaitMs), { since: w.now.getTime() });
  await applyTransition(w.tx, { petitionId: p.id, action: 'note', actor: actorOf(staff), reason: text, data: { ask: true, unitId: a.unitId }, at: w.now });
  await setAwaiting(w, p.residentId, { kind: 'reply', petitionId: p.id, assignmentId: a.id });
  // Signed by the unit, never by the staff member.
  await w.notify({ t: 'resident', petitionId: p.id, note: 'unit_question', data: { unitId: a.unitId, question: text } }, `res:${p.id}:ask:${a.id}:${w.now.getTime()}`);
  return { petition: p, assignment: a };
}

/**
 * The clock runs again: the deadline and the held timers move by the time waited, the petition's
 * deadline with the lead's. Returns the milliseconds waited (0 when the order was not waiting).
 */
export async function resumeClock(w: Work, a: Assignment, why: 'answered' | 'expired', endedAt = w.now): Promise<number> {
  if (!a.waitingSince) return 0;
  const since = a.waitingSince;
  const waited = Math.max(0, endedAt.getTime() - since.getTime());
  const dueAt = a.dueAt ? new Date(a.dueAt.getTime() + waited) : null;
  await w.tx.assignment.update({ where: { id: a.id }, data: { waitingSince: null, dueAt } });
  await w.tx.$executeRaw`
    UPDATE "Timer" SET "cancelledAt" = NULL, "dueAt" = "dueAt" + make_interval(secs => ${waited / 1000}::float8)
     WHERE "subjectId" = ${a.id} AND kind = ANY(${DEADLINE_TIMERS}::text[]) AND "firedAt" IS NULL AND "cancelledAt" = ${since}`;
  await cancelTimers(w.tx, a.id, w.now, ['wait_expire']);
  await applyTransition(w.tx, {
    petitionId: a.petitionId,
    action: 'note',
    actor: { kind: 'system' },
    reason: why === 'answered' ? 'resident_answered' : 'resident_wait_expired',
    data: { unitId: a.unitId, waitedMs: waited, dueAt: dueAt?.toISOString() ?? null },
    ...(a.role === 'lead' && dueAt ? { set: { feedbackDueAt: dueAt } } : {}),
    at: w.now,
  });
  return waited;
}

/**
 * The resident's next message after a unit's question: it is the answer, relayed to the unit, and
 * the clock runs again. Null when the question is no longer open (the message is then intake's).
 */
export async function residentAnswered(w: Work, resident: Resident, awaiting: AwaitingReply, msg: ResidentMessage): Promise<IntakeOutcome | null> {
  await setAwaiting(w, resident.id, null);
  const a = await w.tx.assignment.findUnique({ where: { id: awaiting.assignmentId }, include: { petition: true } });
  if (!a?.waitingSince || !(ACTIVE_ASSIGNMENT as readonly string[]).includes(a.status) || a.petition.residentId !== resident.id) return null;
  const text = msg.text.trim();
  if (!text && !msg.photoFileId) return null;
  const masked = text ? (await w.deps.understand(text, {})).maskedText : '';
  await applyTransition(w.tx, {
    petitionId: a.petitionId,
    action: 'add_info',
    actor: { kind: 'resident', id: resident.id },
    data: { maskedText: masked, answer: true, ...(msg.photoFileId ? { photo: msg.photoFileId } : {}) },
    at: w.now,
  });
  if (msg.photoFileId) {
    const attachments = [...((a.petition.attachments as object[]) ?? []), { kind: 'photo', fileId: msg.photoFileId }];
    await w.tx.petition.update({ where: { id: a.petitionId }, data: { attachments } });
  }
  await resumeClock(w, a, 'answered');
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'resident_answer', petitionId: a.petitionId, data: { text: masked, photo: !!msg.photoFileId } }, `answer:${a.id}:${msg.inboundId}`);
  await w.notify({ t: 'resident', petitionId: a.petitionId, note: 'answer_relayed', data: { unitId: a.unitId } }, `res:${a.petitionId}:relayed:${msg.inboundId}`);
  return { kind: 'repeat', petitionId: a.petitionId, number: a.petition.number };
}

/** No answer within the limit: the clock runs again by itself; the unit and the coordinator are told. */
export async function waitExpired(w: Work, assignmentId: string, since: number) {
  const a = await w.tx.assignment.findUnique({ where: { id: assignmentId }, include: { petition: { include: { resident: true } } } });
  if (!a?.waitingSince || a.waitingSince.getTime() !== since) return;
  // the wait ended at the limit, however late the timer ran
  const waited = await resumeClock(w, a, 'expired', new Date(Math.min(w.now.getTime(), since + w.deps.policy.residentWaitMs)));
  const resident = a.petition.resident;
  const still = resident?.awaiting as Awaiting | null;
  if (resident && still?.kind === 'reply' && still.assignmentId === a.id) await setAwaiting(w, resident.id, null);
  const data = { unitId: a.unitId, waitedMs: waited, dueAt: a.dueAt ? new Date(a.dueAt.getTime() + waited).toISOString() : null };
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'wait_expired', petitionId: a.petitionId, data }, `waitexp:unit:${a.id}:${since}`);
  const area = a.petition.streetCode ?? a.petition.districtCode;
  if (area) await w.notify({ t: 'area', areaCode: area, note: 'wait_expired', petitionId: a.petitionId, data }, `waitexp:area:${a.id}:${since}`);
}
