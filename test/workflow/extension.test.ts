import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { DAY_MS, HOUR_MS } from '../../core/workflow/policy.js';
import { createHarness, sanlitunGarbage, type Harness } from '../helpers/workflow.js';

/** 延期 is a request: the unit asks, the area's coordinator approves or refuses, and every timer moves with it. */
const understand = sanlitunGarbage;

let h: Harness;
const fire = () => fireDueTimers(h.deps, TIMER_HANDLERS);
const unit = { userId: '2001', chatId: '-2001' };
const coord = { userId: '3001', chatId: '-3001' };
const coordChat = '-3001';
const districtChat = '-3100';
const press = (who: { userId: string; chatId: string }, data: string) => h.inbound({ ...who, action: { data, ackId: `a${Math.random()}` } });

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: unit.chatId, unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: coordChat, areaCode: '110105-sanlitun' },
      { platform: 'telegram', chatId: districtChat, areaCode: '110105' },
    ],
  });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: unit.userId, role: 'staff', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', platformUserId: coord.userId, role: 'coordinator', areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => h.close());

const about = (chat: string, number: string, word: RegExp) => h.telegram.to(chat).filter((m) => m.text.includes(number) && word.test(m.text));

describe('延期 (extension) requests', () => {
  it('an approved extension moves every timer: the case does not reach the district at the old time', async () => {
    await h.inbound({ userId: '1001', chatId: '1001', text: '紧急 垃圾堆满堵住了楼道' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ include: { assignments: true } });
    const a = p.assignments[0]!;
    expect(a.dueAt!.getTime() - p.createdAt.getTime()).toBe(2 * HOUR_MS);

    h.clock.advance(30 * 60_000);
    await h.inbound({ ...unit, text: `延期 ${p.number} 1 需等待清运车辆` });
    await h.drain();
    // asked, not granted: the deadline stands until the coordinator decides
    expect((await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).dueAt).toEqual(a.dueAt);
    const request = h.telegram.to(coordChat).filter((m) => m.text.includes('延期申请')).at(-1)!;
    expect(request.text).toContain('需等待清运车辆');
    const approve = request.buttons!.flat().find((b) => b.data.startsWith('xa:'))!;
    expect(request.buttons!.flat().some((b) => b.data.startsWith('xr:'))).toBe(true);

    // the unit cannot approve its own request
    await press(unit, approve.data);
    await h.drain();
    expect((await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).extensions).toBe(0);

    await press(coord, approve.data);
    await h.drain();
    const extended = await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
    expect(extended.dueAt!.getTime() - a.dueAt!.getTime()).toBe(DAY_MS);
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).feedbackDueAt).toEqual(extended.dueAt);
    expect(h.telegram.to('1001').at(-1)!.text).toMatch(/延期至.*需等待清运车辆/);
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toMatch(/同意|approved/);

    // the old 3× time (6 h): nothing reaches the unit, the coordinator or the district
    h.clock.advance(5 * HOUR_MS + 31 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, /【催办提醒】/)).toHaveLength(0);
    expect(about(coordChat, p.number, /【督办】/)).toHaveLength(0);
    expect(about(districtChat, p.number, /【督办】/)).toHaveLength(0);

    // the moved timers fire at their moved times: 50 % at 1 h + 1 day, 督办 at 2 h + 1 day, district at 6 h + 1 day
    h.clock.current = new Date(p.createdAt.getTime() + DAY_MS + HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, /【催办提醒】/)).toHaveLength(1);
    h.clock.current = new Date(p.createdAt.getTime() + DAY_MS + 2 * HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(coordChat, p.number, /【督办】/)).toHaveLength(1);
    expect(about(districtChat, p.number, /【督办】/)).toHaveLength(0);
    h.clock.current = new Date(p.createdAt.getTime() + DAY_MS + 6 * HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(districtChat, p.number, /【督办】/)).toHaveLength(1);
  });

  it('limits per urgency: an emergency gets one extension of at most one day', async () => {
    const p = await h.t.db.petition.findFirstOrThrow();
    await h.inbound({ ...unit, text: `延期 ${p.number} 1 还需一天` });
    await h.drain();
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toMatch(/紧急.*1 次/);
    expect(await h.t.db.extensionRequest.count({ where: { status: 'pending' } })).toBe(0);

    await h.inbound({ userId: '1002', chatId: '1002', text: '紧急 另一处垃圾堵路' });
    await h.drain();
    const q = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    await h.inbound({ ...unit, text: `延期 ${q.number} 2 需要两天` });
    await h.drain();
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toMatch(/最多延期 1 天/);
    expect(await h.t.db.extensionRequest.count({ where: { status: 'pending' } })).toBe(0);
  });

  it('an extension approved while the unit waits on the resident moves the held timers too', async () => {
    await h.inbound({ userId: '1004', chatId: '1004', text: '紧急 垃圾倒在消防通道' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const t0 = p.createdAt.getTime();
    await h.inbound({ ...unit, text: `签收 ${p.number}` });
    h.clock.current = new Date(t0 + 10 * 60_000);
    await h.inbound({ ...unit, text: `询问 ${p.number} 是哪个消防通道？` });
    await h.inbound({ ...unit, text: `延期 ${p.number} 1 需协调物业清运` });
    await h.drain();
    const request = h.telegram.to(coordChat).filter((m) => m.text.includes('延期申请') && m.text.includes(p.number)).at(-1)!;
    await press(coord, request.buttons!.flat().find((b) => b.data.startsWith('xa:'))!.data);
    await h.drain();
    h.clock.current = new Date(t0 + 40 * 60_000);
    await h.inbound({ userId: '1004', chatId: '1004', text: '2号楼东侧' });
    await h.drain();
    // 50 % was at 1 h: +30 min waited, +1 day extended
    h.clock.current = new Date(t0 + DAY_MS + 89 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, /【催办提醒】/)).toHaveLength(0);
    h.clock.current = new Date(t0 + DAY_MS + 91 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, /【催办提醒】/)).toHaveLength(1);
  });

  it('a refused extension keeps the deadline; the unit hears why', async () => {
    await h.inbound({ userId: '1003', chatId: '1003', text: '小区垃圾没人清' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, include: { assignments: true } });
    await h.inbound({ ...unit, action: { data: `ext:${p.number}`, ackId: 'e1' } });
    await h.drain();
    await h.inbound({ ...unit, text: '3 需协调物业' });
    await h.drain();
    const request = h.telegram.to(coordChat).filter((m) => m.text.includes('延期申请') && m.text.includes(p.number)).at(-1)!;
    await press(coord, request.buttons!.flat().find((b) => b.data.startsWith('xr:'))!.data);
    await h.drain();
    await h.inbound({ ...coord, text: '三天内可以处理完' });
    await h.drain();
    const after = await h.t.db.assignment.findFirstOrThrow({ where: { petitionId: p.id } });
    expect(after.dueAt).toEqual(p.assignments[0]!.dueAt);
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toMatch(/未获同意/);
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toContain('三天内可以处理完');
    expect((await h.t.db.extensionRequest.findFirstOrThrow({ where: { assignmentId: after.id } })).status).toBe('refused');
    expect(h.telegram.to('1003').filter((m) => m.text.includes('延期'))).toHaveLength(0);
  });
});
