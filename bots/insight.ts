/**
 * /stats and /hotspots for coordinators: the figures of their own area
 * (a street coordinator sees the street, a district coordinator the district
 * and its streets' ranking, an admin the city's street ranking).
 */
import type { Staff } from '../prisma/generated/client.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { periodOf, type PeriodOptions } from '../core/insight/period.js';
import type { Weights } from '../core/insight/weights.js';
import { createAssessmentCache } from '../core/insight/assessment.js';
import { hotspotReport, statsReport } from '../core/insight/reports.js';
import type { Work } from '../core/workflow/context.js';
import type { Insight, Report } from './insight-port.js';
import { stewardStats, type StewardStats } from '../core/insight/stewards.js';

/** 小巷管家 reports of the period and their outcomes. */
export function stewardLine(t: StewardStats['total']): string {
  return `小巷管家上报 ${t.reports} 件，办结 ${t.resolved} 件，回访解决 ${t.solved} 件，平均办结用时 ${t.avgHours === null ? '-' : `${t.avgHours.toFixed(1)} 小时`}`;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function createInsight(opts: PeriodOptions & { logger: Logger; weights?: Partial<Weights> }): Insight {
  // ended periods (a ranking's previous period, a trend's older ones) are computed once per 10 minutes
  const o = { ...opts, cache: createAssessmentCache() };
  const periodFor = (w: Work, given?: string) => {
    if (given && !PERIOD.test(given.trim())) throw new AppError('invalid_period', `bad period ${given}`, '月份格式如 2026-11。/ Give the month as 2026-11.');
    return given?.trim() || periodOf(w.now, o).key;
  };
  const asReport = (r: { text: string; photo?: { png: Buffer } }): Report => ({ text: r.text, png: r.photo?.png });
  return {
    async stats(w: Work, staff: Staff, given?: string) {
      const period = periodFor(w, given);
      const area = staff.role === 'admin' ? undefined : staff.areaCode ?? undefined;
      const st = await stewardStats(w.deps.db, { ...o, period, code: area });
      if (area && !area.includes('-')) {
        // a district coordinator: the district's own line, then how its streets rank
        const [own, streets] = await Promise.all([
          statsReport(w.deps.db, { ...o, period, level: 'district', code: area, chart: false }),
          statsReport(w.deps.db, { ...o, period, level: 'street', parentCode: area }),
        ]);
        return asReport({ text: `${own.text}\n${stewardLine(st.total)}\n\n${streets.text}`, photo: streets.photo });
      }
      const report = asReport(await statsReport(w.deps.db, { ...o, period, level: 'street', code: area }));
      return { ...report, text: `${report.text}\n${stewardLine(st.total)}` };
    },
    async hotspots(w: Work, staff: Staff) {
      const period = periodFor(w);
      const area = staff.role === 'admin' ? undefined : staff.areaCode ?? undefined;
      return asReport(await hotspotReport(w.deps.db, { ...o, period, ...(area?.includes('-') ? { streetCode: area } : area ? { districtCode: area } : {}) }));
    },
  };
}
