/**
 * Evidence and contact on Telegram, end to end (service + the embedded Bot API emulator, which the
 * sandbox teaches to take media re-sent by file id): a voice note is acknowledged and reaches the
 * unit with the card; a later photo is threaded to the card; a location pin is shown as a GCJ-02 map
 * point; a sticker gets a clear answer; the unit reveals the phone in private (audited, limited per
 * day, refused when the resident asked for the platform only); first contact is recorded and
 * /stats names the petitions nobody has contacted near their deadline.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import gcoordModule from 'gcoord';
import { SANDBOX_ORG } from '../../core/org/sandbox.js';
import { COORDINATOR, RESIDENT, STAFF, startE2e, type BotMessage, type E2e } from './harness.js';

type Gcoord = typeof gcoordModule.default;
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

async function service(ctx: TestContext, opts: Parameters<typeof startE2e>[0] = {}): Promise<E2e> {
  const e = await startE2e(opts);
  ctx.onTestFinished(() => e.close());
  return e;
}

const numberIn = (text: string) => /诉求编号 (\d{10,11})/.exec(text)?.[1];
const isCardOf = (no: string) => (m: BotMessage) => m.text.startsWith(`派单 ${no}`);
const VOICE = { file_id: 'AwACAgVoiceNote01', file_unique_id: 'vn01', duration: 7, mime_type: 'audio/ogg', file_size: 23_000 };
const PHOTO = [
  { file_id: 'AgACPhotoSmall', file_unique_id: 'ps', width: 90, height: 90, file_size: 1_000 },
  { file_id: 'AgACPhotoLarge', file_unique_id: 'pl', width: 1280, height: 960, file_size: 120_000 },
];

describe.concurrent('evidence and contact on Telegram', { timeout: 60_000 }, () => {
  it('a voice note alone is acknowledged, kept, and re-sent to the unit threaded to the card; a later photo follows the card', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);

    await resident.send({ voice: VOICE });
    const ack = await e.waitFor(RESIDENT.chatId, (m) => m.text.includes('已收到您的语音'));
    expect(ack.text).toContain('请用文字描述');

    await resident.say('朝阳区三里屯街道 幸福村中路12号 垃圾桶满了好几天没人清运，语音里说得更清楚');
    const filed = await e.waitFor(RESIDENT.chatId, (m) => !!numberIn(m.text));
    const no = numberIn(filed.text)!;
    const card = await e.waitFor(STAFF.chatId, isCardOf(no));
    expect(card.text).toContain('附件：语音 1');
    const voice = await e.waitFor(STAFF.chatId, (m) => m.text === `[voice] ${VOICE.file_id}`);
    expect(voice.replyTo).toBe(card.messageId);

    // Later: a photo alone while this is the one open petition → evidence for it, threaded to its card.
    await resident.send({ photo: PHOTO });
    await e.waitFor(RESIDENT.chatId, (m) => m.text.includes(`您的诉求 ${no} 正在办理`));
    const more = await e.waitFor(STAFF.chatId, (m) => m.text.startsWith(`【补充材料】诉求 ${no}`));
    expect(more.replyTo).toBe(card.messageId);
    expect(more.text).toContain('照片 1');
    const photo = await e.waitFor(STAFF.chatId, (m) => m.text === '[photo] AgACPhotoLarge');
    expect(photo.replyTo).toBe(more.messageId);

    const p = await e.app.db.petition.findUniqueOrThrow({ where: { number: no } });
    expect((p.attachments as { kind: string; fileId?: string }[]).map((a) => [a.kind, a.fileId])).toEqual([
      ['voice', VOICE.file_id],
      ['photo', 'AgACPhotoLarge'],
    ]);
  });

  it('a location pin is shown on the card as a GCJ-02 map point with an AMap link, and re-sent as a pin; a sticker gets a clear answer', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);
    const pin = { latitude: 39.93612, longitude: 116.45358 };

    await resident.send({ sticker: { file_id: 'CAACSticker', file_unique_id: 'st', width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' } });
    await e.waitFor(RESIDENT.chatId, (m) => m.text.includes('暂不支持表情'));

    await resident.say('朝阳区三里屯街道 这里的垃圾桶满了好几天没人清运', { location: pin });
    const filed = await e.waitFor(RESIDENT.chatId, (m) => !!numberIn(m.text));
    const no = numberIn(filed.text)!;
    const card = await e.waitFor(STAFF.chatId, isCardOf(no));
    const [lng, lat] = gcoord.transform([pin.longitude, pin.latitude], gcoord.WGS84, gcoord.GCJ02) as [number, number];
    const position = `${lng.toFixed(6).replace(/0+$/, '')},${lat.toFixed(6).replace(/0+$/, '')}`;
    expect(card.text).toContain(`https://uri.amap.com/marker?position=${position}`);
    expect(card.text).toContain('GCJ-02');
    // the raw WGS-84 point is not what the unit is shown
    expect(card.text).not.toContain(`position=${pin.longitude},${pin.latitude}`);
    const sentPin = await e.waitFor(STAFF.chatId, (m) => m.text.startsWith('[location] '));
    expect(sentPin.text).toBe(`[location] ${pin.latitude},${pin.longitude}`);
    expect(sentPin.replyTo).toBe(card.messageId);
  });

  it('without a geocoder the place question does not invite a pin, and a pin already sent is said to go to the unit while a named place is still asked for', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);
    await resident.say('小区门口的垃圾桶满了好几天没人清运');
    const q = await e.waitFor(RESIDENT.chatId, (m) => m.text.includes('具体地点'));
    expect(q.text).toContain('仍需写明地点名称');
    expect(q.text).not.toMatch(/也可以发送位置|or send a location pin/);

    const other = e.person({ ...RESIDENT, userId: 1002, chatId: 1002 });
    await other.say('这里的垃圾桶满了好几天没人清运', { location: { latitude: 39.93, longitude: 116.45 } });
    const q2 = await e.waitFor(1002, (m) => m.text.includes('已收到您的定位'));
    expect(q2.text).toContain('会转给办理单位');
  });

  it('📞 联系市民 sends the phone only to the staff member who asked, in private; it is audited, counted as first contact, and limited per day', async (ctx) => {
    const e = await service(ctx, { env: { PHONE_REVEALS_PER_DAY: '1' } });
    const resident = e.person(RESIDENT);
    const staff = e.person(STAFF);

    await resident.say('朝阳区三里屯街道 工体北路4号院 垃圾桶满了好几天没人清运，我的电话13812345678');
    const no = numberIn((await e.waitFor(RESIDENT.chatId, (m) => !!numberIn(m.text))).text)!;
    const card = await e.waitFor(STAFF.chatId, isCardOf(no));
    expect(card.text).toContain('联系市民：尚未联系');
    expect(card.text).not.toContain('13812345678');

    await staff.press(card, '联系市民');
    const reveal = await e.waitFor(STAFF.userId, (m) => m.text.includes(`诉求 ${no} 市民电话`));
    expect(reveal.text).toContain('13812345678');
    await e.until(() => e.calls.some((c) => c.method === 'answerCallbackQuery' && String(c.body.text ?? '').includes('私信')), 10_000, 'the press answered');
    await e.settle();
    expect(e.messages(STAFF.chatId).some((m) => m.text.includes('13812345678'))).toBe(false);

    const staffRow = await e.app.db.staff.findFirstOrThrow({ where: { platformUserId: String(STAFF.userId) } });
    const audit = await e.app.db.petitionEvent.findMany({ where: { petition: { number: no }, reason: 'phone_revealed' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(staffRow.id);
    const a = await e.app.db.assignment.findFirstOrThrow({ where: { petition: { number: no }, unitId: SANDBOX_ORG.unitId } });
    expect(a.contactMethod).toBe('phone');
    expect(a.contactedAt).not.toBeNull();

    // The day's limit (1 here) is spent: the second press is refused and nothing is sent.
    await staff.press(card, '联系市民');
    await e.waitFor(STAFF.chatId, (m) => m.text.includes('已达上限'));
    await e.settle();
    expect(e.messages(STAFF.userId).filter((m) => m.text.includes('市民电话'))).toHaveLength(1);
    expect(await e.app.db.petitionEvent.count({ where: { reason: 'phone_revealed' } })).toBe(1);
  });

  it('a resident who asks for the platform only: the card says so and the reveal is refused with that reason', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);
    const staff = e.person(STAFF);
    await resident.say('朝阳区三里屯街道 工体北路6号院 垃圾桶满了好几天没人清运，电话13900001111，只在平台沟通，不要打电话');
    const no = numberIn((await e.waitFor(RESIDENT.chatId, (m) => !!numberIn(m.text))).text)!;
    const card = await e.waitFor(STAFF.chatId, isCardOf(no));
    expect(card.text).toContain('市民要求只在平台沟通');
    await staff.press(card, '联系市民');
    await e.waitFor(STAFF.chatId, (m) => m.text.includes('市民要求只在平台沟通，不接受电话联系'));
    await e.settle();
    expect(e.messages(STAFF.userId)).toHaveLength(0);
    expect(await e.app.db.petitionEvent.count({ where: { reason: 'phone_revealed' } })).toBe(0);
  });

  it('已联系 records the first contact; /stats names the uncontacted petitions past half their time', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);
    const staff = e.person(STAFF);
    const coordinator = e.person(COORDINATOR);
    await resident.say('朝阳区三里屯街道 工体北路8号院 垃圾桶满了好几天没人清运');
    const no = numberIn((await e.waitFor(RESIDENT.chatId, (m) => !!numberIn(m.text))).text)!;
    await e.waitFor(STAFF.chatId, isCardOf(no));

    const a = await e.app.db.assignment.findFirstOrThrow({ where: { petition: { number: no } } });
    e.clock.advance((a.dueAt!.getTime() - a.dispatchedAt.getTime()) * 0.6);
    await coordinator.command('/stats');
    const stats = await e.waitFor(COORDINATOR.chatId, (m) => m.text.includes('未联系市民且临近时限'));
    expect(stats.text).toContain(`未联系市民且临近时限 1 件：${no}`);

    await staff.say(`已联系 ${no}`);
    await e.waitFor(STAFF.chatId, (m) => m.text === `已记录：${no} 已联系市民。`);
    const after = await e.app.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
    expect(after.contactMethod).toBe('marked');
    const firstAt = after.contactedAt!.getTime();
    await staff.say(`已联系 ${no}`);
    await e.waitFor(STAFF.chatId, (m) => m.text === `${no} 已记录过联系。`);
    expect((await e.app.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).contactedAt!.getTime()).toBe(firstAt);

    await coordinator.command('/stats');
    await e.until(() => e.messages(COORDINATOR.chatId).filter((m) => m.text.length > 0).length >= 2, 15_000, 'a second /stats');
    await e.settle();
    const replies = e.messages(COORDINATOR.chatId);
    expect(replies.at(-1)!.text).not.toContain('未联系市民且临近时限');
  });

  it('in a burst that becomes a digest, the orders with evidence still go as cards with their files', async (ctx) => {
    const e = await service(ctx);
    const n = 25;
    const residents = Array.from({ length: n }, (_, i) => e.person({ userId: 6001 + i, chatId: 6001 + i, type: 'private' }));
    await Promise.all(
      residents.map((r, i) =>
        i < 2
          ? r.say(`朝阳区三里屯街道 ${200 + i}号楼 垃圾桶满了好几天没人清运`, { photo: [{ file_id: `AgACBurst${i}`, file_unique_id: `b${i}`, width: 800, height: 600 }], text: undefined, caption: `朝阳区三里屯街道 ${200 + i}号楼 垃圾桶满了好几天没人清运` })
          : r.say(`朝阳区三里屯街道 ${200 + i}号楼 垃圾桶满了好几天没人清运`),
      ),
    );
    await e.until(async () => (await e.app.db.petition.count({ where: { status: 'dispatched' } })) === n, 30_000, `${n} dispatched petitions`);
    const withPhoto = await e.app.db.petition.findMany({ where: { NOT: { attachments: { equals: [] } } }, select: { number: true } });
    expect(withPhoto).toHaveLength(2);
    await e.until(async () => (await e.app.db.delivery.count({ where: { chatId: String(STAFF.chatId), status: { in: ['pending', 'sending'] } } })) === 0, 45_000, 'the group backlog to clear');
    const group = e.messages(STAFF.chatId);
    expect(group.some((m) => m.text.startsWith('新派单汇总'))).toBe(true);
    for (const [i, p] of withPhoto.entries()) {
      const card = group.find(isCardOf(p.number));
      expect(card, `the card of ${p.number}`).toBeDefined();
      const file = group.find((m) => m.text.startsWith('[photo] AgACBurst') && m.replyTo === card!.messageId);
      expect(file, `the photo of ${p.number} (${i})`).toBeDefined();
    }
  }, 90_000);
});
