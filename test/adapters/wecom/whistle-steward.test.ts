/**
 * 吹哨 with a lead and a co-handler, 延期 approved by the coordinator and a 小巷管家's one-tap
 * report, all with WeCom staff (application messages and template-card clicks on the local WeCom
 * server) and a 微信客服 resident.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wecomCallbackRoutes } from '../../../adapters/wecom/callback.js';
import type { WecomClient } from '../../../adapters/wecom/client.js';
import { syncKf } from '../../../adapters/wecom/kf-sync.js';
import { createWecomKfSender, createWecomSender } from '../../../adapters/wecom/sender.js';
import { createInboundSink } from '../../../jobs/inbox.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../../helpers/workflow.js';
import { WecomServer } from '../../peers/wecom-server.js';
import { clientFor, silentLogger } from './setup.js';

const KF = 'wkCHAOYANG12345';
const RESIDENT = 'wmRESIDENT_A';
const STAFF = 'zhangsan';
const HOUSING = 'lisi';
const COORD = 'wangcoord';
const STEWARD = 'liayi';
const SANLITUN = { districtCode: '110105', streetCode: '110105-sanlitun', community: null, address: null, method: 'alias', confidence: 0.9, candidates: [] };
const understand = scriptedUnderstanding((text) => {
  if (text.includes('垃圾')) return { category: { code: 'garbage', confidence: 0.9 }, place: SANLITUN, summary: '垃圾桶满溢未清运' };
  if (text.includes('路灯')) return { category: { code: 'municipal_facility', confidence: 0.9 }, place: SANLITUN, summary: '路灯不亮' };
  return {};
});

let h: Harness;
let server: WecomServer;
let r: TestRedis;
let client: WecomClient;
let app: FastifyInstance;
let url: string;
let syncs: Promise<unknown>[] = [];

beforeAll(async () => {
  h = await createHarness({ understand });
  server = await WecomServer.start();
  r = await createTestRedis();
  client = clientFor(server, r);
  h.rt.senders.wecom = createWecomSender({ client, logger: silentLogger });
  h.rt.senders.wecom_kf = createWecomKfSender({ client, logger: silentLogger });
  await h.t.db.staff.createMany({
    data: [
      { platform: 'wecom', platformUserId: STAFF, role: 'staff', unitId: '110105:urban_mgmt' },
      { platform: 'wecom', platformUserId: HOUSING, role: 'staff', unitId: '110105:housing' },
      { platform: 'wecom', platformUserId: COORD, role: 'coordinator', areaCode: '110105-sanlitun' },
      { platform: 'wecom', platformUserId: STEWARD, role: 'steward', areaCode: '110105-sanlitun', places: ['幸福村社区'] },
    ],
  });
  const sink = createInboundSink(h.deps);
  app = Fastify();
  await app.register(wecomCallbackRoutes, {
    path: '/wecom/callback',
    token: server.callbackToken,
    encodingAESKey: server.encodingAESKey,
    corpId: server.corpId,
    sink,
    client,
    logger: silentLogger,
    onKfEvent: async (token, openKfId) => {
      syncs.push(syncKf({ client, db: h.t.db, token, openKfId, sink, logger: silentLogger }));
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/wecom/callback`;
});

afterAll(async () => {
  await app?.close();
  await server?.close();
  await r?.cleanup();
  await h?.close();
});

/** The resident writes on WeChat; WeCom notifies; the scheduled sync pulls it; the workers run. */
async function residentWrites(text: string) {
  server.addKfCustomerMessage(KF, RESIDENT, { msgtype: 'text', text: { content: text } });
  expect((await server.deliver(url, server.kfNotice(KF))).status).toBe(200);
  await Promise.all(syncs);
  syncs = [];
  await h.drain();
}

async function staffDelivers(fields: Record<string, string | number>) {
  expect((await server.deliver(url, fields)).status).toBe(200);
  await h.drain();
}

// text messages, and the head of a 菜单消息 (the answer with its rating buttons)
const kfTexts = () =>
  server.kfSent
    .filter((m) => m.touser === RESIDENT)
    .map((m) => (m.body.text as { content: string } | undefined)?.content ?? (m.body.msgmenu as { head_content?: string } | undefined)?.head_content ?? '');


const cardTo = (user: string, key: string) => [...server.appMessages].reverse().find((m) => m.touser.includes(user) && m.card && (m.card.button_list as { key: string }[]).some((b) => b.key.startsWith(key)))!;
const keyOn = (m: { card?: Record<string, unknown> }, prefix: string) => (m.card!.button_list as { key: string; text: string }[]).find((b) => b.key.startsWith(prefix))!.key;
const textsTo = (user: string) => server.appMessages.filter((m) => m.touser.includes(user)).map((m) => `${m.text ?? ''}${JSON.stringify(m.card ?? {})}`);

describe('WeCom: whistle, extension and steward', () => {
  it('a whistle with a lead and a co-handler resolves the petition; the resident gets the combined answer on WeChat', async () => {
    await residentWrites('三里屯这边垃圾桶满了好几天没人清运');
    const p = await h.t.db.petition.findFirstOrThrow();
    await staffDelivers(server.textMessage(COORD, `吹哨 ${p.number} 城管 住建`));
    const w = await h.t.db.whistle.findFirstOrThrow();
    for (const user of [STAFF, HOUSING]) {
      const task = cardTo(user, 'rep:');
      await staffDelivers(server.clickCard(task.msgid, user, `rep:${w.number}`));
    }
    expect((await h.t.db.whistleTask.findMany()).every((t) => t.reportedAt)).toBe(true);
    await staffDelivers(server.textMessage(HOUSING, `完成 ${w.number} 已核查周边房屋无隐患`));
    await staffDelivers(server.textMessage(STAFF, `完成 ${w.number} 已清运并增加清运频次`));
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('resolved');
    const answer = kfTexts().find((t) => t.includes('已清运并增加清运频次'))!;
    expect(answer).toContain('已核查周边房屋无隐患');
    expect(answer).toContain('评价');
  });

  it('延期 asked by text, approved with a card click by the coordinator; the resident is told on WeChat', async () => {
    await residentWrites('三里屯工体北路的路灯坏了');
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, include: { assignments: true } });
    await staffDelivers(server.textMessage(STAFF, `延期 ${p.number} 3 需更换灯杆`));
    const request = cardTo(COORD, 'xa:');
    await staffDelivers(server.clickCard(request.msgid, COORD, keyOn(request, 'xa:')));
    const a = await h.t.db.assignment.findUniqueOrThrow({ where: { id: p.assignments[0]!.id } });
    expect(a.extensions).toBe(1);
    expect(kfTexts().some((t) => t.includes('延期至') && t.includes('需更换灯杆'))).toBe(true);
  });

  it('a steward reports with two card clicks and a line; dispatched at once', async () => {
    await staffDelivers(server.textMessage(STEWARD, '你好'));
    const menu = cardTo(STEWARD, 'sc:');
    await staffDelivers(server.clickCard(menu.msgid, STEWARD, 'sc:garbage'));
    const places = cardTo(STEWARD, 'sp:');
    await staffDelivers(server.clickCard(places.msgid, STEWARD, 'sp:garbage:0'));
    await staffDelivers(server.textMessage(STEWARD, '5号楼前装修垃圾'));
    const p = await h.t.db.petition.findFirstOrThrow({ where: { stewardId: { not: null } } });
    expect([p.status, p.community]).toEqual(['dispatched', '幸福村社区']);
    expect(textsTo(STEWARD).some((t) => t.includes(p.number))).toBe(true);
  });
});
