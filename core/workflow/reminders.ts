/**
 * What each timer does when it fires: reminders to the unit, 督办 escalation
 * to the area's coordinator and then the district, the rating reminder and
 * expiry, whistle report reminders and escalation, the expiry of an unanswered
 * question to the resident. Each checks that the work is still owed, so a
 * finished assignment never gets a reminder.
 */
import { applyTransition, canApply } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT } from './dispatch.js';
import { alertUnplacedEmergency, expireQuestion, expireRepeatChoice } from './intake.js';
import { waitExpired } from './waiting.js';
import type { DueTimer, TimerHandler, TimerKind } from './timers.js';
import { raiseAlerts } from '../alerts.js';

async function activeAssignment(w: Work, id: string) {
  const a = await w.tx.assignment.findUnique({ where: { id }, include: { petition: true } });
  return a && (ACTIVE_ASSIGNMENT as readonly string[]).includes(a.status) ? a : null;
}

const remind: TimerHandler = async (w, t) => {
  const a = await activeAssignment(w, t.subjectId);
  if (!a) return;
  const pct = Number(t.data?.pct ?? 50);
  await applyTransition(w.tx, { petitionId: a.petitionId, action: 'remind', actor: { kind: 'system' }, data: { unitId: a.unitId, pct }, at: w.now });
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'remind', petitionId: a.petitionId, data: { pct, dueAt: a.dueAt?.toISOString() } }, `timer:${t.id}`);
};

function escalateTo(level: 'area' | 'district'): TimerHandler {
  return async (w, t) => {
    const a = await activeAssignment(w, t.subjectId);
    if (!a) return;
    const area = level === 'district' ? a.petition.districtCode : (a.petition.streetCode ?? a.petition.districtCode);
    if (!area) return;
    await applyTransition(w.tx, { petitionId: a.petitionId, action: 'supervise', actor: { kind: 'system' }, reason: level === 'district' ? 'overdue_3x' : 'overdue', data: { unitId: a.unitId, level }, at: w.now });
    await w.notify({ t: 'area', areaCode: area, note: 'escalate', petitionId: a.petitionId, data: { unitId: a.unitId, level, dueAt: a.dueAt?.toISOString() } }, `timer:${t.id}`);
  };
}

/** An order still waiting for 签收. */
async function unaccepted(w: Work, id: string) {
  const a = await w.tx.assignment.findUnique({ where: { id }, include: { petition: true } });
  return a?.status === 'dispatched' ? a : null;
}

const acceptRemind: TimerHandler = async (w, t) => {
  const a = await unaccepted(w, t.subjectId);
  if (!a) return;
  await w.notify({ t: 'unit', unitId: a.unitId, note: 'accept_remind', petitionId: a.petitionId, data: { acceptDueAt: a.acceptDueAt?.toISOString() ?? null } }, `timer:${t.id}`);
};

const acceptEscalate: TimerHandler = async (w, t) => {
  const a = await unaccepted(w, t.subjectId);
  if (!a) return;
  const area = a.petition.streetCode ?? a.petition.districtCode;
  if (canApply(a.petition.status, 'supervise')) {
    await applyTransition(w.tx, { petitionId: a.petitionId, action: 'supervise', actor: { kind: 'system' }, reason: 'not_accepted', data: { unitId: a.unitId, level: 'area' }, at: w.now });
  }
  if (area) await w.notify({ t: 'area', areaCode: area, note: 'accept_overdue', petitionId: a.petitionId, data: { unitId: a.unitId, acceptDueAt: a.acceptDueAt?.toISOString() ?? null } }, `timer:${t.id}`);
};

const ratingReminder: TimerHandler = async (w, t) => {
  const rating = await w.tx.rating.findUnique({ where: { id: t.subjectId }, include: { petition: true } });
  if (!rating || rating.ratedAt || rating.petition.status !== 'resolved') return;
  await applyTransition(w.tx, { petitionId: rating.petitionId, action: 'remind', actor: { kind: 'system' }, reason: 'rating', at: w.now });
  await w.notify({ t: 'resident', petitionId: rating.petitionId, note: 'rating_reminder', data: { round: rating.round } }, `timer:${t.id}`);
};

/** No rating within the window: the petition closes as it stands. */
const ratingExpire: TimerHandler = async (w, t) => {
  const petitionId = String(t.data?.petitionId ?? '');
  const p = await w.tx.petition.findUnique({ where: { id: petitionId } });
  if (p?.status !== 'resolved') return;
  await applyTransition(w.tx, { petitionId, action: 'close', actor: { kind: 'system' }, reason: 'no_rating', set: { closedAt: w.now }, at: w.now });
};

const closeRated: TimerHandler = async (w, t) => {
  const p = await w.tx.petition.findUnique({ where: { id: t.subjectId } });
  if (p?.status !== 'rated') return;
  await applyTransition(w.tx, { petitionId: p.id, action: 'close', actor: { kind: 'system' }, reason: 'rated', set: { closedAt: w.now }, at: w.now });
};

async function unreportedTask(w: Work, t: DueTimer) {
  const task = await w.tx.whistleTask.findUnique({ where: { id: t.subjectId }, include: { whistle: true } });
  return task && !task.reportedAt && !task.resolvedAt && task.whistle.status === 'open' ? task : null;
}

/** Halfway through the report window: the unit that has not reported is reminded. */
const whistleRemind: TimerHandler = async (w, t) => {
  const task = await unreportedTask(w, t);
  if (!task) return;
  await w.notify({ t: 'unit', unitId: task.unitId, note: 'whistle_remind', whistleId: task.whistleId, data: { reportDueAt: task.reportDueAt.toISOString() } }, `timer:${t.id}`);
};

/** At the report deadline: a unit that has not reported is escalated to the district, and the roll-call shows it late. */
const whistleEscalate: TimerHandler = async (w, t) => {
  const task = await unreportedTask(w, t);
  if (!task) return;
  await w.notify({ t: 'rollcall', whistleId: task.whistleId }, `rollcall:${task.whistleId}:late:${task.id}`);
  if (!task.whistle.areaCode) {
    // Nobody is responsible for the whistle's area: the admins hear of it (jobs/alerts.ts).
    await raiseAlerts(w.tx, [{ kind: 'no_recipient', ref: `timer:${t.id}`, petitionId: task.whistle.petitionId, detail: `whistle ${task.whistle.number} escalation: no area` }], w.now);
    return;
  }
  const district = task.whistle.areaCode.split('-')[0]!;
  await w.notify({ t: 'area', areaCode: district, note: 'whistle_escalate', whistleId: task.whistleId, data: { unitId: task.unitId } }, `timer:${t.id}`);
};

async function unfinishedTask(w: Work, t: DueTimer) {
  const task = await w.tx.whistleTask.findUnique({ where: { id: t.subjectId }, include: { whistle: true } });
  return task && !task.resolvedAt && task.whistle.status === 'open' ? task : null;
}

/** A whistle task's handling time, lead or co-handler: reminders at 50 % and 80 %. */
const whistleTaskRemind: TimerHandler = async (w, t) => {
  const task = await unfinishedTask(w, t);
  if (!task) return;
  const pct = Number(t.data?.pct ?? 50);
  await w.notify({ t: 'unit', unitId: task.unitId, note: 'whistle_due_remind', whistleId: task.whistleId, data: { pct, dueAt: task.dueAt.toISOString(), role: task.role } }, `timer:${t.id}`);
};

/** 督办 of a whistle task past its deadline: the whistle's area, then the district at 3×. */
function whistleTaskEscalate(level: 'area' | 'district'): TimerHandler {
  return async (w, t) => {
    const task = await unfinishedTask(w, t);
    if (!task?.whistle.areaCode) return;
    const area = level === 'district' ? task.whistle.areaCode.split('-')[0]! : task.whistle.areaCode;
    if (task.whistle.petitionId) {
      const p = await w.tx.petition.findUnique({ where: { id: task.whistle.petitionId }, select: { status: true } });
      if (p && canApply(p.status, 'supervise')) {
        await applyTransition(w.tx, { petitionId: task.whistle.petitionId, action: 'supervise', actor: { kind: 'system' }, reason: level === 'district' ? 'whistle_overdue_3x' : 'whistle_overdue', data: { unitId: task.unitId, whistle: task.whistle.number, level }, at: w.now });
      }
    }
    await w.notify({ t: 'area', areaCode: area, note: 'whistle_overdue', whistleId: task.whistleId, data: { unitId: task.unitId, level, role: task.role, dueAt: task.dueAt.toISOString() } }, `timer:${t.id}`);
  };
}

/** A unit's question to the resident (询问) went unanswered: the clock runs again (waiting.ts). */
const waitExpire: TimerHandler = async (w, t) => {
  await waitExpired(w, t.subjectId, Number(t.data?.since));
};

/** A question to the resident went unanswered: go on at district level, or close (intake decides). */
const infoExpire: TimerHandler = async (w, t) => {
  await expireQuestion(w, String(t.data?.petitionId ?? ''), Number(t.data?.askedAt));
};

/** The resident never said whether a message was their open petition's problem: it is filed as a new one. */
const repeatChoiceExpire: TimerHandler = async (w, t) => {
  await expireRepeatChoice(w, String(t.data?.residentId ?? ''), String(t.data?.inboundId ?? ''));
};

/** An emergency still without a place: a coordinator is alerted to call back. */
const emergencyPlace: TimerHandler = async (w, t) => {
  await alertUnplacedEmergency(w, String(t.data?.petitionId ?? ''));
};

export const TIMER_HANDLERS: Record<TimerKind, TimerHandler> = {
  remind,
  remind2: remind,
  escalate: escalateTo('area'),
  escalate_district: escalateTo('district'),
  rating_reminder: ratingReminder,
  rating_expire: ratingExpire,
  close_rated: closeRated,
  whistle_remind: whistleRemind,
  whistle_escalate: whistleEscalate,
  accept_remind: acceptRemind,
  accept_escalate: acceptEscalate,
  wtask_remind: whistleTaskRemind,
  wtask_remind2: whistleTaskRemind,
  wtask_escalate: whistleTaskEscalate('area'),
  wtask_escalate_district: whistleTaskEscalate('district'),
  info_expire: infoExpire,
  repeat_choice_expire: repeatChoiceExpire,
  emergency_place: emergencyPlace,
  wait_expire: waitExpire,
};
