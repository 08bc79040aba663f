/**
 * A monthly report that runs late (every worker down over the 19th) still reports the period that
 * ended at its due time, and prints that period's first day as Beijing reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSchedules, runSchedules } from '../../jobs/schedules.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
const understand = scriptedUnderstanding(() => ({ category: { code: 'garbage', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun' } }));
const schedules = defaultSchedules({ startDay: 19, timeZone: 'Asia/Shanghai' });

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.chatBinding.create({ data: { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' } });
});
afterAll(() => h.close());

describe('a monthly report run late', () => {
  it('reports the period that ended at the due time, starting on the 19th local', async () => {
    h.clock.current = new Date('2026-11-18T03:00:00Z'); // 18th, 11:00 Beijing: records the start
    expect(await runSchedules(h.deps, schedules)).toEqual([]);
    // Outage from the 18th to the 21st: the run due on the 19th at 09:00 happens on the 21st.
    h.clock.current = new Date('2026-11-21T06:00:00Z');
    expect(await runSchedules(h.deps, schedules)).toContain('monthly_report');
    await h.drain();
    const reports = h.telegram.to('-3001').filter((m) => m.text.includes('📊'));
    expect(reports).toHaveLength(1);
    // Period 2026-11 runs 2026-10-19 … 2026-11-18 (Beijing); the late run must not report 2026-12.
    expect(reports[0]!.text).toContain('2026-11 期');
    expect(reports[0]!.text).toContain('2026-10-19 起');
    expect(reports[0]!.text).not.toContain('2026-12');
  });
});
