import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { HOUR_MS } from '../../core/workflow/policy.js';
import { createHarness, sanlitunGarbage, type Harness } from '../helpers/workflow.js';

/** 签收: an order not accepted within its dispatch limit is reminded, then escalated to the area's coordinator. */
const understand = sanlitunGarbage;

let h: Harness;
const fire = () => fireDueTimers(h.deps, TIMER_HANDLERS);
const unit = { userId: '2001', chatId: '-2001' };
const coordChat = '-3001';

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: unit.chatId, unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: coordChat, areaCode: '110105-sanlitun' },
    ],
  });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: unit.userId, role: 'staff', unitId: '110105:urban_mgmt' } });
});
afterAll(() => h.close());

const about = (chat: string, number: string, word: string) => h.telegram.to(chat).filter((m) => m.text.includes(number) && m.text.includes(word));

describe('签收 deadline', () => {
  it('an emergency not accepted within 1 h: reminded at 30 min, escalated to the coordinator at 1 h, once each', async () => {
    const start = h.clock.now();
    await h.inbound({ userId: '1001', chatId: '1001', text: '紧急 垃圾着火冒烟' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ include: { assignments: true } });
    expect(p.assignments[0]!.acceptDueAt!.getTime() - p.createdAt.getTime()).toBe(HOUR_MS);

    h.clock.current = new Date(start.getTime() + 29 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '签收提醒')).toHaveLength(0);
    h.clock.current = new Date(start.getTime() + 31 * 60_000);
    await fire();
    await h.drain();
    const reminder = about(unit.chatId, p.number, '签收提醒');
    expect(reminder).toHaveLength(1);
    expect(reminder[0]!.buttons?.flat().some((b) => b.data === `acc:${p.number}`)).toBe(true);
    expect(about(coordChat, p.number, '超时未签收')).toHaveLength(0);

    h.clock.current = new Date(start.getTime() + 61 * 60_000);
    await fire();
    await fire();
    await h.drain();
    expect(about(coordChat, p.number, '超时未签收')).toHaveLength(1);
    expect(await h.t.db.petitionEvent.count({ where: { petitionId: p.id, action: 'supervise', reason: 'not_accepted' } })).toBe(1);
  });

  it('an accepted order is neither reminded nor escalated', async () => {
    const start = h.clock.now();
    await h.inbound({ userId: '1002', chatId: '1002', text: '紧急 另一处垃圾着火' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    h.clock.advance(10 * 60_000);
    await h.inbound({ ...unit, text: `签收 ${p.number}` });
    await h.drain();
    h.clock.current = new Date(start.getTime() + 90 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '签收提醒')).toHaveLength(0);
    expect(about(coordChat, p.number, '超时未签收')).toHaveLength(0);
  });

  it('an ordinary order has 24 h to be accepted', async () => {
    const start = h.clock.now();
    await h.inbound({ userId: '1003', chatId: '1003', text: '小区垃圾桶满了' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    h.clock.current = new Date(start.getTime() + 23 * HOUR_MS);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '签收提醒')).toHaveLength(1);
    expect(about(coordChat, p.number, '超时未签收')).toHaveLength(0);
    h.clock.current = new Date(start.getTime() + 24 * HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(coordChat, p.number, '超时未签收')).toHaveLength(1);
  });
});
