/**
 * 吹哨报到: a coordinator summons departments to a joint case, on a petition
 * or on a place with no petition (未诉先办). Each department gets a task with
 * a report-by time (报到, default 30 min) and a handling deadline; late
 * reporters are reminded, then escalated; the coordinator sees a live roll-call.
 */
import type { Prisma, Staff } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import { nextNumber } from '../petition/number.js';
import type { Work } from './context.js';
import { requireCoordinator, coversArea } from './coordinate.js';
import { loadPetition } from './dispatch.js';
import { actorOf, requireStaff, type PersonRef } from './staff.js';
import { cancelTimers, scheduleTimer } from './timers.js';
import { addLimit } from './deadlines.js';
import { matchUnitName, type UnitSummary } from '../org/units.js';
import { limitsFor } from './policy.js';

export interface WhistleRequest {
  petitionNumber?: string;
  /** a place with no petition: the area code and how the coordinator named it */
  areaCode?: string;
  place?: string;
  summary?: string;
  unitIds: string[];
  reportWithinMs?: number;
  handleWithinMs?: number;
  /** where the coordinator asked, for the live roll-call */
  chat: { platform: string; chatId: string };
}

export type WhistleWithTasks = Prisma.WhistleGetPayload<{ include: { tasks: { include: { unit: true } } } }>;

/**
 * Units a coordinator names (城管, 住建, 自来水集团…) near an area: its district's units, its
 * street offices, city enterprises (core/org/units.ts matchUnitName). A name that means no
 * single unit is `unknown`, with the closest units in `suggestions`.
 */
export async function unitsByShortNames(w: Work, areaCode: string, names: string[]): Promise<{ found: string[]; unknown: string[]; suggestions: Record<string, UnitSummary[]> }> {
  const found: string[] = [];
  const unknown: string[] = [];
  const suggestions: Record<string, UnitSummary[]> = {};
  for (const name of names) {
    const m = await matchUnitName(w.tx, areaCode, name);
    if (m.unit) found.push(m.unit.id);
    else {
      unknown.push(name);
      suggestions[name] = m.suggestions;
    }
  }
  return { found: [...new Set(found)], unknown, suggestions };
}

export async function openWhistle(w: Work, who: PersonRef, req: WhistleRequest): Promise<WhistleWithTasks> {
  if (!req.unitIds.length) throw new AppError('no_units', 'whistle without departments', '请写明要召集的部门，例如：吹哨 2611250001 城管 住建 30分钟 / Name the departments.');
  const petition = req.petitionNumber ? await loadPetition(w, req.petitionNumber) : null;
  const areaCode = petition?.streetCode ?? petition?.districtCode ?? req.areaCode;
  if (!areaCode) throw new AppError('no_place', 'whistle without a place', '请写明诉求编号或地点。/ Give a petition number or a place.');
  const staff = await requireCoordinator(w, who, { streetCode: areaCode, districtCode: areaCode.split('-')[0]!, number: req.petitionNumber ?? areaCode });
  const reportDueAt = new Date(w.now.getTime() + (req.reportWithinMs ?? w.deps.policy.whistleReportMs));
  const handleMs = req.handleWithinMs ?? limitsFor(w.deps.policy, petition?.urgency ?? 'ordinary', petition?.categoryCode ?? null).feedbackMs;
  const dueAt = addLimit(w.now, handleMs, w.deps.policy, w.deps.timeZone);
  const whistle = await w.tx.whistle.create({
    data: {
      number: await nextNumber(w.tx, w.now, w.deps.timeZone, 'W'),
      petitionId: petition?.id,
      areaCode,
      place: req.place ?? petition?.address ?? areaCode,
      summary: req.summary ?? petition?.summary ?? req.place ?? '',
      openedBy: staff.id,
      chatPlatform: req.chat.platform,
      chatId: req.chat.chatId,
      reportDueAt,
      dueAt,
      createdAt: w.now,
    },
  });
  for (const unitId of req.unitIds) {
    const task = await w.tx.whistleTask.create({ data: { whistleId: whistle.id, unitId, reportDueAt, dueAt } });
    await scheduleTimer(w.tx, 'whistle_remind', task.id, reportDueAt);
    await scheduleTimer(w.tx, 'whistle_escalate', task.id, new Date(reportDueAt.getTime() + (reportDueAt.getTime() - w.now.getTime())), { areaCode });
    await w.notify({ t: 'whistle_task', taskId: task.id }, `wtask:${task.id}`);
  }
  if (petition) {
    await applyTransition(w.tx, { petitionId: petition.id, action: 'note', actor: actorOf(staff), reason: `吹哨 ${whistle.number}`, data: { whistle: whistle.number, units: req.unitIds }, at: w.now });
  }
  await w.notify({ t: 'rollcall', whistleId: whistle.id }, `rollcall:${whistle.id}:open`);
  return w.tx.whistle.findUniqueOrThrow({ where: { id: whistle.id }, include: { tasks: { include: { unit: true } } } });
}

/** The acting staff member's unit's task in this whistle; refused when the unit was not summoned. */
export async function ownTask(w: Work, who: PersonRef, number: string) {
  const staff = await requireStaff(w, who);
  const whistle = await w.tx.whistle.findUnique({ where: { number }, include: { tasks: true } });
  if (!whistle) throw new AppError('not_found', `whistle ${number} not found`, `找不到吹哨 ${number}。/ No such whistle.`);
  const task = whistle.tasks.find((t) => t.unitId === staff.unitId);
  if (!task) throw new NotAuthorizedError(`staff ${staff.id} not summoned to ${number}`, '本单位未被召集到此次吹哨。/ Your unit was not summoned.');
  return { staff, whistle, task };
}

/** 报到: the department reports (on site / taking part). */
export async function report(w: Work, who: PersonRef, number: string) {
  const { staff, whistle, task } = await ownTask(w, who, number);
  if (task.reportedAt) return { whistle, task, unchanged: true };
  const updated = await w.tx.whistleTask.update({ where: { id: task.id }, data: { reportedAt: w.now, reportedBy: staff.id } });
  await auditOnPetition(w, whistle, staff, `报到 ${whistle.number}`, { unitId: task.unitId, late: w.now > task.reportDueAt });
  await cancelTimers(w.tx, task.id, w.now, ['whistle_remind', 'whistle_escalate']);
  await w.notify({ t: 'rollcall', whistleId: whistle.id }, `rollcall:${whistle.id}:rep:${task.id}`);
  return { whistle, task: updated, late: w.now > task.reportDueAt };
}

/** A department finishes its part; the joint case resolves when every part is done. */
export async function finishTask(w: Work, who: PersonRef, number: string, note: string) {
  const { staff, whistle, task } = await ownTask(w, who, number);
  if (task.resolvedAt) return { whistle, task, unchanged: true };
  const updated = await w.tx.whistleTask.update({
    where: { id: task.id },
    data: { resolvedAt: w.now, resolvedBy: staff.id, reportedAt: task.reportedAt ?? w.now, reportedBy: task.reportedBy ?? staff.id, note: note.trim().slice(0, 1000) || null },
  });
  await auditOnPetition(w, whistle, staff, `完成 ${whistle.number}`, { unitId: task.unitId, note: updated.note });
  await cancelTimers(w.tx, task.id, w.now);
  const left = await w.tx.whistleTask.count({ where: { whistleId: whistle.id, resolvedAt: null } });
  if (left === 0) await w.tx.whistle.update({ where: { id: whistle.id }, data: { status: 'resolved', resolvedAt: w.now } });
  await w.notify({ t: 'rollcall', whistleId: whistle.id }, `rollcall:${whistle.id}:done:${task.id}`);
  return { whistle, task: updated, allDone: left === 0 };
}

/** 报到 and 完成 on a whistle about a petition are in the petition's audit trail, with who did them. */
async function auditOnPetition(w: Work, whistle: { petitionId: string | null }, staff: Staff, reason: string, data: Record<string, unknown>) {
  if (!whistle.petitionId) return;
  await applyTransition(w.tx, { petitionId: whistle.petitionId, action: 'note', actor: actorOf(staff), reason, data, at: w.now });
}

/** Open whistles of a coordinator's area, with who reported. */
export async function rollcall(w: Work, who: PersonRef, number?: string): Promise<WhistleWithTasks[]> {
  const staff = await requireCoordinator(w, who);
  const whistles = await w.tx.whistle.findMany({
    where: number ? { number } : { status: 'open' },
    include: { tasks: { include: { unit: true } } },
    orderBy: { createdAt: 'desc' },
    take: 10,
  });
  return whistles.filter((x) => coversArea(staff, x.areaCode));
}
