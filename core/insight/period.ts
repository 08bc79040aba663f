/**
 * Assessment periods (考核周期).
 *
 * Convention: a period is named `YYYY-MM` after the month in which it ENDS.
 * With the default start day 19 (Beijing's 接诉即办 month), period "2026-11"
 * runs from 2026-10-19 00:00 to 2026-11-19 00:00 local time (end exclusive),
 * i.e. its last day is 2026-11-18. With startDay = 1 the periods are plain
 * calendar months ("2026-11" = 2026-11-01 … 2026-12-01). Times are local to
 * `timeZone` (default Asia/Shanghai); instants are compared half-open [start, end).
 */
import { DateTime } from 'luxon';
import { AppError } from '../errors.js';

export const DEFAULT_PERIOD_START_DAY = 19;
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface PeriodOptions {
  /** Day of month (1–28) on which a period starts; default 19. */
  startDay?: number;
  /** IANA zone the period boundaries are midnight in; default Asia/Shanghai. */
  timeZone?: string;
}

export interface Period {
  /** `YYYY-MM` */
  key: string;
  start: Date;
  /** exclusive */
  end: Date;
}

const KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

function opts(o: PeriodOptions | undefined): { startDay: number; zone: string } {
  const startDay = o?.startDay ?? DEFAULT_PERIOD_START_DAY;
  if (!Number.isInteger(startDay) || startDay < 1 || startDay > 28) {
    throw new AppError('invalid_period', `period start day must be 1–28, got ${startDay}`);
  }
  return { startDay, zone: o?.timeZone ?? DEFAULT_TIME_ZONE };
}

/** The period `key` (e.g. "2026-11") as start/end instants. */
export function periodRange(key: string, o?: PeriodOptions): Period {
  const m = KEY.exec(key);
  if (!m) throw new AppError('invalid_period', `period must look like 2026-11, got "${key}"`);
  const { startDay, zone } = opts(o);
  const month = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
  const start = startDay === 1 ? month : month.minus({ months: 1 }).set({ day: startDay });
  const end = start.plus({ months: 1 });
  return { key, start: start.toJSDate(), end: end.toJSDate() };
}

/** The period that contains the instant `at`. */
export function periodOf(at: Date, o?: PeriodOptions): Period {
  const { startDay, zone } = opts(o);
  const local = DateTime.fromJSDate(at, { zone });
  const month = startDay === 1 || local.day < startDay ? local : local.plus({ months: 1 });
  return periodRange(month.toFormat('yyyy-MM'), o);
}

/** The period `n` periods before (negative: after) `key`. */
export function shiftPeriod(key: string, n: number): string {
  const m = KEY.exec(key);
  if (!m) throw new AppError('invalid_period', `period must look like 2026-11, got "${key}"`);
  const idx = Number(m[1]) * 12 + Number(m[2]) - 1 - n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}

export function previousPeriod(key: string): string {
  return shiftPeriod(key, 1);
}
