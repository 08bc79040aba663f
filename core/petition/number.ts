/**
 * Human numbers like Beijing's work orders: yymmdd (Asia/Shanghai) + a daily
 * sequence of at least 4 digits: 2611250001. Whistles use the same counter
 * space under their own prefix: W2611250001.
 */
import { DateTime } from 'luxon';
import type { Tx } from '../db.js';

export function dayKey(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyMMdd');
}

export async function nextNumber(tx: Tx, at: Date, timeZone: string, prefix = ''): Promise<string> {
  return (await nextNumbers(tx, at, timeZone, 1, prefix))[0]!;
}

/** `count` consecutive numbers of the day: one statement. */
export async function nextNumbers(tx: Tx, at: Date, timeZone: string, count: number, prefix = ''): Promise<string[]> {
  const day = prefix + dayKey(at, timeZone);
  const rows = await tx.$queryRaw<{ value: number }[]>`
    INSERT INTO "DailyCounter" (day, value) VALUES (${day}, ${count}::int)
    ON CONFLICT (day) DO UPDATE SET value = "DailyCounter".value + ${count}::int
    RETURNING value`;
  const last = rows[0]!.value;
  return Array.from({ length: count }, (_, i) => day + String(last - count + 1 + i).padStart(4, '0'));
}
