/**
 * A mobile number a resident types into a message becomes their contact (encrypted, masked for
 * everyone but a coordinator's /contact in private) when none is on file; it never replaces a phone
 * they shared with the contact button, never leaves Postgres unmasked, and costs the intake no
 * statement (it rides on the resident upsert).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskText, residentMobile } from '../../core/pii.js';
import { inTx } from '../../core/workflow/context.js';
import { receiveResidentMessage } from '../../core/workflow/intake.js';
import { statementsDuring } from '../helpers/count.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const SANLITUN = { districtCode: '110105', streetCode: '110105-sanlitun', method: 'alias', confidence: 0.9 };
// Masked as the understanding module masks (core/pii.ts maskText), so the cards show what they would in production.
const understand = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: text.includes('三里屯') ? SANLITUN : {},
  maskedText: maskText(text),
  summary: maskText(text).slice(0, 40),
}));

let h: Harness;
const coordinator = { userId: '3001', chatId: '3001' };

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '3001', role: 'coordinator', areaCode: '110105-sanlitun' },
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' },
    ],
  });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => h.close());

const residentOf = (userId: string) => h.t.db.resident.findFirstOrThrow({ where: { platformUserId: userId } });
const storedPhone = async (userId: string) => {
  const r = await residentOf(userId);
  return r.phoneEnc ? h.deps.sealer.open(r.phoneEnc) : null;
};
const lastPetition = (userId: string) => h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: userId } }, orderBy: { createdAt: 'desc' } });
/** What /contact tells the coordinator in a private chat. */
const contactFor = async (number: string) => {
  await h.inbound({ ...coordinator, command: { name: 'contact', args: number } });
  await h.drain();
  return h.telegram.to(coordinator.chatId).at(-1)!.text;
};

describe('a phone number typed in a message', () => {
  it('becomes the contact: sealed, masked on the card, revealed only to the coordinator in private', async () => {
    await h.inbound({ userId: '1001', chatId: '1001', text: '三里屯垃圾站好几天没人清运，我的电话 138-1234-5678，随时联系' });
    await h.drain();
    const r = await residentOf('1001');
    expect(r.phoneMasked).toBe('138****5678');
    expect(Buffer.from(r.phoneEnc!).toString('latin1')).not.toContain('13812345678');
    expect(await storedPhone('1001')).toBe('13812345678');

    const p = await lastPetition('1001');
    const card = h.telegram.to('-2001').find((m) => m.text.includes(p.number))!;
    expect(card.text).toContain('联系方式：138****5678');
    expect(card.text).not.toMatch(/13812345678|138-1234-5678/);

    expect(await contactFor(p.number)).toBe(`${p.number} 联系电话：13812345678`);
    // In the area's group the number is refused.
    await h.inbound({ userId: '3001', chatId: '-3001', command: { name: 'contact', args: p.number } });
    await h.drain();
    expect(h.telegram.to('-3001').at(-1)!.text).not.toContain('13812345678');

    // Nothing outside the sealed columns holds it: not the outbox (job payloads), deliveries, events or the petition.
    const rows = JSON.stringify(
      [await h.t.db.outbox.findMany(), await h.t.db.delivery.findMany(), await h.t.db.petitionEvent.findMany(), await h.t.db.petition.findMany({ select: { maskedText: true, summary: true } })],
      (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
    );
    expect(rows).toContain('138****5678');
    expect(rows).not.toMatch(/13812345678|1234-5678/);
  });

  it('a +86 number with spaces is kept as its 11 digits', async () => {
    await h.inbound({ userId: '1002', chatId: '1002', text: '三里屯路边垃圾很多 联系我：+86 139 8765 4321' });
    await h.drain();
    expect(await storedPhone('1002')).toBe('13987654321');
    expect((await residentOf('1002')).phoneMasked).toBe('139****4321');
  });

  it('does not replace a phone the resident shared with the contact button', async () => {
    await h.inbound({ userId: '1003', chatId: '1003', contactPhone: '13700001111', text: '' });
    await h.inbound({ userId: '1003', chatId: '1003', text: '三里屯垃圾没人管，打我电话13600002222' });
    await h.drain();
    expect(await storedPhone('1003')).toBe('13700001111');
    expect((await residentOf('1003')).phoneMasked).toBe('137****1111');
    expect(await contactFor((await lastPetition('1003')).number)).toContain('13700001111');
  });

  it('is kept only while no phone is on file; a shared contact later replaces it', async () => {
    await h.inbound({ userId: '1004', chatId: '1004', text: '三里屯垃圾站很臭 13500003333' });
    await h.inbound({ userId: '1004', chatId: '1004', text: '三里屯垃圾站还是很臭 换个号码 13500004444' });
    await h.drain();
    expect(await storedPhone('1004')).toBe('13500003333');
    await h.inbound({ userId: '1004', chatId: '1004', contactPhone: '13500005555', text: '' });
    await h.drain();
    expect(await storedPhone('1004')).toBe('13500005555');
    expect((await residentOf('1004')).phoneMasked).toBe('135****5555');
  });

  it('someone else’s number (the property office, a landlord) is not taken as the resident’s', async () => {
    await h.inbound({ userId: '1005', chatId: '1005', text: '三里屯小区垃圾堆着，物业电话13800006666一直没人接' });
    await h.drain();
    expect(await residentOf('1005')).toMatchObject({ phoneEnc: null, phoneMasked: null });
    expect(await contactFor((await lastPetition('1005')).number)).toMatch(/未留电话/);
    // …but the resident's own number in the same message is.
    await h.inbound({ userId: '1006', chatId: '1006', text: '三里屯垃圾没人清，房东电话13800007777不管，我的手机13800008888' });
    await h.drain();
    expect(await storedPhone('1006')).toBe('13800008888');
  });

  it('a message without a phone leaves the contact as it was', async () => {
    await h.inbound({ userId: '1002', chatId: '1002', text: '三里屯又有垃圾了' });
    await h.drain();
    expect(await storedPhone('1002')).toBe('13987654321');
  });
});

describe('what counts as the resident’s mobile', () => {
  it.each([
    ['电话13812345678', '13812345678'],
    ['手机：138 1234 5678', '13812345678'],
    ['0086-138-1234-5678', '13812345678'],
    ['座机010-65123456', null],
    ['身份证110105199001011234', null],
    ['单号2611250001', null],
    ['物业经理的电话是：13812345678', null],
    ['no phone here', null],
  ])('%s → %s', (text, want) => {
    expect(residentMobile(text)).toBe(want);
  });
});

describe('statements', () => {
  const intake = (userId: string, text: string, contactPhone?: string) =>
    statementsDuring(() => inTx(h.deps, (w) => receiveResidentMessage(w, { resident: { platform: 'telegram', userId, chatId: userId }, inboundId: `stmt-${userId}`, text, contactPhone })));

  it('a phone in the text, or a shared one, costs the intake no statement', async () => {
    const plain = await intake('1101', '三里屯垃圾站好几天没人清运');
    const typed = await intake('1102', '三里屯垃圾站好几天没人清运 13812340000');
    const shared = await intake('1103', '三里屯垃圾站好几天没人清运', '13812340001');
    expect(typed).toHaveLength(plain.length);
    expect(shared).toHaveLength(plain.length);
    expect(await storedPhone('1102')).toBe('13812340000');
    expect(await storedPhone('1103')).toBe('13812340001');
  });
});
