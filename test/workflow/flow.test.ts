import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const SANLITUN = { districtCode: '110105', streetCode: '110105-sanlitun', method: 'alias', confidence: 0.9 };
const understand = scriptedUnderstanding((text) => {
  if (text.includes('垃圾')) return { category: { code: 'garbage', confidence: 0.9 }, place: text.includes('三里屯') ? SANLITUN : { districtCode: text.includes('朝阳') ? '110105' : null }, summary: '垃圾桶满溢未清运' };
  if (text.includes('三里屯')) return { place: SANLITUN };
  return {};
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105-sanlitun' },
    ],
  });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' },
      { platform: 'telegram', chatId: '-9001', unitId: '110105:district_gov' },
    ],
  });
});
afterAll(() => h.close());

const resident = { userId: '1001', chatId: '1001' };
const staff = { userId: '2001', chatId: '-2001' };
const coordinator = { userId: '3001', chatId: '-3001' };
const press = (who: { userId: string; chatId: string }, data: string) => h.inbound({ ...who, action: { data, ackId: `ack-${data}-${Math.random()}` } });

describe('a petition from message to reopen', () => {
  let number = '';

  it('turns a message into a numbered petition, a card for the unit and an acknowledgement', async () => {
    await h.inbound({ ...resident, text: '三里屯这边垃圾桶满了好几天没人清运，电话13812345678' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    number = p.number;
    expect(number).toMatch(/^2611250001$/);
    expect(p.status).toBe('dispatched');
    expect(p.maskedText).not.toContain('13812345678');
    const card = h.telegram.to('-2001')[0]!;
    expect(card.text).toContain(number);
    expect(card.text).not.toContain('13812345678');
    expect(card.buttons?.flat().map((b) => b.data)).toContain(`acc:${number}`);
    expect(h.telegram.to('1001')[0]!.text).toContain(`诉求编号 ${number}`);
  });

  it('refuses a button press from someone who is not staff of the unit', async () => {
    await press({ userId: '7777', chatId: '-2001' }, `acc:${number}`);
    await h.drain();
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('dispatched');
    expect(h.telegram.acks.at(-1)!.text).toMatch(/工作人员|registered/);
  });

  it('accepts, then resolves with an answer typed in reply to the prompt', async () => {
    await press(staff, `acc:${number}`);
    await press(staff, `res:${number}`);
    await h.drain();
    expect(h.telegram.to('-2001').at(-1)!.forceReply).toBe(true);
    await h.inbound({ ...staff, text: '已安排环卫车清运完毕' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    expect(p.status).toBe('resolved');
    const toResident = h.telegram.to('1001').at(-1)!;
    expect(toResident.text).toContain('已安排环卫车清运完毕');
    expect(toResident.buttons?.flat().map((b) => b.data)).toEqual([`rc:${number}:1`, `rc:${number}:0`]);
  });

  it('an unhappy rating becomes a reopen request the coordinator approves', async () => {
    await press(resident, `rc:${number}:1`);
    await press(resident, `rs:${number}:u`);
    await press(resident, `rf:${number}:d`);
    await h.drain();
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('reopen_requested');
    const review = h.telegram.to('-3001').at(-1)!;
    expect(review.buttons?.flat().map((b) => b.data)).toContain(`oa:${number}`);
    await press(coordinator, `oa:${number}`);
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    expect(p.status).toBe('reopened');
    expect(p.reopenCount).toBe(1);
    const cards = h.telegram.to('-2001').filter((m) => m.text.startsWith('派单'));
    expect(cards).toHaveLength(2);
    const rating = await h.t.db.rating.findFirstOrThrow();
    expect(rating).toMatchObject({ contacted: true, solved: 'unsolved', satisfaction: 'dissatisfied' });
    const actions = (await h.t.db.petitionEvent.findMany({ orderBy: { id: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['receive', 'dispatch', 'accept', 'resolve', 'request_reopen', 'approve_reopen']);
  });

  it('a shared phone is stored encrypted, masked on cards, and shown only to the coordinator in private', async () => {
    await h.inbound({ userId: '1005', chatId: '1005', contactPhone: '13987654321', text: '朝阳区三里屯的垃圾站臭气熏天' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: '1005' } }, include: { resident: true } });
    expect(Buffer.from(p.resident!.phoneEnc!).toString('latin1')).not.toContain('13987654321');
    const card = h.telegram.to('-2001').find((m) => m.text.includes(p.number))!;
    expect(card.text).toContain('139****4321');
    expect(card.text).not.toContain('13987654321');
    await h.inbound({ ...coordinator, command: { name: 'contact', args: p.number } });
    await h.inbound({ userId: '3001', chatId: '3001', command: { name: 'contact', args: p.number } });
    await h.drain();
    expect(h.telegram.to('-3001').at(-1)!.text).not.toContain('13987654321');
    expect(h.telegram.to('3001').at(-1)!.text).toContain('13987654321');
    const stored = await h.t.db.delivery.findMany({ where: { chatId: '3001' } });
    expect(JSON.stringify(stored)).not.toContain('13987654321');
  });

  it('a redelivered message creates nothing new', async () => {
    const first = await h.inbound({ ...resident, messageId: 'dup-1', text: '朝阳区三里屯又有垃圾没清运' });
    const again = await h.inbound({ ...resident, messageId: 'dup-1', text: '朝阳区三里屯又有垃圾没清运' });
    await h.drain();
    expect([first, again]).toEqual([true, false]);
    expect(await h.t.db.inboundMessage.count({ where: { messageId: 'dup-1' } })).toBe(1);
  });
});

describe('platform events', () => {
  it('a group that becomes a supergroup keeps its binding under the new id', async () => {
    await h.inbound({ userId: '2001', chatId: '-2001', event: { kind: 'migrated', toChatId: '-1002001' } });
    await h.drain();
    expect(await h.t.db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'telegram', chatId: '-1002001' } } })).toMatchObject({ unitId: '110105:urban_mgmt' });
    expect(await h.t.db.chatBinding.count({ where: { chatId: '-2001' } })).toBe(0);
  });
});
