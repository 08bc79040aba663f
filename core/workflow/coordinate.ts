/**
 * Coordinators of a street or district: review returns (退单审核) and reopen
 * requests, reassign (/dispatch), merge duplicates. A coordinator acts on
 * petitions in their own area (street, or any street of their district).
 */
import type { Petition, Staff } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { cancelOpenAssignments, dispatchPetition, loadPetition, openAssignment } from './dispatch.js';
import { actorOf, requireStaff, type PersonRef } from './staff.js';
import { addLimit } from './deadlines.js';
import { limitsFor } from './policy.js';

export function coversArea(staff: Staff, areaCode: string | null | undefined): boolean {
  if (staff.role === 'admin') return true;
  if (staff.role !== 'coordinator' || !staff.areaCode || !areaCode) return false;
  return areaCode === staff.areaCode || areaCode.startsWith(`${staff.areaCode}-`);
}

export async function requireCoordinator(w: Work, who: PersonRef, p?: Pick<Petition, 'streetCode' | 'districtCode' | 'number'>): Promise<Staff> {
  const staff = await requireStaff(w, who);
  if (staff.role !== 'coordinator' && staff.role !== 'admin') throw new NotAuthorizedError('not a coordinator', '只有协调人可以执行此操作。/ Coordinators only.');
  if (p && !coversArea(staff, p.streetCode ?? p.districtCode)) {
    throw new NotAuthorizedError(`coordinator ${staff.id} outside area of ${p.number}`, '该诉求不在您的辖区。/ Not in your area.');
  }
  return staff;
}

/** Accept a unit's return and send the order elsewhere (a named unit, or the rules excluding the returning unit). */
export async function approveReturn(w: Work, who: PersonRef, number: string, unitId?: string) {
  const p = await loadPetition(w, number);
  const staff = await requireCoordinator(w, who, p);
  if (p.status !== 'returned') throw new AppError('not_returned', `${number} is ${p.status}`, `诉求 ${number} 没有待审核的退单。/ No return to review.`);
  const returned = await w.tx.assignment.findMany({ where: { petitionId: p.id, status: 'returned' }, select: { unitId: true } });
  const lead = await dispatchPetition(w, p, { actor: actorOf(staff), action: 'approve_return', unitId, exclude: returned.map((r) => r.unitId), reason: unitId ? `→ ${unitId}` : 'rerouted' });
  return { petition: p, unitId: lead.unitId };
}

/** Refuse the return: the same unit keeps the order (first receiver leads). */
export async function refuseReturn(w: Work, who: PersonRef, number: string, reason: string) {
  const p = await loadPetition(w, number);
  const staff = await requireCoordinator(w, who, p);
  if (p.status !== 'returned') throw new AppError('not_returned', `${number} is ${p.status}`, `诉求 ${number} 没有待审核的退单。/ No return to review.`);
  const last = await w.tx.assignment.findFirst({ where: { petitionId: p.id, status: 'returned', role: 'lead' }, orderBy: { dispatchedAt: 'desc' } });
  if (!last) throw new AppError('not_returned', `no returned lead assignment on ${number}`);
  await applyTransition(w.tx, { petitionId: p.id, action: 'refuse_return', actor: actorOf(staff), reason: reason || null, data: { unitId: last.unitId }, at: w.now });
  const dueAt = p.feedbackDueAt && p.feedbackDueAt > w.now ? p.feedbackDueAt : addLimit(w.now, limitsFor(w.deps.policy, p.urgency, p.categoryCode).feedbackMs, w.deps.policy, w.deps.timeZone);
  await w.tx.assignment.update({ where: { id: last.id }, data: { status: 'cancelled' } });
  const a = await openAssignment(w, p, last.unitId, 'lead', dueAt, w.now);
  await w.notify({ t: 'unit', unitId: last.unitId, note: 'return_refused', petitionId: p.id, data: { reason } }, `refused:${a.id}`);
  return { petition: p, unitId: last.unitId };
}

/** /dispatch: move an order to a named unit, whatever state it is in (not final). */
export async function reassign(w: Work, who: PersonRef, number: string, unitId: string) {
  const p = await loadPetition(w, number);
  const staff = await requireCoordinator(w, who, p);
  if (p.status === 'received' || p.status === 'needs_info') {
    await dispatchPetition(w, p, { actor: actorOf(staff), unitId, reason: 'coordinator' });
    return { petition: p, unitId };
  }
  if (p.status === 'returned') return approveReturn(w, who, number, unitId);
  const cancelled = await cancelOpenAssignments(w, p.id);
  for (const a of cancelled) {
    if (a.unitId !== unitId) await w.notify({ t: 'unit', unitId: a.unitId, note: 'reassigned_away', petitionId: p.id }, `away:${a.id}`);
  }
  await dispatchPetition(w, p, { actor: actorOf(staff), unitId, action: 'reassign', reason: `→ ${unitId}` });
  return { petition: p, unitId };
}

export async function approveReopen(w: Work, who: PersonRef, number: string) {
  const p = await loadPetition(w, number);
  const staff = await requireCoordinator(w, who, p);
  const last = await w.tx.assignment.findFirst({ where: { petitionId: p.id, role: 'lead' }, orderBy: { dispatchedAt: 'desc' } });
  if (!last) throw new AppError('no_assignment', `${number} was never dispatched`);
  await applyTransition(w.tx, {
    petitionId: p.id,
    action: 'approve_reopen',
    actor: actorOf(staff),
    data: { unitId: last.unitId },
    set: { reopenCount: { increment: 1 }, resolvedAt: null },
    at: w.now,
  });
  const dueAt = addLimit(w.now, limitsFor(w.deps.policy, p.urgency, p.categoryCode).feedbackMs, w.deps.policy, w.deps.timeZone);
  await w.tx.petition.update({ where: { id: p.id }, data: { feedbackDueAt: dueAt } });
  const a = await openAssignment(w, p, last.unitId, 'lead', dueAt, w.now);
  await w.notify({ t: 'resident', petitionId: p.id, note: 'reopened' }, `res:${p.id}:reopened:${a.id}`);
  return { petition: p, unitId: last.unitId };
}

export async function declineReopen(w: Work, who: PersonRef, number: string, reason: string) {
  const p = await loadPetition(w, number);
  const staff = await requireCoordinator(w, who, p);
  const why = reason.trim();
  if (why.length < 2) throw new AppError('text_required', 'reason required', '需要填写不予重办的理由。/ Please give a reason.');
  await applyTransition(w.tx, { petitionId: p.id, action: 'decline_reopen', actor: actorOf(staff), reason: why, set: { closedAt: w.now }, at: w.now });
  await w.notify({ t: 'resident', petitionId: p.id, note: 'closed', data: { reason: why } }, `res:${p.id}:closed`);
  return { petition: p };
}

/** Merge a duplicate into another petition of the same area. */
export async function merge(w: Work, who: PersonRef, number: string, intoNumber: string) {
  const p = await loadPetition(w, number);
  const into = await loadPetition(w, intoNumber);
  const staff = await requireCoordinator(w, who, p);
  if (p.id === into.id) throw new AppError('bad_merge', 'merge into itself', '不能合并到自身。/ Cannot merge into itself.');
  await cancelOpenAssignments(w, p.id);
  await applyTransition(w.tx, { petitionId: p.id, action: 'merge', actor: actorOf(staff), data: { into: into.number }, set: { mergedIntoId: into.id, closedAt: w.now }, at: w.now });
  await applyTransition(w.tx, { petitionId: into.id, action: 'note', actor: actorOf(staff), reason: `merged ${p.number}`, at: w.now });
  await w.notify({ t: 'resident', petitionId: p.id, note: 'merged', data: { into: into.number } }, `res:${p.id}:merged`);
  return { petition: p, into };
}

/** Overdue work in the coordinator's area (督办 list). */
export async function overdue(w: Work, who: PersonRef) {
  const staff = await requireCoordinator(w, who);
  const area = staff.role === 'admin' ? undefined : staff.areaCode ?? '__none__';
  return w.tx.assignment.findMany({
    where: {
      status: { in: ['dispatched', 'accepted', 'in_progress'] },
      dueAt: { lt: w.now },
      petition: area ? { OR: [{ streetCode: area }, { districtCode: area }] } : {},
    },
    include: { petition: { select: { number: true, summary: true, streetCode: true } }, unit: { select: { name: true } } },
    orderBy: { dueAt: 'asc' },
    take: 30,
  });
}

/** Returns and reopen requests waiting for this coordinator. */
export async function pendingReviews(w: Work, who: PersonRef) {
  const staff = await requireCoordinator(w, who);
  const area = staff.role === 'admin' ? undefined : staff.areaCode ?? '__none__';
  return w.tx.petition.findMany({
    where: { status: { in: ['returned', 'reopen_requested'] }, ...(area ? { OR: [{ streetCode: area }, { districtCode: area }] } : {}) },
    select: { id: true, number: true, status: true, summary: true },
    orderBy: { updatedAt: 'asc' },
    take: 20,
  });
}
