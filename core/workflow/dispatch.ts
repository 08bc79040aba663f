/**
 * Dispatch (派单): pick units by routing rules, open assignments with their
 * deadlines and timers, send cards, copy street orders to the district.
 */
import { randomUUID } from 'node:crypto';
import type { Assignment, Petition } from '../../prisma/generated/client.js';
import { msAsTimestamp } from '../db.js';
import { AppError } from '../errors.js';
import { transition, type Actor } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { addLimit, fractionTimes } from './deadlines.js';
import { limitsFor, type Policy } from './policy.js';
import { routesFor, districtGov, type RouteQuery } from './routing.js';
import { together } from './together.js';
import { copyToLaneChiefs } from './steward.js';
import { cancelTimers, type TimerKind } from './timers.js';

/** Assignment states in which a unit still owes work. */
export const ACTIVE_ASSIGNMENT = ['dispatched', 'accepted', 'in_progress'] as const;

/** Milliseconds the petition spent waiting on the resident, added to its deadlines. */
function pausedShift(p: Petition, now: Date): number {
  return p.pausedAt ? now.getTime() - p.pausedAt.getTime() : 0;
}

interface NewAssignment {
  p: Petition;
  unitId: string;
  role: 'lead' | 'co';
  dueAt: Date;
  acceptDueAt: Date;
}

/** Open one assignment with its deadline (a lead's with its reminders and escalations), and send its card. */
export async function openAssignment(w: Work, p: Petition, unitId: string, role: 'lead' | 'co', dueAt: Date, acceptDueAt: Date): Promise<Assignment> {
  const a = await together(w, openAssignments, { p, unitId, role, dueAt, acceptDueAt });
  await w.notify({ t: 'card', assignmentId: a.id }, `card:${a.id}`);
  return a;
}

/** Many assignments and all their timers (of assignments new in this statement: no conflict possible): one statement. */
async function openAssignments(w: Work, items: NewAssignment[]): Promise<Assignment[]> {
  const ids = items.map(() => randomUUID());
  const timers = items.flatMap((x, i) => [...assignmentTimers(w.deps.policy, w.now, x.dueAt, x.p), ...acceptTimers(w.now, x.acceptDueAt)].map((t) => ({ ...t, subjectId: ids[i]! })));
  const rows = await w.tx.$queryRaw<Assignment[]>`
    WITH a AS (
      INSERT INTO "Assignment" (id, "petitionId", "unitId", role, status, "dispatchedAt", "acceptDueAt", "dueAt", extensions)
      SELECT id, pid, unit, role::"RouteRole", 'dispatched', ${w.now}, ${msAsTimestamp('accept_ms')}, ${msAsTimestamp('due_ms')}, 0
        FROM unnest(${ids}::text[], ${items.map((x) => x.p.id)}::text[], ${items.map((x) => x.unitId)}::text[], ${items.map((x) => x.role)}::text[],
                    ${items.map((x) => x.acceptDueAt.getTime())}::float8[], ${items.map((x) => x.dueAt.getTime())}::float8[]) AS t(id, pid, unit, role, accept_ms, due_ms)
      RETURNING *),
    timers AS (
      INSERT INTO "Timer" (id, kind, "subjectId", "dueAt", data, "createdAt")
      SELECT gen_random_uuid(), t.kind, t.subject, ${msAsTimestamp('t.due_ms')}, t.data::jsonb, ${w.now}
        FROM unnest(${timers.map((t) => t.kind)}::text[], ${timers.map((t) => t.subjectId)}::text[], ${timers.map((t) => t.dueAt.getTime())}::float8[],
                    ${timers.map((t) => JSON.stringify(t.data))}::text[]) AS t(kind, subject, due_ms, data))
    SELECT * FROM a`;
  const byId = new Map(rows.map((a) => [a.id, a]));
  return ids.map((id) => byId.get(id)!);
}

/** 签收: a reminder halfway to the acceptance limit and 督办 at it (none when the order is to be accepted at once). */
function acceptTimers(dispatchedAt: Date, acceptDueAt: Date): { kind: TimerKind; dueAt: Date; data: object }[] {
  if (acceptDueAt <= dispatchedAt) return [];
  return [
    { kind: 'accept_remind', dueAt: new Date((dispatchedAt.getTime() + acceptDueAt.getTime()) / 2), data: {} },
    { kind: 'accept_escalate', dueAt: acceptDueAt, data: {} },
  ];
}

/** Reminders at 50 % and 80 %, 督办 at the deadline and to the district at 3×, for a new assignment (lead or co-handler alike). */
function assignmentTimers(policy: Policy, dispatchedAt: Date, dueAt: Date, p: Pick<Petition, 'districtCode' | 'streetCode'>): { kind: TimerKind; dueAt: Date; data: object }[] {
  const span = dueAt.getTime() - dispatchedAt.getTime();
  const [r1, r2] = fractionTimes(dispatchedAt, dueAt, policy.reminderFractions);
  const pct = (i: number) => ({ pct: Math.round(policy.reminderFractions[i]! * 100) });
  return [
    ...(r1 ? [{ kind: 'remind' as const, dueAt: r1, data: pct(0) }] : []),
    ...(r2 ? [{ kind: 'remind2' as const, dueAt: r2, data: pct(1) }] : []),
    { kind: 'escalate', dueAt, data: { area: p.streetCode ?? p.districtCode } },
    { kind: 'escalate_district', dueAt: new Date(dispatchedAt.getTime() + span * policy.districtEscalationFactor), data: { area: p.districtCode } },
  ];
}

export interface DispatchOptions {
  actor: Actor;
  /** force a unit (coordinator /dispatch, approved return); otherwise the routing rules decide */
  unitId?: string;
  /** units that must not get it again (the unit that returned it) */
  exclude?: string[];
  action?: 'dispatch' | 'approve_return' | 'reassign';
  reason?: string;
}

export async function dispatchPetition(w: Work, p: Petition, opts: DispatchOptions): Promise<Assignment> {
  if (!p.districtCode) throw new AppError('no_place', `petition ${p.number} has no district`, '需要先确定地点才能派单。/ A place is needed before dispatch.');
  const category = p.categoryCode ?? 'other';
  const route = opts.unitId
    ? { lead: opts.unitId, co: [] as string[], copies: opts.unitId.endsWith(':street_office') ? [districtGov(p.districtCode)] : [] }
    : await together(w, routes, { categoryCode: category, districtCode: p.districtCode, streetCode: p.streetCode, exclude: opts.exclude });
  if (opts.unitId && !(await w.tx.unit.findUnique({ where: { id: opts.unitId }, select: { id: true } }))) {
    throw new AppError('unknown_unit', `unit ${opts.unitId} does not exist`, `没有这个单位：${opts.unitId} / Unknown unit`);
  }

  // Deadlines run from receipt, minus the time spent waiting on the resident.
  const limits = limitsFor(w.deps.policy, p.urgency, category);
  const firstDispatch = !p.dispatchDueAt;
  const base = new Date(p.createdAt.getTime() + pausedShift(p, w.now));
  const dispatchDueAt = p.dispatchDueAt ?? addLimit(base, limits.dispatchMs, w.deps.policy, w.deps.timeZone);
  const feedbackDueAt = firstDispatch
    ? addLimit(base, limits.feedbackMs, w.deps.policy, w.deps.timeZone)
    : addLimit(w.now, limits.feedbackMs, w.deps.policy, w.deps.timeZone);

  await transition(w, {
    petitionId: p.id,
    action: opts.action ?? 'dispatch',
    actor: opts.actor,
    reason: opts.reason,
    data: { lead: route.lead, co: route.co, copies: route.copies },
    set: { dispatchDueAt, feedbackDueAt, pausedAt: null },
    at: w.now,
  });
  const updated = { ...p, dispatchDueAt, feedbackDueAt };
  const lead = await openAssignment(w, updated, route.lead, 'lead', feedbackDueAt, dispatchDueAt);
  for (const co of route.co) await openAssignment(w, updated, co, 'co', feedbackDueAt, dispatchDueAt);
  for (const unitId of route.copies) {
    await w.notify({ t: 'card', assignmentId: lead.id, copyToUnitId: unitId }, `copy:${lead.id}:${unitId}`);
  }
  if (firstDispatch) await copyToLaneChiefs(w, updated);
  await w.notify(
    { t: 'resident', petitionId: p.id, note: firstDispatch ? 'ack' : 'redispatched', data: { unitId: route.lead } },
    `res:${p.id}:${firstDispatch ? 'ack' : `re:${lead.id}`}`,
  );
  return lead;
}

const routes = (w: Work, queries: RouteQuery[]) => routesFor(w.tx, queries);

/** Close every assignment a unit still owes on this petition (reassignment, merge, withdrawal). */
export async function cancelOpenAssignments(w: Work, petitionId: string, status: 'cancelled' | 'returned' = 'cancelled') {
  const open = await w.tx.assignment.findMany({ where: { petitionId, status: { in: [...ACTIVE_ASSIGNMENT] } } });
  for (const a of open) {
    await w.tx.assignment.update({ where: { id: a.id }, data: { status } });
    await cancelTimers(w.tx, a.id, w.now);
  }
  return open;
}

export async function loadPetition(w: Work, number: string): Promise<Petition> {
  const p = await w.tx.petition.findUnique({ where: { number } });
  if (!p) throw new AppError('not_found', `petition ${number} not found`, `找不到诉求 ${number}。/ No petition ${number}.`);
  return p;
}
