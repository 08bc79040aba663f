import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../core/workflow/context.js';
import { laneDigests } from '../../core/workflow/steward.js';
import { stewardStats } from '../../core/insight/stewards.js';
import { periodOf } from '../../core/insight/period.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

/** 小巷管家 one-tap reports and 街巷长 copies and digests, through the bots. */
const understand = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  // the steward's words name no place: the report must not wait for one
  place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {},
}));

let h: Harness;
const steward = { userId: '5001', chatId: '5001' };
const chief = { userId: '5101', chatId: '5101' };
const otherChief = { userId: '5102', chatId: '5102' };
const unitChat = '-2001';
const coord = { userId: '3001', chatId: '-3001' };
const press = (who: { userId: string; chatId: string }, data: string) => h.inbound({ ...who, action: { data, ackId: `a${Math.random()}` } });
const buttons = (chat: string) => h.telegram.to(chat).at(-1)!.buttons!.flat();

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: steward.userId, role: 'steward', areaCode: '110105-sanlitun', places: ['三里屯北社区', '幸福村社区'], displayName: '李阿姨' },
      { platform: 'telegram', platformUserId: chief.userId, role: 'lane_chief', areaCode: '110105-sanlitun', places: ['幸福村社区'] },
      { platform: 'telegram', platformUserId: otherChief.userId, role: 'lane_chief', areaCode: '110105-sanlitun', places: ['三里屯北社区'] },
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', platformUserId: coord.userId, role: 'coordinator', areaCode: '110105-sanlitun' },
    ],
  });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: unitChat, unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: coord.chatId, areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => h.close());

describe('小巷管家 one-tap report', () => {
  it('category button → community → photo and a line → dispatched at once, marked as a steward report; the lane chief gets a copy', async () => {
    await h.inbound({ ...steward, text: '你好' });
    await h.drain();
    const cats = buttons(steward.chatId);
    expect(cats.map((b) => b.label)).toContain('垃圾分类与清运');
    await press(steward, cats.find((b) => b.label === '垃圾分类与清运')!.data);
    await h.drain();
    const places = buttons(steward.chatId);
    expect(places.map((b) => b.label)).toEqual(expect.arrayContaining(['三里屯北社区', '幸福村社区']));
    await press(steward, places.find((b) => b.label === '幸福村社区')!.data);
    await h.drain();
    expect(buttons(steward.chatId).map((b) => b.label)).toContain('直接上报');
    await h.inbound({ ...steward, text: '3号楼前垃圾桶满溢', photo: { fileId: 'photo-1' } });
    await h.drain();

    const p = await h.t.db.petition.findFirstOrThrow({ include: { assignments: true } });
    expect(p.stewardId).toBeTruthy();
    expect(p.status).toBe('dispatched');
    expect([p.streetCode, p.community, p.categoryCode]).toEqual(['110105-sanlitun', '幸福村社区', 'garbage']);
    expect(p.attachments).toEqual([{ kind: 'photo', fileId: 'photo-1', platform: 'telegram' }]);
    expect(p.assignments[0]!.unitId).toBe('110105:urban_mgmt');
    expect(h.telegram.to(unitChat).some((m) => m.text.includes(p.number) && m.text.includes('派单'))).toBe(true);
    // followed like a resident: the steward has the acknowledgement with the number
    expect(h.telegram.to(steward.chatId).some((m) => m.text.includes(`诉求编号 ${p.number}`))).toBe(true);
    // no clarification round was asked
    expect(h.telegram.to(steward.chatId).some((m) => /具体地点/.test(m.text))).toBe(false);

    const copies = h.telegram.to(chief.chatId).filter((m) => m.text.includes('街巷抄送'));
    expect(copies).toHaveLength(1);
    expect(copies[0]!.text).toContain(p.number);
    expect(copies[0]!.text).toContain('小巷管家');
    expect(h.telegram.to(otherChief.chatId)).toHaveLength(0);
  });

  it('someone who is not a steward cannot use the steward buttons', async () => {
    const before = await h.t.db.petition.count();
    await press({ userId: '1010', chatId: '1010' }, 'sc:garbage');
    await press({ userId: '1010', chatId: '1010' }, 'sk');
    await h.drain();
    expect(await h.t.db.petition.count()).toBe(before);
    expect(h.telegram.to('1010').at(-1)!.text).toMatch(/小巷管家/);
  });

  it('a steward lists the open petitions of their area', async () => {
    const p = await h.t.db.petition.findFirstOrThrow();
    await h.inbound({ userId: '1009', chatId: '1009', text: '三里屯路边垃圾没人清' });
    await h.drain();
    await h.inbound({ ...steward, text: '片区' });
    await h.drain();
    const list = h.telegram.to(steward.chatId).at(-1)!.text;
    expect(list).toContain(p.number);
    expect(list).toContain('【管家】');
    expect(list).toMatch(/未办结诉求 2 件/);
  });

  it('a lane chief gets a daily digest of the open petitions on their lanes', async () => {
    const p = await h.t.db.petition.findFirstOrThrow({ where: { stewardId: { not: null } } });
    await inTx(h.deps, (w) => laneDigests(w, '2026-11-25'));
    await h.drain();
    const digest = h.telegram.to(chief.chatId).filter((m) => m.text.includes('街巷日报'));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain(p.number);
    expect(digest[0]!.text).toMatch(/1 件/);
    // the same day twice: once
    await inTx(h.deps, (w) => laneDigests(w, '2026-11-25'));
    await h.drain();
    expect(h.telegram.to(chief.chatId).filter((m) => m.text.includes('街巷日报'))).toHaveLength(1);
  });

  it('steward reports and their outcomes are in /stats', async () => {
    const p = await h.t.db.petition.findFirstOrThrow({ where: { stewardId: { not: null } } });
    h.clock.advance(3 * 3_600_000);
    await h.inbound({ userId: '2001', chatId: unitChat, text: `办结 ${p.number} 已清运` });
    await h.drain();
    const period = periodOf(h.clock.now(), { startDay: 19, timeZone: 'Asia/Shanghai' }).key;
    const st = await stewardStats(h.t.db, { period, startDay: 19, timeZone: 'Asia/Shanghai', code: '110105-sanlitun' });
    expect(st.total).toEqual({ reports: 1, resolved: 1, solved: 0, avgHours: 3 });
    expect(st.rows[0]!.name).toBe('李阿姨');
    await h.inbound({ ...coord, text: '统计' });
    await h.drain();
    expect(h.telegram.to(coord.chatId).at(-1)!.text).toContain('小巷管家上报 1 件，办结 1 件');
  });

  it('a location pin answers the community question: filed for the street at once, the point on the card', async () => {
    await h.inbound({ ...steward, text: '你好' });
    await h.drain();
    await press(steward, buttons(steward.chatId).find((b) => b.label === '垃圾分类与清运')!.data);
    await h.drain();
    expect(h.telegram.to(steward.chatId).at(-1)!.text).toContain('发送位置');
    const before = await h.t.db.petition.count();
    await h.inbound({ ...steward, location: { lat: 39.9365, lng: 116.4551, coordSystem: 'wgs84' } });
    await h.drain();
    expect(await h.t.db.petition.count()).toBe(before + 1);
    const p = await h.t.db.petition.findFirstOrThrow({ where: { stewardId: { not: null } }, orderBy: { createdAt: 'desc' } });
    expect([p.streetCode, p.community, p.status, p.lat, p.lng]).toEqual(['110105-sanlitun', null, 'dispatched', 39.9365, 116.4551]);
    const card = h.telegram.to(unitChat).find((m) => m.text.includes(p.number) && m.text.includes('派单'))!;
    expect(card.text).toContain('uri.amap.com/marker');
  });

});
