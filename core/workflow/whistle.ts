/**
 * 吹哨报到: a coordinator summons departments to a joint case, on a petition
 * or on a place with no petition (未诉先办). One unit leads (主办: the first
 * named, unless the coordinator names another), the others co-handle (协办).
 * Each gets a task with a report-by time (报到, default 30 min) and a handling
 * deadline. A unit that has not reported is reminded halfway through the report
 * window and escalated to the district at the report deadline; every task's
 * handling deadline has the reminders and 督办 of an order. When every unit has
 * finished its part (完成), a whistle on a petition resolves it with the
 * combined answer and the resident is asked to rate, as after 办结.
 */
import type { Prisma, Staff } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import { nextNumber } from '../petition/number.js';
import type { Work } from './context.js';
import { requireCoordinator, coversArea } from './coordinate.js';
import { loadPetition } from './dispatch.js';
import { actorOf, askForRating, requireStaff, type PersonRef } from './staff.js';
import { cancelTimers, createTimers, type TimerKind } from './timers.js';
import { addLimit, fractionTimes } from './deadlines.js';
import { ACTIVE_ASSIGNMENT } from './dispatch.js';
import type { Policy } from './policy.js';
import { matchUnitName, type UnitSummary } from '../org/units.js';
import { limitsFor } from './policy.js';

export interface WhistleRequest {
  petitionNumber?: string;
  /** a place with no petition: the area code and how the coordinator named it */
  areaCode?: string;
  place?: string;
  summary?: string;
  /** in the order named; the first leads unless `leadUnitId` says otherwise */
  unitIds: string[];
  /** 主办 named by the coordinator (`主办:住建`) */
  leadUnitId?: string;
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
  if (petition && (WHISTLE_REFUSED as readonly string[]).includes(petition.status)) {
    throw new AppError('whistle_refused', `whistle on ${petition.number} (${petition.status})`, REFUSAL[petition.status as (typeof WHISTLE_REFUSED)[number]].replaceAll('%s', petition.number));
  }
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
  const lead = req.leadUnitId && req.unitIds.includes(req.leadUnitId) ? req.leadUnitId : req.unitIds[0]!;
  for (const unitId of req.unitIds) {
    const task = await w.tx.whistleTask.create({ data: { whistleId: whistle.id, unitId, role: unitId === lead ? 'lead' : 'co', reportDueAt, dueAt } });
    await createTimers(w.tx, task.id, taskTimers(w.deps.policy, w.now, reportDueAt, dueAt));
    await w.notify({ t: 'whistle_task', taskId: task.id }, `wtask:${task.id}`);
  }
  if (petition) {
    await applyTransition(w.tx, { petitionId: petition.id, action: 'note', actor: actorOf(staff), reason: `吹哨 ${whistle.number}`, data: { whistle: whistle.number, units: req.unitIds, lead }, at: w.now });
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
  let petitionResolved = false;
  if (left === 0) {
    await w.tx.whistle.update({ where: { id: whistle.id }, data: { status: 'resolved', resolvedAt: w.now } });
    petitionResolved = await closeJointCase(w, whistle, staff);
  }
  await w.notify({ t: 'rollcall', whistleId: whistle.id }, `rollcall:${whistle.id}:done:${task.id}`);
  return { whistle, task: updated, allDone: left === 0, petitionResolved, role: task.role };
}

/**
 * Every unit of a whistle on a petition has done its part: the petition is resolved with the
 * combined answer (the lead's first), the orders still open on it are finished with it, and the
 * resident is asked to rate as after any 办结. A petition that left the open states meanwhile
 * (withdrawn, merged) is left as it is. Returns whether the petition was resolved.
 */
async function closeJointCase(w: Work, whistle: { id: string; number: string; petitionId: string | null }, staff: Staff): Promise<boolean> {
  if (!whistle.petitionId) return false;
  const p = await w.tx.petition.findUniqueOrThrow({ where: { id: whistle.petitionId } });
  if (!(TRANSITIONS_FROM_JOINT as readonly string[]).includes(p.status)) return false;
  const tasks = await w.tx.whistleTask.findMany({ where: { whistleId: whistle.id }, include: { unit: { select: { name: true } } } });
  tasks.sort((a, b) => (a.role === b.role ? 0 : a.role === 'lead' ? -1 : 1));
  const parts = tasks.map((t) => ({ unitId: t.unitId, role: t.role, note: t.note }));
  const answer = tasks.map((t) => `${t.unit.name}：${t.note ?? '-'}`).join('\n').slice(0, 2000);
  for (const a of await w.tx.assignment.findMany({ where: { petitionId: p.id, status: { in: [...ACTIVE_ASSIGNMENT] } } })) {
    await w.tx.assignment.update({ where: { id: a.id }, data: { status: 'resolved', resolvedAt: w.now, answer, acceptedAt: a.acceptedAt ?? w.now, waitingSince: null } });
    await cancelTimers(w.tx, a.id, w.now);
  }
  await applyTransition(w.tx, { petitionId: p.id, action: 'resolve_joint', actor: actorOf(staff), reason: answer, data: { whistle: whistle.number, parts }, set: { resolvedAt: w.now }, at: w.now });
  await askForRating(w, p, answer, parts);
  return true;
}

/** Where a finished joint case can still resolve its petition. */
const TRANSITIONS_FROM_JOINT = ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'returned', 'reopened'] as const;

/** A whistle is refused on a petition that is answered or over, with the reason. */
const WHISTLE_REFUSED = ['resolved', 'rated', 'closed', 'withdrawn', 'merged', 'redirected', 'reopen_requested'] as const;
const REFUSAL: Record<(typeof WHISTLE_REFUSED)[number], string> = {
  resolved: '诉求 %s 已办结，正在等待市民评价，不能再吹哨。/ %s is answered and waiting for the rating.',
  rated: '诉求 %s 已评价，不能再吹哨。/ %s is already rated.',
  closed: '诉求 %s 已结案，不能再吹哨；如问题仍在，请新建诉求或吹哨地点。/ %s is closed; whistle on the place instead.',
  withdrawn: '诉求 %s 已由市民撤回，不能吹哨。/ %s was withdrawn by the resident.',
  merged: '诉求 %s 已合并到其他诉求，请对合并后的诉求吹哨。/ %s was merged; whistle on the one it was merged into.',
  redirected: '诉求 %s 已转其他渠道，不能吹哨。/ %s was redirected to another channel.',
  reopen_requested: '诉求 %s 正在重办审核中，请先审核。/ %s is waiting for the reopen review.',
};

/**
 * A task's timers: the report reminder halfway through the report window and the district
 * escalation at the report deadline; reminders at 50 % / 80 % of the handling time, 督办 at the
 * deadline and to the district at 3×, as for an order.
 */
function taskTimers(policy: Policy, now: Date, reportDueAt: Date, dueAt: Date): { kind: TimerKind; dueAt: Date; data?: Record<string, unknown> }[] {
  const [r1, r2] = fractionTimes(now, dueAt, policy.reminderFractions);
  const pct = (i: number) => ({ pct: Math.round(policy.reminderFractions[i]! * 100) });
  return [
    { kind: 'whistle_remind', dueAt: new Date((now.getTime() + reportDueAt.getTime()) / 2) },
    { kind: 'whistle_escalate', dueAt: reportDueAt },
    ...(r1 ? [{ kind: 'wtask_remind' as const, dueAt: r1, data: pct(0) }] : []),
    ...(r2 ? [{ kind: 'wtask_remind2' as const, dueAt: r2, data: pct(1) }] : []),
    { kind: 'wtask_escalate', dueAt },
    { kind: 'wtask_escalate_district', dueAt: new Date(now.getTime() + (dueAt.getTime() - now.getTime()) * policy.districtEscalationFactor) },
  ];
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
