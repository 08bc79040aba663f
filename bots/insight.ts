/**
 * /stats and /hotspots for coordinators: the figures of their own area
 * (a street coordinator sees the street, a district coordinator the district
 * and its streets' ranking, an admin the city's street ranking).
 */
import type { Staff } from '../prisma/generated/client.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { periodOf, type PeriodOptions } from '../core/insight/period.js';
import { hotspotReport, statsReport } from '../core/insight/reports.js';
import type { Work } from '../core/workflow/context.js';
import type { Insight, Report } from './insight-port.js';
import { stewardStats, type StewardStats } from '../core/insight/stewards.js';

/** 小巷管家 reports of the period and their outcomes. */
export function stewardLine(t: StewardStats['total']): string {
  return `小巷管家上报 ${t.reports} 件，办结 ${t.resolved} 件，回访解决 ${t.solved} 件，平均办结用时 ${t.avgHours === null ? '-' : `${t.avgHours.toFixed(1)} 小时`}`;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function createInsight(o: PeriodOptions & { logger: Logger }): Insight {
  const periodFor = (w: Work, given?: string) => {
    if (given && !PERIOD.test(given.trim())) throw new AppError('invalid_period', `bad period ${given}`, '月份格式如 2026-11。/ Give the month as 2026-11.');
    return given?.trim() || periodOf(w.now, o).key;
  };
  const asReport = (r: { text: string; photo?: { png: Buffer } }): Report => ({ text: r.text, png: r.photo?.png });
  return {
    async stats(w: Work, staff: Staff, given?: string) {
      const period = periodFor(w, given);
      const area = staff.role === 'admin' ? undefined : staff.areaCode ?? undefined;
      const level = area && !area.includes('-') ? 'district' : 'street';
      const report = asReport(await statsReport(w.deps.db, { ...o, period, level, code: area }));
      const st = await stewardStats(w.deps.db, { ...o, period, code: area });
      return { ...report, text: `${report.text}\n${stewardLine(st.total)}` };
    },
    async hotspots(w: Work, staff: Staff) {
      const period = periodFor(w);
      const area = staff.role === 'admin' ? undefined : staff.areaCode ?? undefined;
      return asReport(await hotspotReport(w.deps.db, { ...o, period, ...(area?.includes('-') ? { streetCode: area } : area ? { districtCode: area } : {}) }));
    },
  };
}
