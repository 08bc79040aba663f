import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const understand = scriptedUnderstanding((text) => ({
  category: { code: 'illegal_construction', confidence: 0.9 },
  place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {},
}));

let h: Harness;
const coord = { userId: '3001', chatId: '-3001' };
const mgmt = { userId: '2001', chatId: '-2001' };
const housing = { userId: '2201', chatId: '-2201' };

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

describe('吹哨报到', () => {
  it('summons departments on a petition, keeps a live roll-call, and escalates a late reporter', async () => {
    await h.inbound({ userId: '1001', chatId: '1001', text: '三里屯有人私搭乱建' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 城管执法 住建 30分钟` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ include: { tasks: true } });
    expect(w.tasks.map((t) => t.unitId).sort()).toEqual(['110105:housing', '110105:urban_enforcement']);
    expect(w.reportDueAt.getTime() - w.createdAt.getTime()).toBe(30 * 60_000);
    expect(h.telegram.to('-2001').at(-1)!.buttons?.flat().map((b) => b.data)).toContain(`rep:${w.number}`);
    const firstRollcall = h.telegram.to('-3001').find((m) => m.text.includes('点名'))!;
    expect(firstRollcall.text).toContain('报到 0/2');

    h.clock.advance(10 * 60_000);
    await h.inbound({ ...mgmt, action: { data: `rep:${w.number}`, ackId: 'x1' } });
    await h.drain();
    const live = h.telegram.to('-3001').filter((m) => m.text.includes('点名')).at(-1)!;
    expect(live.editMessageId).toBe(firstRollcall.messageId);
    expect(live.text).toContain('报到 1/2');

    h.clock.advance(25 * 60_000); // past the report time: housing is late
    await fireDueTimers(h.deps, TIMER_HANDLERS);
    await h.drain();
    expect(h.telegram.to('-2201').at(-1)!.text).toContain('报到提醒');
    expect(h.telegram.to('-3001').filter((m) => m.text.includes('点名')).at(-1)!.text).toMatch(/超时未报到/);
    h.clock.advance(30 * 60_000);
    await fireDueTimers(h.deps, TIMER_HANDLERS);
    await fireDueTimers(h.deps, TIMER_HANDLERS);
    await h.drain();
    expect(h.telegram.to('-3100').filter((m) => m.text.includes('吹哨未报到'))).toHaveLength(1);

    await h.inbound({ ...housing, text: `报到 ${w.number}` });
    await h.inbound({ ...coord, command: { name: 'rollcall', args: '' } });
    await h.drain();
    expect(h.telegram.to('-3001').at(-1)!.text).toMatch(/报到 2\/2[\s\S]*迟到/);

    await h.inbound({ ...mgmt, text: `完成 ${w.number} 已拆除` });
    await h.inbound({ ...housing, text: `完成 ${w.number} 已核查房屋安全` });
    await h.drain();
    expect((await h.t.db.whistle.findFirstOrThrow()).status).toBe('resolved');
  });

  it('opens a whistle on a place with no petition (未诉先办); a non-coordinator cannot', async () => {
    await h.inbound({ ...mgmt, text: '吹哨 三里屯 住建' });
    await h.drain();
    expect(await h.t.db.whistle.count()).toBe(1);
    await h.inbound({ ...coord, text: '吹哨 三里屯 住建 20' });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: null } });
    expect(w.areaCode).toBe('110105-sanlitun');
    expect(w.reportDueAt.getTime() - w.createdAt.getTime()).toBe(20 * 60_000);
  });
});
