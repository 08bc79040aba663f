/**
 * Evidence and contact on WeCom, end to end: the whole service against the local WeCom server. A
 * 微信客服 resident's voice note is fetched (media/get, kf token) and uploaded for the application
 * (media/upload) at once, acknowledged, and sent to the unit's application group chat as a voice
 * message after the card; a video over the upload limit, an expired media_id and a link get a clear
 * answer and a note to the unit; 联系市民 sends the phone as an application message to the staff member
 * who asked, never to the group, and is audited. The answer's rating is a 菜单消息 answered by clicks;
 * /stats goes to a WeCom coordinator with its chart as an uploaded image.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import { SANDBOX_ORG } from '../../core/org/sandbox.js';
import { WecomServer } from '../peers/wecom-server.js';
import { startE2e, type E2e } from './harness.js';

const KF = 'wkEVIDENCE00001';
const RES = 'wmEvidenceResident';
const STAFF = 'zhangsan';
const CHAT = 'wrUnitChat01';
const COORD = 'wangwu';
let peer: WecomServer;
let e: E2e;
let url: string;

beforeAll(async () => {
  peer = await WecomServer.start();
  peer.addAppchat(CHAT, [STAFF, 'lisi']);
  e = await startE2e({
    env: peer.serviceEnv(),
    prepare: async (db) => {
      await seedReferenceData(db);
      await seedDefaultOrg(db);
      await db.chatBinding.create({ data: { platform: 'wecom', chatId: `chat:${CHAT}`, unitId: SANDBOX_ORG.unitId } });
      await db.staff.create({ data: { platform: 'wecom', platformUserId: STAFF, role: 'staff', unitId: SANDBOX_ORG.unitId, displayName: '张三' } });
      await db.staff.create({ data: { platform: 'wecom', platformUserId: COORD, role: 'coordinator', areaCode: SANDBOX_ORG.areaCode, displayName: '王五' } });
    },
  });
  url = `${e.app.url}/wecom/callback`;
}, 60_000);
afterAll(async () => {
  await e?.close();
  await peer?.close();
});

const kfTexts = () => peer.kfSent.filter((m) => m.touser === RES).map((m) => JSON.stringify(m.body));
const chatTexts = () => peer.appchatMessages.filter((m) => m.chatid === CHAT).map((m) => m.content);

async function resident(content: Parameters<WecomServer['addKfCustomerMessage']>[2]) {
  peer.addKfCustomerMessage(KF, RES, content);
  expect((await peer.deliver(url, peer.kfNotice(KF))).status).toBe(200);
}

it('a 微信客服 voice note is acknowledged, relayed through media/get + media/upload, and reaches the unit chat as a voice message after the card; bad files are answered and noted', async () => {
  const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(3000, 7)]);
  peer.addMedia('KFVOICE1', amr, 'kf', 'audio/amr');
  await resident({ msgtype: 'voice', voice: { media_id: 'KFVOICE1' } });
  await e.until(() => kfTexts().some((t) => t.includes('已收到您的语音')), 20_000, 'the voice note acknowledged');
  // fetched with the kf token, uploaded for the application, the same bytes
  expect(peer.callsTo('media/get').some((c) => c.query.media_id === 'KFVOICE1' && c.errcode === 0)).toBe(true);
  const upload = peer.uploads.find((u) => u.type === 'voice')!;
  expect(upload.app).toBe('agent');
  expect(upload.data.equals(amr)).toBe(true);

  await resident({ msgtype: 'text', text: { content: '朝阳区三里屯街道 工体北路4号院 垃圾桶满了好几天没人清运，我的电话13812345678' } });
  await e.until(() => kfTexts().some((t) => /诉求编号 \d{10}/.test(t)), 20_000, 'the petition number');
  const p = (await e.app.db.petition.findFirstOrThrow({ where: { channel: 'wecom_kf' } }));
  await e.until(() => chatTexts().some((t) => t.includes(p.number) && t.includes('附件：语音 1')), 20_000, 'the card in the unit chat');
  await e.until(() => peer.appchatMessages.some((m) => m.chatid === CHAT && m.msgtype === 'voice' && m.mediaId === upload.mediaId), 20_000, 'the voice message after the card');
  const cardAt = peer.appchatMessages.findIndex((m) => m.content.includes(p.number));
  const voiceAt = peer.appchatMessages.findIndex((m) => m.msgtype === 'voice');
  expect(voiceAt).toBeGreaterThan(cardAt);

  // A video over media/upload's 10 MB limit: the resident is told, the unit gets a note, nothing is uploaded.
  peer.addMedia('KFBIGVIDEO', Buffer.alloc(10 * 1024 * 1024 + 1, 1), 'kf', 'video/mp4');
  await resident({ msgtype: 'video', video: { media_id: 'KFBIGVIDEO' } });
  await e.until(() => kfTexts().some((t) => t.includes('超过平台大小限制')), 20_000, 'the size answer');
  await e.until(() => chatTexts().some((t) => t.includes(`【补充材料】诉求 ${p.number}`) && t.includes('视频超过平台大小限制')), 20_000, 'the note to the unit');
  expect(peer.uploads.some((u) => u.type === 'video')).toBe(false);

  // An image whose media_id WeCom no longer knows (expired): answered, noted.
  await resident({ msgtype: 'image', image: { media_id: 'KFGONE' } });
  await e.until(() => kfTexts().some((t) => t.includes('已过期')), 20_000, 'the expired answer');
  await e.until(() => chatTexts().some((t) => t.includes('照片已过期')), 20_000, 'the expired note to the unit');

  // A link is nothing we can take: a clear answer.
  await resident({ msgtype: 'link', link: { title: 'x', url: 'https://example.com' } });
  await e.until(() => kfTexts().some((t) => t.includes('暂不支持链接')), 20_000, 'the unsupported answer');

  const kept = await e.app.db.petition.findUniqueOrThrow({ where: { id: p.id } });
  expect((kept.attachments as { kind: string; problem?: string }[]).map((a) => [a.kind, a.problem ?? null])).toEqual([
    ['voice', null],
    ['video', 'too_large'],
    ['photo', 'expired'],
  ]);
}, 90_000);

it('联系市民 sends the phone as an application message to the staff member who asked, never to the unit chat, and audits it', async () => {
  const p = await e.app.db.petition.findFirstOrThrow({ where: { channel: 'wecom_kf' } });
  expect((await peer.deliver(url, peer.textMessage(STAFF, `联系市民 ${p.number}`))).status).toBe(200);
  await e.until(() => peer.appMessages.some((m) => m.touser.includes(STAFF) && (m.text ?? '').includes('13812345678')), 20_000, 'the phone to the staff member');
  await e.settle();
  expect(chatTexts().some((t) => t.includes('13812345678'))).toBe(false);
  expect(peer.appMessages.filter((m) => (m.text ?? '').includes('13812345678')).every((m) => m.touser.join() === STAFF)).toBe(true);
  const audit = await e.app.db.petitionEvent.findMany({ where: { petitionId: p.id, reason: 'phone_revealed' } });
  expect(audit).toHaveLength(1);
  const a = await e.app.db.assignment.findFirstOrThrow({ where: { petitionId: p.id } });
  expect(a.contactMethod).toBe('phone');
}, 60_000);

it('the 微信客服 rating is a 菜单消息 answered by clicks, each answered by the next question', async () => {
  const p = await e.app.db.petition.findFirstOrThrow({ where: { channel: 'wecom_kf' } });
  expect((await peer.deliver(url, peer.textMessage(STAFF, `办结 ${p.number} 已安排清运完毕`))).status).toBe(200);
  const menuOf = (prefix: string) => peer.kfSent.find((m) => m.touser === RES && m.msgtype === 'msgmenu' && JSON.stringify(m.body).includes(`"${prefix}:${p.number}:`));
  await e.until(() => !!menuOf('rc'), 20_000, 'the answer with the rating menu');
  const first = menuOf('rc')!.body.msgmenu as { head_content: string; list: { click: { id: string } }[] };
  expect(first.head_content).toContain('已安排清运完毕');
  expect(first.head_content).not.toMatch(/评价 \d+ 111/);
  expect(first.list.map((i) => i.click.id)).toEqual([`rc:${p.number}:1`, `rc:${p.number}:0`]);
  for (const [id, next] of [[`rc:${p.number}:1`, 'rs'], [`rs:${p.number}:s`, 'rf']] as const) {
    await resident({ msgtype: 'text', text: { content: '是', menu_id: id } });
    await e.until(() => !!menuOf(next), 20_000, `the ${next} menu`);
  }
  await resident({ msgtype: 'text', text: { content: '满意', menu_id: `rf:${p.number}:s` } });
  await e.until(async () => (await e.app.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status === 'rated', 20_000, 'the rating recorded');
  expect(await e.app.db.rating.findFirstOrThrow({ where: { petitionId: p.id } })).toMatchObject({ contacted: true, solved: 'solved', satisfaction: 'satisfied' });
  expect(peer.callsTo('kf/send_msg').filter((c) => c.errcode !== 0)).toEqual([]);
}, 60_000);

it('/stats reaches a WeCom coordinator with its chart uploaded and sent as an image', async () => {
  expect((await peer.deliver(url, peer.textMessage(COORD, '统计'))).status).toBe(200);
  await e.until(() => peer.appMessages.some((m) => m.touser.includes(COORD) && m.msgtype === 'image'), 20_000, 'the chart image');
  const image = peer.appMessages.find((m) => m.touser.includes(COORD) && m.msgtype === 'image')!;
  const upload = peer.uploads.find((u) => u.mediaId === image.mediaId)!;
  expect(upload.type).toBe('image');
  expect(upload.data.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  expect(peer.appMessages.some((m) => m.touser.includes(COORD) && m.msgtype !== 'image')).toBe(true);
}, 60_000);
