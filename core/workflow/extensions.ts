/**
 * 延期 is a request, not a self-service: the unit asks with the days it needs and why; the
 * coordinator of the petition's area approves or refuses. Limits per urgency class
 * (policy.extensionLimits) bound how often and how far an order may be extended. An approved
 * extension moves the order's deadline and every timer that hangs on it (reminders, 督办, the
 * district escalation) by the same time; the resident is told of the lead's new deadline.
 */
import type { Assignment, ExtensionRequest, Petition } from '../../prisma/generated/client.js';
import { AppError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { requireCoordinator } from './coordinate.js';
import { addLimit } from './deadlines.js';
import { ACTIVE_ASSIGNMENT, loadPetition } from './dispatch.js';
import { DAY_MS, type Policy } from './policy.js';
import { actorOf, coReport, ownAssignment, requireStaff, requireText, type PersonRef } from './staff.js';
import { shiftTimers } from './timers.js';

const URGENCY_ZH: Record<Petition['urgency'], string> = { emergency: '紧急', utilities: '水电气热', ordinary: '一般', complex: '疑难复杂' };

/** Refuses (with the reason) an extension the limits do not allow. */
function checkLimits(policy: Policy, p: Petition, a: Assignment, days: number) {
  const limit = policy.extensionLimits[p.urgency];
  if (a.extensions >= limit.count) {
    throw new AppError('extension_limit', `${p.number}: ${a.extensions} extensions already`, `${URGENCY_ZH[p.urgency]}诉求最多延期 ${limit.count} 次，本单已用完。/ ${p.urgency} orders may be extended ${limit.count} time(s); none left.`);
  }
  if (a.extendedDays + days > limit.totalDays) {
    throw new AppError('extension_limit', `${p.number}: ${a.extendedDays}+${days} days`, `${URGENCY_ZH[p.urgency]}诉求最多延期 ${limit.totalDays} 天（已延期 ${a.extendedDays} 天）。/ ${p.urgency} orders may be extended by ${limit.totalDays} day(s) in all (${a.extendedDays} used).`);
  }
}

/** The unit asks for `days` more, with a reason; the area's coordinator is asked to decide. */
export async function requestExtension(w: Work, who: PersonRef, number: string, days: number, reason: string): Promise<{ petition: Petition; request: ExtensionRequest }> {
  const text = requireText(reason, 'reason');
  if (!Number.isInteger(days) || days < 1 || days > 30) {
    throw new AppError('bad_extension', `extension of ${days} days`, '延期天数需在 1–30 天之间。/ Extension must be 1–30 days.');
  }
  const staff = await requireStaff(w, who);
  const p = await loadPetition(w, number);
  const a = await ownAssignment(w, p, staff);
  if (await w.tx.extensionRequest.findFirst({ where: { assignmentId: a.id, status: 'pending' } })) {
    throw new AppError('extension_pending', `${number} has a pending extension`, `诉求 ${number} 已有待审批的延期申请。/ An extension request for ${number} is already waiting.`);
  }
  checkLimits(w.deps.policy, p, a, days);
  const request = await w.tx.extensionRequest.create({ data: { assignmentId: a.id, days, reason: text, requestedBy: staff.id, createdAt: w.now } });
  await applyTransition(w.tx, { petitionId: p.id, action: 'note', actor: actorOf(staff), reason: text, data: { extensionRequest: request.id, days, unitId: a.unitId }, at: w.now });
  const area = p.streetCode ?? p.districtCode;
  if (area) {
    await w.notify(
      { t: 'area', areaCode: area, note: 'extension_request', petitionId: p.id, data: { requestId: request.id, unitId: a.unitId, days, reason: text, dueAt: a.dueAt?.toISOString() ?? null, used: a.extensions } },
      `extreq:${request.id}`,
    );
  }
  return { petition: p, request };
}

/** The pending request and its order, for the coordinator of the petition's area only. */
export async function requireExtensionReviewer(w: Work, who: PersonRef, requestId: string) {
  const request = await w.tx.extensionRequest.findUnique({ where: { id: requestId }, include: { assignment: { include: { petition: true } } } });
  if (!request) throw new AppError('not_found', `extension request ${requestId} not found`, '找不到这条延期申请。/ No such extension request.');
  const staff = await requireCoordinator(w, who, request.assignment.petition);
  if (request.status !== 'pending') {
    throw new AppError('already_decided', `extension ${requestId} is ${request.status}`, `这条延期申请已${request.status === 'approved' ? '同意' : '驳回'}。/ Already decided.`);
  }
  return { staff, request, assignment: request.assignment, petition: request.assignment.petition };
}

export interface ExtensionDecision {
  petition: Petition;
  request: ExtensionRequest;
  dueAt?: Date | null;
}

/** Approved: the deadline moves by the days asked (working days when the policy counts them), and every timer with it. */
export async function approveExtension(w: Work, who: PersonRef, requestId: string): Promise<ExtensionDecision> {
  const { staff, request, assignment: a, petition: p } = await requireExtensionReviewer(w, who, requestId);
  if (!(ACTIVE_ASSIGNMENT as readonly string[]).includes(a.status)) {
    throw new AppError('not_active', `assignment of ${p.number} is ${a.status}`, `诉求 ${p.number} 已不在办理中，无需延期。/ ${p.number} is no longer being handled.`);
  }
  checkLimits(w.deps.policy, p, a, request.days);
  const from = a.dueAt ?? w.now;
  const dueAt = addLimit(from, request.days * DAY_MS, w.deps.policy, w.deps.timeZone);
  const decided = await w.tx.extensionRequest.update({ where: { id: request.id }, data: { status: 'approved', decidedBy: staff.id, decidedAt: w.now } });
  await w.tx.assignment.update({ where: { id: a.id }, data: { dueAt, extensions: { increment: 1 }, extendedDays: { increment: request.days } } });
  await shiftTimers(w.tx, a.id, dueAt.getTime() - from.getTime(), w.now, undefined, a.waitingSince);
  const data = { days: request.days, dueAt: dueAt.toISOString(), unitId: a.unitId, approvedBy: staff.id };
  if (a.role === 'lead') {
    await applyTransition(w.tx, { petitionId: p.id, action: 'extend', actor: actorOf(staff), reason: request.reason, data, set: { feedbackDueAt: dueAt }, at: w.now });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'extended', data: { reason: request.reason, dueAt: dueAt.toISOString() } }, `res:${p.id}:ext:${request.id}`);
  } else {
    await coReport(w, p, a, staff, 'extend', request.reason);
  }
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'extension_decided', petitionId: p.id, data: { approved: true, days: request.days, dueAt: dueAt.toISOString() } }, `extdec:${request.id}`);
  return { petition: p, request: decided, dueAt };
}

/** Refused, with the coordinator's reason: the deadline stands and the unit is told why. */
export async function refuseExtension(w: Work, who: PersonRef, requestId: string, reason: string): Promise<ExtensionDecision> {
  const why = requireText(reason, 'reason');
  const { staff, request, assignment: a, petition: p } = await requireExtensionReviewer(w, who, requestId);
  const decided = await w.tx.extensionRequest.update({ where: { id: request.id }, data: { status: 'refused', decidedBy: staff.id, decidedAt: w.now, refusal: why } });
  await applyTransition(w.tx, { petitionId: p.id, action: 'note', actor: actorOf(staff), reason: why, data: { extensionRefused: request.id, unitId: a.unitId }, at: w.now });
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'extension_decided', petitionId: p.id, data: { approved: false, days: request.days, reason: why, dueAt: a.dueAt?.toISOString() ?? null } }, `extdec:${request.id}`);
  return { petition: p, request: decided, dueAt: a.dueAt };
}
