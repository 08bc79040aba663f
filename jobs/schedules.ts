/**
 * Calendar work: the weekly 每月一题 proposal and the monthly three-rates
 * report to every coordinator. The last run of each schedule is a row in
 * Postgres, claimed FOR UPDATE, so each runs once per due time however many
 * workers scan, and a missed run (all workers down) happens when one is back.
 */
import { DateTime } from 'luxon';
import type { Tx } from '../core/db.js';
import { inTx, type Work, type WorkflowDeps } from '../core/workflow/context.js';
import { periodOf, type PeriodOptions } from '../core/insight/period.js';
import type { Weights } from '../core/insight/weights.js';
import { statsReport, topicsReport } from '../core/insight/reports.js';
import { laneDigests } from '../core/workflow/steward.js';

export interface Schedule {
  name: string;
  /** the latest time at or before `now` at which this schedule was due */
  dueAt(now: Date, timeZone: string): Date;
  /** `due`: the due time this run is for (a late run, after an outage, reports on what was due then, not on now) */
  run(w: Work, due: Date): Promise<void>;
}

/** Areas that have someone to tell: bound coordination chats and registered coordinators. */
async function coordinatedAreas(tx: Tx): Promise<string[]> {
  const [bindings, staff] = await Promise.all([
    tx.chatBinding.findMany({ where: { areaCode: { not: null } }, select: { areaCode: true } }),
    tx.staff.findMany({ where: { role: 'coordinator', areaCode: { not: null } }, select: { areaCode: true } }),
  ]);
  return [...new Set([...bindings, ...staff].map((x) => x.areaCode!))].sort();
}

/** Photos travel through the outbox as base64. */
const storable = (r: { text: string; photo?: { png: Buffer; filename: string } }) => ({
  text: r.text,
  ...(r.photo ? { photo: { png: r.photo.png.toString('base64'), filename: r.photo.filename } } : {}),
});

export function defaultSchedules(o: PeriodOptions & { startDay: number; weights?: Partial<Weights> }): Schedule[] {
  return [
    {
      name: 'weekly_topics',
      // Mondays 09:00 local
      dueAt: (now, zone) => {
        const local = DateTime.fromJSDate(now, { zone });
        const monday = local.startOf('week').set({ hour: 9 });
        return (monday > local ? monday.minus({ weeks: 1 }) : monday).toJSDate();
      },
      async run(w, due) {
        const period = periodOf(due, o).key;
        const report = storable(await topicsReport(w.deps.db, period, o));
        const districts = [...new Set((await coordinatedAreas(w.tx)).map((a) => a.split('-')[0]!))];
        for (const area of districts) {
          await w.notify({ t: 'area', areaCode: area, note: 'report', data: { message: report } }, `topics:${period}:${due.toISOString().slice(0, 10)}:${area}`);
        }
      },
    },
    {
      name: 'monthly_report',
      // the first day of a period, 09:00 local: report on the period that just ended
      dueAt: (now, zone) => {
        const local = DateTime.fromJSDate(now, { zone });
        const start = local.set({ day: o.startDay, hour: 9, minute: 0, second: 0, millisecond: 0 });
        return (start > local ? start.minus({ months: 1 }) : start).toJSDate();
      },
      async run(w, due) {
        // the period that ended at the due time (a late run must not report the period it runs in)
        const ended = periodOf(new Date(due.getTime() - 86_400_000), o).key;
        for (const area of await coordinatedAreas(w.tx)) {
          const level = area.includes('-') ? 'street' : 'district';
          const report = storable(await statsReport(w.deps.db, { ...o, period: ended, level, code: area }));
          await w.notify({ t: 'area', areaCode: area, note: 'report', data: { message: report } }, `monthly:${ended}:${area}`);
        }
      },
    },
    {
      name: 'lane_digest',
      // every day 08:30 local: 街巷长 get the open petitions on their lanes
      dueAt: (now, zone) => {
        const local = DateTime.fromJSDate(now, { zone });
        const today = local.set({ hour: 8, minute: 30, second: 0, millisecond: 0 });
        return (today > local ? today.minus({ days: 1 }) : today).toJSDate();
      },
      async run(w) {
        await laneDigests(w, DateTime.fromJSDate(w.now, { zone: w.deps.timeZone }).toFormat('yyyy-MM-dd'));
      },
    },
  ];
}

/** Run each schedule whose due time has passed since its last run. Returns the names that ran. */
export async function runSchedules(deps: WorkflowDeps, schedules: Schedule[], now = deps.clock.now()): Promise<string[]> {
  const ran: string[] = [];
  for (const s of schedules) {
    const due = s.dueAt(now, deps.timeZone);
    const did = await inTx(
      deps,
      async (w) => {
        const key = `schedule:${s.name}`;
        await w.tx.$executeRaw`INSERT INTO "KeyValue" (key, value, "updatedAt") VALUES (${key}, '', ${now}) ON CONFLICT (key) DO NOTHING`;
        const [row] = await w.tx.$queryRaw<{ value: string }[]>`SELECT value FROM "KeyValue" WHERE key = ${key} FOR UPDATE`;
        // A new deployment starts counting from now rather than sending last month's report.
        if (!row?.value) {
          await w.tx.keyValue.update({ where: { key }, data: { value: now.toISOString() } });
          return false;
        }
        if (new Date(row.value) >= due) return false;
        await s.run(w, due);
        await w.tx.keyValue.update({ where: { key }, data: { value: now.toISOString() } });
        return true;
      },
      now,
    );
    if (did) ran.push(s.name);
  }
  return ran;
}
