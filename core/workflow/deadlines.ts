/**
 * Deadline arithmetic. Limits of a day or less (1 h, 2 h, 24 h) run on the
 * clock; longer limits of whole days (7 d, 15 d, an extension of days) run in
 * working days (Chinese public holidays and make-up days 调休, from
 * `chinese-days`) unless the policy says otherwise, and end at the hour they
 * started. Time spent waiting on the resident is added back by the callers.
 */
import { DateTime } from 'luxon';
import chineseDays from 'chinese-days';
import { DAY_MS, type Policy } from './policy.js';

export function addLimit(start: Date, ms: number, policy: Policy, timeZone: string): Date {
  if (!policy.workingDays || ms <= DAY_MS) return new Date(start.getTime() + ms);
  const days = Math.round(ms / DAY_MS);
  const startLocal = DateTime.fromJSDate(start, { zone: timeZone });
  const due = chineseDays.findWorkday(days, startLocal.toFormat('yyyy-MM-dd'));
  const dueLocal = DateTime.fromISO(due, { zone: timeZone }).set({
    hour: startLocal.hour,
    minute: startLocal.minute,
    second: startLocal.second,
  });
  return dueLocal.toJSDate();
}

/** Points at which reminders fire, as absolute times between start and due. */
export function fractionTimes(start: Date, due: Date, fractions: readonly number[]): Date[] {
  const span = due.getTime() - start.getTime();
  return fractions.map((f) => new Date(start.getTime() + span * f));
}
