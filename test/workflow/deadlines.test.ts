import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { HOUR_MS, DAY_MS } from '../../core/workflow/policy.js';
import { addLimit } from '../../core/workflow/deadlines.js';
import { DEFAULT_POLICY } from '../../core/workflow/policy.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const understand = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: { districtCode: '110105', streetCode: '110105-sanlitun' },
  urgency: text.includes('紧急') ? { class: 'emergency', urgent: true, reason: 'test' } : { class: 'ordinary', urgent: false, reason: '' },
}));

let h: Harness;
const fire = () => fireDueTimers(h.deps, TIMER_HANDLERS);
const unitChat = '-2001';
const coordChat = '-3001';
const districtChat = '-3100';

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: unitChat, unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: coordChat, areaCode: '110105-sanlitun' },
      { platform: 'telegram', chatId: districtChat, areaCode: '110105' },
    ],
  });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' } });
});
afterAll(() => h.close());

describe('reminders and 督办 with an injected clock', () => {
  it('fire at 50 % and 80 %, escalate at the deadline and at 3×, each exactly once', async () => {
    await h.inbound({ userId: '1001', chatId: '1001', text: '紧急 垃圾堆满' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    expect(p.urgency).toBe('emergency');
    expect(p.feedbackDueAt!.getTime() - p.createdAt.getTime()).toBe(2 * HOUR_MS);
    await h.inbound({ userId: '2001', chatId: unitChat, text: `签收 ${p.number}` }); // accepted at once: no 签收 timers left
    await h.drain();

    const reminders = () => h.telegram.to(unitChat).filter((m) => m.text.includes('催办'));
    const escalations = (chat: string) => h.telegram.to(chat).filter((m) => m.text.includes('督办'));

    h.clock.advance(59 * 60_000);
    expect(await fire()).toBe(0);
    h.clock.advance(60_000); // 60 min = 50 %
    expect(await fire()).toBe(1);
    await fire(); // again: nothing more
    await h.drain();
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.text).toContain('50%');

    h.clock.advance(36 * 60_000); // 96 min = 80 %
    await fire();
    await h.drain();
    expect(reminders()).toHaveLength(2);

    h.clock.advance(24 * 60_000); // deadline
    await fire();
    await h.drain();
    expect(escalations(coordChat)).toHaveLength(1);
    expect(escalations(districtChat)).toHaveLength(0);

    h.clock.advance(4 * HOUR_MS); // 3× the time
    await fire();
    await fire();
    await h.drain();
    expect(escalations(districtChat)).toHaveLength(1);
    expect(escalations(coordChat)).toHaveLength(1);
    const supervise = await h.t.db.petitionEvent.count({ where: { petitionId: p.id, action: 'supervise' } });
    expect(supervise).toBe(2);
  });

  it('stop when the work is done', async () => {
    await h.inbound({ userId: '1002', chatId: '1002', text: '紧急 另一处垃圾' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    await h.inbound({ userId: '2001', chatId: unitChat, text: `办结 ${p.number} 已清运` });
    await h.drain();
    const before = h.telegram.sent.length;
    h.clock.advance(10 * HOUR_MS);
    await fire();
    await h.drain();
    const after = h.telegram.sent.slice(before).filter((m) => m.text.includes(p.number) && /催办|督办/.test(m.text));
    expect(after).toEqual([]);
  });

  it('the rating window closes an unrated petition; one rating reminder first', async () => {
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    expect(p.status).toBe('resolved');
    h.clock.advance(3 * DAY_MS);
    await fire();
    await h.drain();
    expect(h.telegram.to('1002').filter((m) => m.text.includes('提醒：请评价'))).toHaveLength(1);
    h.clock.advance(12 * DAY_MS);
    await fire();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('closed');
  });
});

describe('deadline arithmetic', () => {
  it('counts working days over the National Day holiday (the default); 24 h and less stay on the clock', () => {
    const start = new Date('2026-09-30T02:00:00Z'); // Wed 10:00 in Beijing, holidays from 1 October
    const policy = { ...DEFAULT_POLICY, workingDays: true };
    const due = addLimit(start, 7 * DAY_MS, policy, 'Asia/Shanghai');
    expect(due.getTime() - start.getTime()).toBeGreaterThan(7 * DAY_MS);
    expect(addLimit(start, 7 * DAY_MS, { ...DEFAULT_POLICY, workingDays: false }, 'Asia/Shanghai').getTime() - start.getTime()).toBe(7 * DAY_MS);
    expect(addLimit(start, 24 * HOUR_MS, policy, 'Asia/Shanghai').getTime() - start.getTime()).toBe(24 * HOUR_MS);
    expect(addLimit(start, 2 * HOUR_MS, policy, 'Asia/Shanghai').getTime() - start.getTime()).toBe(2 * HOUR_MS);
  });
});
