/**
 * 微信客服 residents get every answer meant for them (issue 16, "Cards and replies lost or doubled"):
 * the whole service (`startApp`) against the local WeCom server. Direct replies (help, /my, a format
 * error, the thank-you after a rating, the reopen acknowledgement) must reach the resident through
 * kf/send_msg; any message of the resident (a command too) opens a new 48 h window; and a member of
 * staff who resolves when the resident cannot be reached is told so, not that the answer went out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomServer } from '../peers/wecom-server.js';
import { startE2e, type E2e } from './harness.js';

const KF = 'wkE2EREPLIES0001';
const STAFF = 'zhangsan';
const HOUR = 3_600_000;
let peer: WecomServer;
let e: E2e;
let url: string;

beforeAll(async () => {
  peer = await WecomServer.start();
  e = await startE2e({ env: peer.serviceEnv() });
  url = `${e.app.url}/wecom/callback`;
}, 90_000);
afterAll(async () => {
  await e?.close();
  await peer?.close();
});

const kfText = (m: { body: Record<string, unknown> }) => JSON.stringify(m.body);
const received = (user: string) => peer.kfSent.filter((m) => m.touser === user).map(kfText);

/** The resident writes to 微信客服; WeCom notifies; the service pulls. */
async function residentSays(user: string, content: string) {
  peer.addKfCustomerMessage(KF, user, { msgtype: 'text', text: { content } });
  expect((await peer.deliver(url, peer.kfNotice(KF))).status).toBe(200);
}

/** Wait for the n-th (1-based) kf message to the resident that matches. */
async function residentGets(user: string, match: RegExp, what: string) {
  await e.until(() => received(user).some((m) => match.test(m)), 20_000, `${what}; the resident has ${JSON.stringify(received(user))}`);
}

async function file(user: string, text: string): Promise<string> {
  const acks = () => received(user).filter((m) => /诉求编号 \d{10}/.test(m)).length;
  const before = acks();
  await residentSays(user, text);
  await e.until(() => acks() > before, 20_000, `the acknowledgement; the resident has ${JSON.stringify(received(user))}`);
  const resident = await e.app.db.resident.findFirstOrThrow({ where: { platform: 'wecom_kf', platformUserId: user } });
  const p = await e.app.db.petition.findFirstOrThrow({ where: { residentId: resident.id }, orderBy: { createdAt: 'desc' } });
  // The member of staff who answers belongs to the unit the petition went to.
  const a = await e.app.db.assignment.findFirstOrThrow({ where: { petitionId: p.id, role: 'lead' } });
  await e.app.db.staff.upsert({
    where: { platform_platformUserId: { platform: 'wecom', platformUserId: STAFF } },
    create: { platform: 'wecom', platformUserId: STAFF, role: 'staff', unitId: a.unitId },
    update: { unitId: a.unitId },
  });
  return p.number;
}

/** Text messages (not cards) the member of staff got in their application chat. */
const staffGot = () => peer.appMessages.filter((m) => m.touser.includes(STAFF) && !m.card).map((m) => m.text ?? '');

async function staffResolves(number: string, answer: string): Promise<string> {
  const before = staffGot().length;
  expect((await peer.deliver(url, peer.textMessage(STAFF, `办结 ${number} ${answer}`))).status).toBe(200);
  await e.until(() => staffGot().slice(before).some((t) => t.includes(number)), 20_000, `the confirmation to staff; staff has ${JSON.stringify(staffGot())}`);
  return staffGot().slice(before).find((t) => t.includes(number))!;
}

describe('微信客服 direct replies', () => {
  it('reach the resident: help, /my, a format error, the thank-you after rating, the reopen acknowledgement', async () => {
    const user = 'wmRepliesResident';
    const number = await file(user, '朝阳区三里屯街道的路灯坏了好几天了，晚上很黑');

    await residentSays(user, '/help');
    await residentGets(user, /可用命令/, 'the help text');
    await residentSays(user, '/my');
    await residentGets(user, new RegExp(`${number}[^"]*\\\\n`), 'the /my list');
    await residentSays(user, `/rate ${number} 9`);
    await residentGets(user, /格式：评价 单号 三位数字/, 'the format error');

    const confirmation = await staffResolves(number, '路灯已修复');
    expect(confirmation).toContain('已办结');
    await residentGets(user, new RegExp(`诉求 ${number} 已办结`), 'the answer');
    await residentSays(user, `/rate ${number} 111`);
    await residentGets(user, /感谢评价/, 'the thank-you after the rating');

    const second = await file(user, '海淀区中关村街道的小区楼下晚上有人烧烤，油烟很大');
    await staffResolves(second, '已铺好');
    await residentGets(user, new RegExp(`诉求 ${second} 已办结`), 'the second answer');
    await residentSays(user, `/rate ${second} 133`);
    await residentGets(user, /提交重新办理审核/, 'the reopen acknowledgement');

    await e.settle();
    const lost = await e.app.db.delivery.findMany({ where: { platform: 'wecom_kf', status: { notIn: ['sent'] } }, select: { status: true, error: true, message: true } });
    expect(lost).toEqual([]);
  }, 120_000);

  it('a command renews the 48 h window: the answer after it reaches the resident', async () => {
    const user = 'wmWindowResident';
    const number = await file(user, '朝阳区三里屯街道的井盖丢了，很危险');
    // 40 h later the resident asks for their list: a new 48 h window opens (on WeCom and in the service).
    e.clock.advance(40 * HOUR);
    peer.advance(40 * HOUR);
    await residentSays(user, '/my');
    await residentGets(user, new RegExp(`${number} `), 'the /my list');
    // 40 h after that (80 h after the petition) the answer comes: inside the window the command opened.
    e.clock.advance(40 * HOUR);
    peer.advance(40 * HOUR);
    const confirmation = await staffResolves(number, '井盖已补上');
    expect(confirmation).toContain('答复');
    await residentGets(user, new RegExp(`诉求 ${number} 已办结`), 'the answer');
    const p = await e.app.db.petition.findUniqueOrThrow({ where: { number } });
    expect(p.callbackNeeded).toBe(false);
  }, 120_000);

  it('staff who resolve when the resident cannot be reached are told so, and the phone callback is flagged', async () => {
    const user = 'wmClosedResident';
    const number = await file(user, '朝阳区三里屯街道的垃圾桶满了没人清运');
    e.clock.advance(49 * HOUR);
    peer.advance(49 * HOUR);
    const confirmation = await staffResolves(number, '已清运');
    expect(confirmation).not.toContain('答复已发送市民');
    expect(confirmation).toMatch(/无法送达/);
    expect(confirmation).toMatch(/电话回访/);
    const p = await e.app.db.petition.findUniqueOrThrow({ where: { number } });
    expect(p.callbackNeeded).toBe(true);
    expect(received(user).some((m) => m.includes('已办结'))).toBe(false);
  }, 120_000);
});
