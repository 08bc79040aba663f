import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { DEFAULT_POLICY, HOUR_MS } from '../../core/workflow/policy.js';
import { createHarness, sanlitunGarbage, type Harness } from '../helpers/workflow.js';

/** The feedback clock pauses while the unit waits on the resident (询问), and resumes on the answer or at the limit. */
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
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: unit.userId, role: 'staff', unitId: '110105:urban_mgmt', displayName: '王小明' } });
});
afterAll(() => h.close());

const about = (chat: string, number: string, word: string) => h.telegram.to(chat).filter((m) => m.text.includes(number) && m.text.includes(word));

describe('waiting on the resident (询问)', () => {
  it('pauses the deadline and its timers; the answer resumes them shifted by the time waited', async () => {
    const start = h.clock.now();
    await h.inbound({ userId: '1001', chatId: '1001', text: '紧急 楼道垃圾堆积发臭' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ include: { assignments: true } });
    const a = p.assignments[0]!;
    await h.inbound({ ...unit, text: `签收 ${p.number}` });
    await h.drain();

    h.clock.current = new Date(start.getTime() + 30 * 60_000);
    await h.inbound({ ...unit, text: `询问 ${p.number} 请问是几号楼几单元？` });
    await h.drain();
    const asked = h.telegram.to('1001').at(-1)!.text;
    expect(asked).toContain('请问是几号楼几单元？');
    expect(asked).toContain(p.number);
    expect(asked).toContain('城市管理委员会'); // signed by the unit
    expect(asked).not.toContain('王小明'); // never by the staff member
    expect((await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).waitingSince).toEqual(h.clock.now());

    // the old 50 % (1 h) and 80 % pass while waiting: nothing fires
    h.clock.current = new Date(start.getTime() + 90 * 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '催办')).toHaveLength(0);

    await h.inbound({ userId: '1001', chatId: '1001', text: '3号楼2单元' });
    await h.drain();
    const resumed = await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
    expect(resumed.waitingSince).toBeNull();
    expect(resumed.dueAt!.getTime() - a.dueAt!.getTime()).toBe(HOUR_MS);
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).feedbackDueAt).toEqual(resumed.dueAt);
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toContain('3号楼2单元');
    expect(await h.t.db.petition.count()).toBe(1); // the answer is not a new petition

    // the 50 % reminder now fires an hour later than it would have
    h.clock.current = new Date(start.getTime() + 2 * HOUR_MS - 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '催办')).toHaveLength(0);
    h.clock.current = new Date(start.getTime() + 2 * HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(unit.chatId, p.number, '催办')).toHaveLength(1);
    h.clock.current = new Date(start.getTime() + 3 * HOUR_MS + 60_000);
    await fire();
    await h.drain();
    expect(about(coordChat, p.number, '【督办】')).toHaveLength(1);
  });

  it('resumes by itself at the limit and tells the coordinator; a later message is not taken as the answer', async () => {
    const start = h.clock.now();
    await h.inbound({ userId: '1002', chatId: '1002', text: '小区门口垃圾桶坏了' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: '1002' } }, include: { assignments: true } });
    const a = p.assignments[0]!;
    await h.inbound({ ...unit, text: `询问 ${p.number} 是哪个门？` });
    await h.drain();
    // asking twice is refused
    await h.inbound({ ...unit, text: `询问 ${p.number} 东门还是西门？` });
    await h.drain();
    expect(h.telegram.to(unit.chatId).at(-1)!.text).toMatch(/已在等待/);

    h.clock.current = new Date(start.getTime() + DEFAULT_POLICY.residentWaitMs - 60_000);
    await fire();
    await h.drain();
    expect((await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).waitingSince).not.toBeNull();
    h.clock.current = new Date(start.getTime() + DEFAULT_POLICY.residentWaitMs + 60_000);
    await fire();
    await h.drain();
    const after = await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
    expect(after.waitingSince).toBeNull();
    expect(after.dueAt!.getTime() - a.dueAt!.getTime()).toBe(DEFAULT_POLICY.residentWaitMs);
    expect(about(coordChat, p.number, '未答复')).toHaveLength(1);
    expect(about(unit.chatId, p.number, '未答复')).toHaveLength(1);

    await h.inbound({ userId: '1002', chatId: '1002', text: '三里屯另一处垃圾桶也坏了' });
    await h.drain();
    expect(about(unit.chatId, p.number, '【市民答复】').map((m) => m.text)).toEqual([]);
    // no longer waiting for an answer (it may be asked whether this is the same problem: repeat folding)
    const awaiting = (await h.t.db.resident.findFirstOrThrow({ where: { platformUserId: '1002' } })).awaiting as { kind?: string } | null;
    expect(awaiting?.kind).not.toBe('reply');
  });
});
