/**
 * Failures that must reach a person (issue 16, "Every failure reaches a person"). Where a failure is seen,
 * one of these records it as an Alert (core/alerts.ts):
 *   - a delivery that fails for good (runSend: permanent error, no sender; the queue: retries exhausted);
 *   - an inbound message whose intake keeps failing (the queue gave up on its row);
 *   - a notice with nobody to receive it (fanOut: a reminder, a whistle task or escalation, an area notice),
 *     and a card for a unit with no bound chat and no staff (it went to the coordinators, marked 未绑定单位).
 * `notifyAlerts` (run from the relay loop) tells the responsible coordinators in one message per area at
 * most every `everyMs`, listing what happened; alerts about alert messages are listed, never re-sent.
 */
import { raiseAlerts, type AlertInput } from '../core/alerts.js';
import type { Intent } from '../core/workflow/intents.js';
import type { Recipient } from '../core/workflow/recipients.js';
import { inTx, type Work, type WorkflowDeps } from '../core/workflow/context.js';
import type { Runtime } from './handlers.js';

/** Alert messages to one area at most this often (what arrives in between waits and goes in the next one). */
export const ALERT_EVERY_MS = 10 * 60_000;
/** Lines one alert message lists; the rest are counted and shown on the dashboard. */
const ALERT_LINES = 20;

/** The notice kinds that must reach somebody (a resident without a chat, e.g. Open311, follows by its token). */
function mustReach(intent: Intent): boolean {
  return intent.t === 'card' ? !intent.copyToUnitId : intent.t === 'unit' || intent.t === 'whistle_task' || intent.t === 'area' || intent.t === 'rollcall';
}

const noteOf = (intent: Intent) => ('note' in intent ? `${intent.t}/${intent.note}` : intent.t);

/** Inside fanOut's transaction: notices nobody receives, and cards shown to coordinators for an unbound unit. */
export async function alertUnreached(w: Work, notes: { intent: Intent; notifyId: bigint }[], recipients: Recipient[][]): Promise<void> {
  const alerts: AlertInput[] = [];
  const units: string[] = [];
  const tasks: string[] = [];
  const lost: { i: number; intent: Intent }[] = [];
  notes.forEach(({ intent }, i) => {
    const list = recipients[i]!;
    const unbound = list.find((r) => r.unboundUnitId);
    if (intent.t === 'card' && unbound) {
      // The card itself went to the coordinators: listed on the dashboard, not told twice.
      alerts.push({ kind: 'unbound_unit', ref: intent.assignmentId, areaCode: null, detail: unbound.unboundUnitId!, silent: true });
      w.deps.logger.warn({ unitId: unbound.unboundUnitId, assignmentId: intent.assignmentId }, 'card for a unit with no bound chat and no staff: shown to the coordinators');
      units.push(unbound.unboundUnitId!);
    }
    if (list.length || !mustReach(intent)) return;
    lost.push({ i, intent });
    if (intent.t === 'unit') units.push(intent.unitId);
    if (intent.t === 'whistle_task') tasks.push(intent.taskId);
  });
  if (!alerts.length && !lost.length) return;
  const [unitRows, taskRows, cardRows] = await Promise.all([
    units.length ? w.tx.unit.findMany({ where: { id: { in: units } }, select: { id: true, name: true, areaCode: true } }) : [],
    tasks.length ? w.tx.whistleTask.findMany({ where: { id: { in: tasks } }, select: { id: true, unit: { select: { name: true } }, whistle: { select: { areaCode: true, petitionId: true, number: true } } } }) : [],
    w.tx.assignment.findMany({
      where: { id: { in: [...alerts.map((a) => a.ref), ...lost.flatMap(({ intent }) => (intent.t === 'card' ? [intent.assignmentId] : []))] } },
      select: { id: true, petitionId: true, unit: { select: { name: true, areaCode: true } }, petition: { select: { streetCode: true, districtCode: true } } },
    }),
  ]);
  const unit = new Map(unitRows.map((u) => [u.id, u]));
  const task = new Map(taskRows.map((t) => [t.id, t]));
  const card = new Map(cardRows.map((a) => [a.id, a]));
  for (const a of alerts) {
    const c = card.get(a.ref);
    a.petitionId = c?.petitionId;
    a.areaCode = c ? (c.petition.streetCode ?? c.unit.areaCode ?? c.petition.districtCode) : null;
    a.detail = `${unit.get(a.detail)?.name ?? a.detail}（${a.detail}）`;
  }
  for (const { intent, i } of lost) {
    const ref = `n${notes[i]!.notifyId}`;
    const base = { kind: 'no_recipient' as const, ref, petitionId: 'petitionId' in intent ? (intent.petitionId ?? null) : null };
    if (intent.t === 'unit') {
      const u = unit.get(intent.unitId);
      alerts.push({ ...base, areaCode: u?.areaCode ?? null, detail: `${noteOf(intent)} → ${u?.name ?? intent.unitId}` });
    } else if (intent.t === 'whistle_task') {
      const t = task.get(intent.taskId);
      alerts.push({ ...base, petitionId: t?.whistle.petitionId ?? null, areaCode: t?.whistle.areaCode ?? null, detail: `whistle ${t?.whistle.number ?? ''} → ${t?.unit.name ?? intent.taskId}` });
    } else if (intent.t === 'card') {
      const c = card.get(intent.assignmentId);
      alerts.push({ ...base, petitionId: c?.petitionId ?? null, areaCode: null, detail: `card → ${c?.unit.name ?? intent.assignmentId}`, silent: true });
    } else {
      // An area notice (an escalation, a whistle escalation, an alert message) found no coordinator and no admin: nobody can be told.
      alerts.push({ ...base, areaCode: intent.t === 'area' ? intent.areaCode : null, detail: `${noteOf(intent)} → ${intent.t === 'area' ? intent.areaCode : ''}`, silent: true });
    }
  }
  await raiseAlerts(w.tx, alerts, w.now);
  const nobody = alerts.filter((a) => a.kind === 'no_recipient' && a.silent);
  if (nobody.length) w.deps.logger.error({ notices: nobody.map((a) => a.detail) }, 'notices nobody can receive (no coordinator, no admin): listed on the dashboard');
}

interface FailedDelivery {
  id: string;
  platform: string;
  chatId: string;
  petitionId: string | null;
  message: { alert?: boolean };
}

/** A delivery failed for good (runSend's permanent failures; the queue's last retry). */
export async function alertSendFailed(rt: Runtime, d: FailedDelivery, reason: string): Promise<void> {
  const { db, clock, logger } = rt.deps;
  try {
    const p = d.petitionId ? await db.petition.findUnique({ where: { id: d.petitionId }, select: { streetCode: true, districtCode: true } }) : null;
    const chat = d.chatId.length > 8 ? `${d.chatId.slice(0, 4)}…${d.chatId.slice(-3)}` : d.chatId;
    await raiseAlerts(db, [{ kind: 'send_failed', ref: d.id, areaCode: p ? (p.streetCode ?? p.districtCode) : null, petitionId: d.petitionId, detail: `${d.platform}:${chat} ${reason}`, silent: !!d.message?.alert }], clock.now());
  } catch (err) {
    logger.error({ err, deliveryId: d.id }, 'could not record the alert of a failed delivery');
  }
}

/** The queue gave up on these outbox rows (every retry failed): their effect will not happen by itself. */
export async function alertFailedRows(rt: Runtime, ids: bigint[], err: unknown): Promise<void> {
  const { db, clock, logger } = rt.deps;
  const reason = String((err as Error)?.name && (err as Error).name !== 'Error' ? (err as Error).name : ((err as Error)?.message ?? err)).slice(0, 120);
  try {
    const rows = await db.$queryRaw<{ id: bigint; kind: string; deliveryId: string | null; platform: string | null; inbound: string | null }[]>`
      SELECT o.id, o.kind, d.id AS "deliveryId", COALESCE(d.platform, i.platform) AS platform, i.id AS inbound
        FROM "Outbox" o LEFT JOIN "Delivery" d ON d.id = o.payload->>'deliveryId' LEFT JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId'
       WHERE o.id = ANY(${ids.map(String)}::bigint[]) AND o."doneAt" IS NULL`;
    for (const r of rows) {
      if (r.kind === 'send' && r.deliveryId) {
        const d = await db.delivery.findUnique({ where: { id: r.deliveryId }, select: { id: true, platform: true, chatId: true, petitionId: true, message: true, status: true } });
        if (d && !['sent', 'digested'].includes(d.status)) await alertSendFailed(rt, { ...d, message: d.message as FailedDelivery['message'] }, reason);
      } else if (r.kind === 'intake') {
        await raiseAlerts(db, [{ kind: 'intake_failed', ref: String(r.id), areaCode: null, detail: `${r.platform ?? '?'} inbound ${r.inbound?.slice(0, 8) ?? ''} ${reason}` }], clock.now());
      }
    }
  } catch (e) {
    logger.error({ err: e }, 'could not record the alerts of failed jobs');
  }
}

/**
 * Tell each area's coordinators about its new alerts: one message listing them, at most every `everyMs` per
 * area (a burst of failures is one message; what comes after waits for the next one). Returns messages sent.
 */
export async function notifyAlerts(deps: WorkflowDeps, opts: { everyMs?: number } = {}): Promise<number> {
  const everyMs = opts.everyMs ?? ALERT_EVERY_MS;
  const now = deps.clock.now();
  const areas = await deps.db.$queryRaw<{ area: string }[]>`
    SELECT DISTINCT COALESCE(a."areaCode", '') AS area FROM "Alert" a WHERE a."notifiedAt" IS NULL
       AND NOT EXISTS (SELECT 1 FROM "Alert" b WHERE COALESCE(b."areaCode", '') = COALESCE(a."areaCode", '') AND b."notifiedAt" > ${new Date(now.getTime() - everyMs)}
                         AND b."notifiedAt" <> b."createdAt")`;
  let sent = 0;
  for (const { area } of areas) {
    const told = await inTx(deps, async (w) => {
      // One process per area at a time; the window is checked again under the lock.
      await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alerts:${area}`}))`;
      const recent = await w.tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "Alert" WHERE COALESCE("areaCode", '') = ${area} AND "notifiedAt" > ${new Date(w.now.getTime() - everyMs)} AND "notifiedAt" <> "createdAt"`;
      if (recent[0]!.n > 0) return false;
      const alerts = await w.tx.$queryRaw<{ id: string; kind: string; detail: string; number: string | null }[]>`
        SELECT a.id, a.kind, a.detail, p.number FROM "Alert" a LEFT JOIN "Petition" p ON p.id = a."petitionId"
         WHERE COALESCE(a."areaCode", '') = ${area} AND a."notifiedAt" IS NULL ORDER BY a."createdAt", a.id FOR UPDATE OF a`;
      if (!alerts.length) return false;
      await w.tx.alert.updateMany({ where: { id: { in: alerts.map((a) => a.id) } }, data: { notifiedAt: w.now } });
      const items = alerts.slice(0, ALERT_LINES).map((a) => ({ kind: a.kind, number: a.number, detail: a.detail }));
      await w.notify({ t: 'area', areaCode: area, note: 'alerts', data: { items, more: alerts.length - items.length } }, `alerts:${area}:${alerts[0]!.id}`);
      return true;
    }, now);
    if (told) sent++;
  }
  return sent;
}
