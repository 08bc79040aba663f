import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSchedules, runSchedules } from '../../jobs/schedules.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
const understand = scriptedUnderstanding(() => ({ category: { code: 'garbage', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun' } }));
const all = defaultSchedules({ startDay: 19, timeZone: 'Asia/Shanghai' });
// the reports to coordinators; the daily lane digest is tested on its own below
const schedules = all.filter((s) => s.name !== 'lane_digest');

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105-sanlitun' } });
  await h.t.db.chatBinding.createMany({ data: [{ platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' }, { platform: 'telegram', chatId: '-3100', areaCode: '110105' }] });
});
afterAll(() => h.close());

describe('scheduled reports', () => {
  it('the monthly report reaches every coordination chat once, on the 19th', async () => {
    h.clock.current = new Date('2026-11-18T03:00:00Z'); // 18th, 11:00 Beijing
    expect(await runSchedules(h.deps, schedules)).toEqual([]); // first run only records the start
    h.clock.current = new Date('2026-11-19T00:30:00Z'); // 08:30 Beijing: not yet
    expect(await runSchedules(h.deps, schedules)).toEqual([]);
    h.clock.current = new Date('2026-11-19T01:05:00Z'); // 09:05 Beijing
    expect(await runSchedules(h.deps, schedules)).toEqual(['monthly_report']);
    expect(await runSchedules(h.deps, schedules)).toEqual([]);
    await h.drain();
    expect(h.telegram.to('-3001').filter((m) => m.text.includes('2026-11'))).toHaveLength(1);
    expect(h.telegram.to('-3100').filter((m) => m.text.includes('2026-11'))).toHaveLength(1);
  });

  it('the weekly 每月一题 proposal goes to the district on Monday morning', async () => {
    h.clock.current = new Date('2026-11-23T01:30:00Z'); // Monday 09:30 Beijing
    expect(await runSchedules(h.deps, schedules)).toEqual(['weekly_topics']);
    await h.drain();
    expect(h.telegram.to('-3100').at(-1)!.text).toMatch(/每月一题/);
    h.clock.current = new Date('2026-11-25T01:30:00Z');
    expect(await runSchedules(h.deps, schedules)).toEqual([]);
  });

  it('the 街巷长 digest runs once a day at 08:30 Beijing', async () => {
    const lane = all.filter((s) => s.name === 'lane_digest');
    await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '5101', role: 'lane_chief', areaCode: '110105-sanlitun', places: ['幸福村社区'] } });
    await h.inbound({ userId: '1001', chatId: '1001', text: '幸福村社区垃圾没人清' });
    await h.drain();
    await h.t.db.petition.updateMany({ data: { community: '幸福村社区' } });
    h.clock.current = new Date('2026-11-26T00:00:00Z'); // 08:00 Beijing
    expect(await runSchedules(h.deps, lane)).toEqual([]); // first run only records the start
    h.clock.current = new Date('2026-11-26T00:31:00Z'); // 08:31
    expect(await runSchedules(h.deps, lane)).toEqual(['lane_digest']);
    expect(await runSchedules(h.deps, lane)).toEqual([]);
    await h.drain();
    expect(h.telegram.to('5101').filter((m) => m.text.includes('街巷日报'))).toHaveLength(1);
    h.clock.current = new Date('2026-11-27T00:31:00Z');
    expect(await runSchedules(h.deps, lane)).toEqual(['lane_digest']);
  });

  it('/stats and /hotspots answer coordinators with their area’s figures; a bad month is explained', async () => {
    await h.inbound({ userId: '3001', chatId: '-3001', command: { name: 'stats', args: '' } });
    await h.inbound({ userId: '3001', chatId: '-3001', command: { name: 'stats', args: 'November' } });
    await h.inbound({ userId: '3001', chatId: '-3001', command: { name: 'hotspots', args: '' } });
    await h.drain();
    const [stats, bad, hot] = h.telegram.to('-3001').slice(-3);
    expect(stats!.text).toMatch(/三里屯|未找到|考核/);
    expect(bad!.text).toMatch(/2026-11/);
    expect(hot!.text).toMatch(/热点/);
  });
});
