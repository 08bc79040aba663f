import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import { DateTime } from 'luxon';
import { DAY_MS, HOUR_MS } from '../../core/workflow/policy.js';
import { fmtTime } from '../../bots/texts.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

/** Day-long limits count working days (Chinese holidays and 调休) by default; hour-long ones stay on the clock. */
const understand = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: { districtCode: '110105', streetCode: '110105-sanlitun' },
  urgency: text.includes('紧急') ? { class: 'emergency', urgent: true, reason: 'test' } : { class: 'ordinary', urgent: false, reason: '' },
}));

let h: Harness;
const unitChat = '-2001';
const coord = { userId: '3001', chatId: '-3001' };
const beijingDay = (d: Date) => DateTime.fromJSDate(d, { zone: 'Asia/Shanghai' }).toFormat('yyyy-MM-dd');

beforeAll(async () => {
  h = await createHarness({ understand });
  h.clock.current = new Date('2026-09-30T02:00:00Z'); // Wednesday 10:00 in Beijing, the day before the National Day holiday
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: unitChat, unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: coord.chatId, areaCode: '110105-sanlitun' },
    ],
  });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: coord.userId, role: 'coordinator', areaCode: '110105-sanlitun' } });
});
afterAll(() => h.close());

describe('working days by default', () => {
  it('an ordinary petition filed before the holiday is due 7 working days later, shown in Beijing time on the card and in /overdue', async () => {
    expect(h.deps.policy.workingDays).toBe(true);
    await h.inbound({ userId: '1001', chatId: '1001', text: '小区垃圾没人清运' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ include: { assignments: true } });
    const due = p.feedbackDueAt!;
    // the holiday week does not count: well past 7 calendar days, on a working day, at the same hour
    expect(due.getTime() - p.createdAt.getTime()).toBeGreaterThan(12 * DAY_MS);
    expect(chineseDays.isWorkday(beijingDay(due))).toBe(true);
    expect(DateTime.fromJSDate(due, { zone: 'Asia/Shanghai' }).hour).toBe(10);
    let workdays = 0;
    for (let d = DateTime.fromJSDate(p.createdAt, { zone: 'Asia/Shanghai' }).plus({ days: 1 }); d.toFormat('yyyy-MM-dd') <= beijingDay(due); d = d.plus({ days: 1 })) {
      if (chineseDays.isWorkday(d.toFormat('yyyy-MM-dd'))) workdays++;
    }
    expect(workdays).toBe(7);
    // 签收 (24 h) is an hour-long limit: on the clock, holiday or not
    expect(p.assignments[0]!.acceptDueAt!.getTime() - p.createdAt.getTime()).toBe(24 * HOUR_MS);

    const card = h.telegram.to(unitChat).find((m) => m.text.includes(p.number))!;
    expect(card.text).toContain(`${fmtTime(due, 'Asia/Shanghai')}（北京时间）`);

    h.clock.current = new Date(due.getTime() + HOUR_MS);
    await h.inbound({ ...coord, text: '超期' });
    await h.drain();
    const overdue = h.telegram.to(coord.chatId).at(-1)!.text;
    expect(overdue).toContain(p.number);
    expect(overdue).toContain(`${fmtTime(due, 'Asia/Shanghai')}（北京时间）`);
  });

  it('an emergency keeps its 2 hours over a holiday', async () => {
    h.clock.current = new Date('2026-10-02T02:00:00Z'); // a holiday
    await h.inbound({ userId: '1002', chatId: '1002', text: '紧急 垃圾堵住消防通道' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ where: { urgency: 'emergency' } });
    expect(p.feedbackDueAt!.getTime() - p.createdAt.getTime()).toBe(2 * HOUR_MS);
  });
});
