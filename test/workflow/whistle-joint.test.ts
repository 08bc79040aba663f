import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { HOUR_MS } from '../../core/workflow/policy.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

/** 吹哨报到 with a lead (主办) and co-handlers (协办): deadlines of every part, and the joint case closing the petition. */
const understand = scriptedUnderstanding((text) => ({
  category: { code: 'illegal_construction', confidence: 0.9 },
  place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {},
  urgency: text.includes('紧急') ? { class: 'emergency', urgent: true, reason: 'test' } : { class: 'ordinary', urgent: false, reason: '' },
}));

let h: Harness;
const coord = { userId: '3001', chatId: '-3001' };
const enforcement = { userId: '2001', chatId: '-2001' };
const housing = { userId: '2201', chatId: '-2201' };
const fire = () => fireDueTimers(h.deps, TIMER_HANDLERS);

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105-sanlitun' },
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_enforcement' },
      { platform: 'telegram', platformUserId: '2201', role: 'staff', unitId: '110105:housing' },
    ],
  });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' },
      { platform: 'telegram', chatId: '-3100', areaCode: '110105' },
      { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_enforcement' },
      { platform: 'telegram', chatId: '-2201', unitId: '110105:housing' },
    ],
  });
});
afterAll(() => h.close());

async function newPetition(userId: string, text: string) {
  await h.inbound({ userId, chatId: userId, text });
  await h.drain();
  return h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: userId } }, orderBy: { createdAt: 'desc' } });
}

describe('吹哨: lead and co-handlers', () => {
  it('the coordinator names the lead; finishing every part resolves the petition with the combined answer and asks the resident to rate', async () => {
    const p = await newPetition('1001', '三里屯有人私搭乱建');
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 城管执法 主办:住建 30分钟` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id }, include: { tasks: true } });
    const roles = Object.fromEntries(w.tasks.map((t) => [t.unitId, t.role]));
    expect(roles).toEqual({ '110105:housing': 'lead', '110105:urban_enforcement': 'co' });
    expect(h.telegram.to('-2201').at(-1)!.text).toContain('主办');
    expect(h.telegram.to('-2001').at(-1)!.text).toContain('协办');

    // The lead finishes first: the petition waits for the co-handler's part.
    await h.inbound({ ...housing, text: `完成 ${w.number} 已责令拆除并复查房屋安全` });
    await h.drain();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).not.toBe('resolved');
    expect(h.telegram.to('1001').filter((m) => m.text.includes('已办结'))).toHaveLength(0);

    await h.inbound({ ...enforcement, text: `完成 ${w.number} 违建已拆除` });
    await h.drain();
    const after = await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.status).toBe('resolved');
    const told = h.telegram.to('1001').filter((m) => m.text.includes('已办结'));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('已责令拆除并复查房屋安全');
    expect(told[0]!.text).toContain('违建已拆除');
    expect(told[0]!.buttons?.flat().some((b) => b.data.startsWith('rc:'))).toBe(true);
    // the normal resolve path: a rating round with its reminder and expiry
    const rating = await h.t.db.rating.findFirstOrThrow({ where: { petitionId: p.id } });
    expect(await h.t.db.timer.count({ where: { subjectId: rating.id, kind: 'rating_reminder' } })).toBe(1);
    expect(await h.t.db.timer.count({ where: { kind: 'rating_expire', subjectId: `${p.id}:${rating.round}` } })).toBe(1);
    // the petition's own order is finished too: no more reminders for it
    const open = await h.t.db.assignment.count({ where: { petitionId: p.id, status: { in: ['dispatched', 'accepted', 'in_progress'] } } });
    expect(open).toBe(0);

    await h.inbound({ ...coord, command: { name: 'rollcall', args: w.number } });
    await h.drain();
    const roll = h.telegram.to('-3001').at(-1)!.text;
    expect(roll).toContain('违建已拆除');
    expect(roll).toContain('已责令拆除并复查房屋安全');
    expect(roll).toMatch(/主办/);
  });

  it('refuses a whistle on a withdrawn or closed petition, saying why', async () => {
    const p = await newPetition('1002', '三里屯又有违建');
    await h.inbound({ userId: '1002', chatId: '1002', action: { data: `wd:${p.number}`, ackId: 'w1' } });
    await h.drain();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('withdrawn');
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 城管执法 住建` });
    await h.drain();
    expect(await h.t.db.whistle.count({ where: { petitionId: p.id } })).toBe(0);
    expect(h.telegram.to('-3001').at(-1)!.text).toMatch(/市民撤回/);
  });

  it('reminds a unit that has not reported, then escalates it to the district at the report deadline', async () => {
    const p = await newPetition('1003', '三里屯楼顶加盖');
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 住建 城管执法 30分钟` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id } });
    await h.inbound({ ...housing, text: `报到 ${w.number}` });
    await h.drain();
    const districtBefore = h.telegram.to('-3100').filter((m) => m.text.includes('吹哨未报到')).length;

    h.clock.advance(16 * 60_000); // half the report window: a reminder to the unit that has not reported
    await fire();
    await h.drain();
    const reminders = (chat: string) => h.telegram.to(chat).filter((m) => m.text.includes('报到提醒') && m.text.includes(w.number));
    expect(reminders('-2001')).toHaveLength(1);
    expect(reminders('-2201')).toHaveLength(0);
    expect(h.telegram.to('-3100').filter((m) => m.text.includes('吹哨未报到'))).toHaveLength(districtBefore);

    h.clock.advance(14 * 60_000); // the report deadline
    await fire();
    await h.drain();
    const district = h.telegram.to('-3100').filter((m) => m.text.includes('吹哨未报到') && m.text.includes(w.number));
    expect(district).toHaveLength(1);
    expect(district[0]!.text).toContain('执法');
  });

  it("co-handlers' handling deadlines get reminders and 督办 like the lead's", async () => {
    const p = await newPetition('1004', '紧急 三里屯违建阻塞消防通道');
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 住建 城管执法 10分钟` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id } });
    await h.inbound({ ...housing, text: `报到 ${w.number}` });
    await h.inbound({ ...enforcement, text: `报到 ${w.number}` });
    await h.drain();
    expect(w.dueAt.getTime() - w.createdAt.getTime()).toBe(2 * HOUR_MS); // emergency: 2 h
    const dueReminders = (chat: string) => h.telegram.to(chat).filter((m) => m.text.includes('吹哨催办') && m.text.includes(w.number));
    const overdue = () => h.telegram.to('-3001').filter((m) => m.text.includes('吹哨督办') && m.text.includes(w.number));

    h.clock.advance(61 * 60_000);
    await fire();
    await h.drain();
    expect(dueReminders('-2001')).toHaveLength(1);
    expect(dueReminders('-2201')).toHaveLength(1);
    // the lead finishes; the co-handler does not
    await h.inbound({ ...housing, text: `完成 ${w.number} 已拆除` });
    await h.drain();
    h.clock.advance(60 * 60_000);
    await fire();
    await h.drain();
    expect(dueReminders('-2001')).toHaveLength(2);
    expect(dueReminders('-2201')).toHaveLength(1);
    const escalated = overdue();
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.text).toContain('执法');
  });
});
