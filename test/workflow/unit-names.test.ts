/**
 * Coordinators name units the way they speak (自来水集团, 城管执法大队, 住建委员会): a name that
 * means one unit is taken, one that does not gets the closest units as buttons, and replies
 * show unit names, never ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchUnitName } from '../../core/org/units.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const understand = scriptedUnderstanding(() => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: { districtCode: '110105', streetCode: '110105-sanlitun' },
}));

let h: Harness;
const coord = { userId: '3001', chatId: '3001' };

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105' } });
});
afterAll(() => h.close());

async function petition() {
  const n = await h.t.db.petition.count();
  await h.inbound({ userId: `10${n}`, chatId: `10${n}`, text: '三里屯垃圾没人清运' });
  await h.drain();
  return h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
}

describe('matchUnitName', () => {
  it.each([
    ['自来水集团', 'city:water_group'],
    ['北京市自来水集团', 'city:water_group'],
    ['城管执法大队', '110105:urban_enforcement'],
    ['住建委员会', '110105:housing'],
    ['水务', '110105:water'],
    ['自来水公司', 'city:water_group'],
    ['住房局', '110105:housing'],
  ])('%s → %s', async (name, id) => {
    const m = await matchUnitName(h.t.db, '110105', name);
    expect(m.unit?.id).toBe(id);
  });

  it('a name no unit answers to is not picked; similar units are suggested', async () => {
    const fire = await matchUnitName(h.t.db, '110105', '消防队');
    expect(fire.unit).toBeNull();
    const utility = await matchUnitName(h.t.db, '110105', '自来谁集团');
    expect(utility.unit).toBeNull();
    expect(utility.suggestions[0]?.id).toBe('city:water_group');
  });
});

describe('/dispatch and /whistle', () => {
  it('/dispatch with a common name dispatches and names the unit, never its id', async () => {
    const p = await petition();
    await h.inbound({ ...coord, command: { name: 'dispatch', args: `${p.number} 自来水集团` } });
    await h.drain();
    const reply = h.telegram.to('3001').at(-1)!.text;
    expect(reply).toContain('北京市自来水集团');
    expect(reply).not.toMatch(/city:|110105:/);
    const lead = await h.t.db.assignment.findFirstOrThrow({ where: { petitionId: p.id, role: 'lead', status: { not: 'cancelled' } }, orderBy: { dispatchedAt: 'desc' } });
    expect(lead.unitId).toBe('city:water_group');
  });

  it('/dispatch with a name that fits no unit offers the closest as buttons; a tap dispatches', async () => {
    const p = await petition();
    await h.inbound({ ...coord, command: { name: 'dispatch', args: `${p.number} 自来谁集团` } });
    await h.drain();
    const offer = h.telegram.to('3001').at(-1)!;
    expect(offer.text).toContain('没有找到单位：自来谁集团');
    const button = offer.buttons!.flat().find((b) => b.label === '北京市自来水集团')!;
    expect(button).toBeDefined();
    // somebody else pressing it gets nothing
    await h.inbound({ userId: '9999', chatId: '9999', action: { data: button.data, ackId: 'not-mine' } });
    await h.drain();
    expect((await h.t.db.assignment.findFirstOrThrow({ where: { petitionId: p.id, role: 'lead', status: { not: 'cancelled' } }, orderBy: { dispatchedAt: 'desc' } })).unitId).not.toBe('city:water_group');
    await h.inbound({ ...coord, action: { data: button.data, ackId: 'mine' } });
    await h.drain();
    expect((await h.t.db.assignment.findFirstOrThrow({ where: { petitionId: p.id, role: 'lead', status: { not: 'cancelled' } }, orderBy: { dispatchedAt: 'desc' } })).unitId).toBe('city:water_group');
    expect(h.telegram.to('3001').at(-1)!.text).toContain('已派给 北京市自来水集团');
  });

  it('/whistle with an unknown name suggests instead of failing; a tap opens the whistle', async () => {
    const p = await petition();
    await h.inbound({ ...coord, command: { name: 'whistle', args: `${p.number} 城管 城建委 30分钟` } });
    await h.drain();
    const offer = h.telegram.to('3001').at(-1)!;
    expect(offer.text).toContain('城建委');
    const button = offer.buttons!.flat().find((b) => b.label.includes('住房和城乡建设委员会'))!;
    await h.inbound({ ...coord, action: { data: button.data, ackId: 'wh' } });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id }, include: { tasks: true } });
    expect(w.tasks.map((t) => t.unitId).sort()).toEqual(['110105:housing', '110105:urban_mgmt']);
    expect(w.reportDueAt.getTime() - w.createdAt.getTime()).toBe(30 * 60_000);
  });

  it('/help lists the short names a coordinator can use', async () => {
    await h.inbound({ ...coord, command: { name: 'help', args: '' } });
    await h.drain();
    const help = h.telegram.to('3001').at(-1)!.text;
    for (const name of ['城管委', '住建', '水务', '自来水', '街道']) expect(help).toContain(name);
  });
});
