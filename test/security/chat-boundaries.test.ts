/**
 * Chat boundaries an attacker inside a chat would try (SECURITY.md, "Chats"):
 * typed text never reaches a platform event, staff of one unit get no prompt
 * on another unit's card, and the whistle's 报到/完成 are in the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const SANLITUN = { districtCode: '110105', streetCode: '110105-sanlitun' };
const understand = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: text.includes('三里屯') ? SANLITUN : {},
}));

let h: Harness;
const unitGroup = { userId: '2001', chatId: '-2001' }; // staff of 110105:urban_mgmt in the unit's group
const outsider = { userId: '6666', chatId: '-2001' }; // a member of the group who is not staff
const otherUnit = { userId: '2201', chatId: '-2201' }; // staff of 110105:housing
const coord = { userId: '3001', chatId: '-3001' };

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', platformUserId: '2201', role: 'staff', unitId: '110105:housing' },
      { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105-sanlitun' },
      { platform: 'telegram', platformUserId: '3901', role: 'coordinator', areaCode: '110108' },
    ],
  });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: '-2201', unitId: '110105:housing' },
      { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => h.close());

const bindingOf = (chatId: string) => h.t.db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'telegram', chatId } } });

async function newPetition(text = '三里屯北街垃圾没人清运') {
  const before = await h.t.db.petition.count();
  await h.inbound({ userId: `10${before}`, chatId: `10${before}`, text });
  await h.drain();
  return h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
}

describe('typed text never acts as a platform event', () => {
  it('a group member who is not staff cannot move the binding with /_migrate, and the next card still reaches the group', async () => {
    await h.inbound({ ...outsider, command: { name: '_migrate', args: '6666' } });
    await h.inbound({ ...outsider, text: '/_migrate 6666' });
    await h.drain();
    expect(await bindingOf('-2001')).toMatchObject({ unitId: '110105:urban_mgmt' });
    expect(await bindingOf('6666')).toBeNull();
    const p = await newPetition();
    expect(h.telegram.to('-2001').some((m) => m.text.includes(p.number))).toBe(true);
    expect(h.telegram.to('6666')).toHaveLength(0);
  });

  it('registered staff cannot move it by typing either; only the platform event does', async () => {
    await h.inbound({ ...unitGroup, command: { name: '_migrate', args: '-1009999' } });
    await h.drain();
    expect(await bindingOf('-2001')).toMatchObject({ unitId: '110105:urban_mgmt' });
    await h.inbound({ ...unitGroup, messageId: 'migrate:-2001:-1002001', event: { kind: 'migrated', toChatId: '-1002001' } });
    await h.drain();
    expect(await bindingOf('-1002001')).toMatchObject({ unitId: '110105:urban_mgmt' });
    expect(await bindingOf('-2001')).toBeNull();
    await h.t.db.chatBinding.update({ where: { platform_chatId: { platform: 'telegram', chatId: '-1002001' } }, data: { chatId: '-2001' } });
  });

  it('a WeCom member typing /_migrate changes nothing', async () => {
    await h.t.db.chatBinding.create({ data: { platform: 'wecom', chatId: 'wrABC', unitId: '110105:water' } });
    await h.inbound({ platform: 'wecom', userId: 'lisi', chatId: 'wrABC', chatType: 'group', text: '/_migrate lisi', command: { name: '_migrate', args: 'lisi' } });
    await h.drain();
    expect(await h.t.db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'wecom', chatId: 'wrABC' } } })).toMatchObject({ unitId: '110105:water' });
    expect(await h.t.db.chatBinding.count({ where: { chatId: 'lisi' } })).toBe(0);
  });
});

describe('the right to act is checked before any prompt', () => {
  it.each([
    ['res', '办结'],
    ['prg', '进展'],
    ['ext', '延期'],
    ['ret', '退单'],
  ])('staff of another unit pressing %s on a card get a refusal, not the prompt', async (verb) => {
    const p = await newPetition();
    const before = h.telegram.to('-2201').length;
    await h.inbound({ ...otherUnit, action: { data: `${verb}:${p.number}`, ackId: `a-${verb}` } });
    await h.drain();
    const after = h.telegram.to('-2201').slice(before);
    expect(after.some((m) => m.forceReply)).toBe(false);
    expect(h.telegram.acks.find((a) => a.ackId === `a-${verb}`)?.text).toMatch(/无权|本单位|not/i);
    // and their next message in that chat is not taken as an answer
    await h.inbound({ ...otherUnit, text: '已处理完毕' });
    await h.drain();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('dispatched');
  });

  it('the assigned unit still gets the prompt', async () => {
    const p = await newPetition();
    await h.inbound({ ...unitGroup, action: { data: `res:${p.number}`, ackId: 'own-res' } });
    await h.drain();
    expect(h.telegram.to('-2001').at(-1)).toMatchObject({ forceReply: true });
    await h.inbound({ ...unitGroup, text: '已清运' });
    await h.drain();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('resolved');
  });

  it('a unit not summoned to a whistle pressing 完成 gets a refusal, not the prompt', async () => {
    const p = await newPetition();
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 城管` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id } });
    const before = h.telegram.to('-2201').length;
    await h.inbound({ ...otherUnit, action: { data: `fin:${w.number}`, ackId: 'fin-other' } });
    await h.drain();
    expect(h.telegram.to('-2201').slice(before).some((m) => m.forceReply)).toBe(false);
    expect(h.telegram.acks.find((a) => a.ackId === 'fin-other')?.text).toMatch(/未被召集|not summoned/);
  });
});

describe('coordinators and residents act only on their own', () => {
  const farCoord = { userId: '3901', chatId: '3901' }; // coordinator of 海淀区, in a private chat

  it('a coordinator of another district cannot review, reassign, whistle, merge or see the phone', async () => {
    const p = await newPetition('三里屯北街垃圾没人清运 13812345678');
    const other = await newPetition();
    const before = await h.t.db.petitionEvent.count();
    for (const data of [`ra:${p.number}`, `oa:${p.number}`, `mg:${p.number}:${other.number}`, `rr:${p.number}`, `od:${p.number}`]) {
      await h.inbound({ ...farCoord, action: { data, ackId: `far-${data}` } });
    }
    for (const text of [`/dispatch ${p.number} 住建`, `/contact ${p.number}`, `/whistle ${p.number} 城管`]) {
      const [name, ...args] = text.slice(1).split(' ');
      await h.inbound({ ...farCoord, command: { name: name!, args: args.join(' ') } });
    }
    await h.drain();
    expect(await h.t.db.petitionEvent.count()).toBe(before);
    expect(await h.t.db.whistle.count({ where: { petitionId: p.id } })).toBe(0);
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('dispatched');
    expect(h.telegram.to('3901').map((m) => m.text).join('\n')).not.toContain('13812345678');
    expect(h.telegram.to('3901').filter((m) => /不在您的辖区|Not in your area/.test(m.text)).length).toBeGreaterThanOrEqual(3);
  });

  it("a resident cannot rate, withdraw or add to someone else's petition with forged buttons", async () => {
    const p = await newPetition();
    const stranger = { userId: '1999', chatId: '1999' };
    for (const data of [`rc:${p.number}:1`, `wd:${p.number}`, `ad:${p.number}`]) await h.inbound({ ...stranger, action: { data, ackId: `s-${data}` } });
    await h.drain();
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('dispatched');
    const refusals = h.telegram.acks.filter((a) => a.ackId.startsWith('s-'));
    expect(refusals).toHaveLength(3);
    for (const a of refusals) expect(a.text).toMatch(/不是您提交的|Not your petition/);
  });
});

describe('the audit trail', () => {
  it('records who reported (报到) and who finished (完成) a whistle task', async () => {
    const p = await newPetition();
    await h.inbound({ ...coord, text: `吹哨 ${p.number} 城管` });
    await h.drain();
    const w = await h.t.db.whistle.findFirstOrThrow({ where: { petitionId: p.id } });
    await h.inbound({ ...unitGroup, text: `报到 ${w.number}` });
    await h.inbound({ ...unitGroup, text: `完成 ${w.number} 已清运` });
    await h.drain();
    const staff = await h.t.db.staff.findFirstOrThrow({ where: { platformUserId: '2001' } });
    const task = await h.t.db.whistleTask.findFirstOrThrow({ where: { whistleId: w.id } });
    expect(task).toMatchObject({ reportedBy: staff.id, resolvedBy: staff.id });
    const events = await h.t.db.petitionEvent.findMany({ where: { petitionId: p.id }, orderBy: { id: 'asc' } });
    const whistleEvents = events.filter((e) => e.reason?.includes(w.number));
    expect(whistleEvents.map((e) => [e.reason?.split(' ')[0], e.actorId])).toEqual([
      ['吹哨', expect.any(String)],
      ['报到', staff.id],
      ['完成', staff.id],
    ]);
  });
});
