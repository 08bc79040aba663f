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
  const day = prefix + dayKey(at, timeZone);
  const rows = await tx.$queryRaw<{ value: number }[]>`
    INSERT INTO "DailyCounter" (day, value) VALUES (${day}, 1)
    ON CONFLICT (day) DO UPDATE SET value = "DailyCounter".value + 1
    RETURNING value`;
  return day + String(rows[0]!.value).padStart(4, '0');
}
