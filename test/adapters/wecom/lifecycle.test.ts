/**
 * A petition's life with WeCom on both ends, through the real pieces: a
 * resident writes to 微信客服 (callback → syncKf → inbound sink), the
 * workflow dispatches a template card to a WeCom staff member (application
 * message), the staff member clicks 签收 on the card and closes the case by
 * text command, the resident is answered and rates — all on the local WeCom
 * server, inside the 48 h / 5-message budget.
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
const SANLITUN = { districtCode: '110105', streetCode: '110105-sanlitun', community: null, address: null, method: 'alias', confidence: 0.9, candidates: [] };
const understand = scriptedUnderstanding((text) => {
  if (text.includes('垃圾')) return { category: { code: 'garbage', confidence: 0.9 }, place: SANLITUN, summary: '垃圾桶满溢未清运' };
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
  await h.t.db.staff.create({ data: { platform: 'wecom', platformUserId: STAFF, role: 'staff', unitId: '110105:urban_mgmt' } });
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

// What the resident reads: a text, or the head of a 菜单消息 (the answer travels with the rating menu).
const kfTexts = () =>
  server.kfSent.filter((m) => m.touser === RESIDENT).map((m) => (m.body.text as { content: string } | undefined)?.content ?? (m.body.msgmenu as { head_content?: string } | undefined)?.head_content ?? '');

describe('a WeChat resident and a WeCom staff member', () => {
  let number = '';
  let cardMsgid = '';

  it('a message to 微信客服 becomes a petition: the resident is acknowledged, the staff member gets a template card', async () => {
    await residentWrites('三里屯这边垃圾桶满了好几天没人清运，电话13812345678');
    const p = await h.t.db.petition.findFirstOrThrow();
    number = p.number;
    expect(p.status).toBe('dispatched');
    expect(kfTexts().some((t) => t.includes(number))).toBe(true);
    expect(server.kfSent.every((m) => m.open_kfid === KF)).toBe(true);
    const card = server.appMessages.find((m) => m.touser.includes(STAFF) && m.msgtype === 'template_card');
    expect(card).toBeDefined();
    cardMsgid = card!.msgid;
    const keys = (card!.card!.button_list as { key: string }[]).map((b) => b.key);
    expect(keys).toContain(`acc:${number}`);
    expect(JSON.stringify(card!.card)).not.toContain('13812345678');
  });

  it('a click on 签收 accepts the petition and greys out the card; the redelivered click changes nothing', async () => {
    const click = server.clickCard(cardMsgid, STAFF, `acc:${number}`);
    await staffDelivers(click);
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('accepted');
    expect(server.callsTo('message/update_template_card').filter((c) => c.errcode === 0)).toHaveLength(1);
    const events = await h.t.db.petitionEvent.count();
    await staffDelivers(click);
    expect(await h.t.db.petitionEvent.count()).toBe(events);
  });

  it('the text command 办结 resolves it and the resident gets the answer on WeChat, though every token expired meanwhile', async () => {
    const tokensBefore = server.callsTo('gettoken').length;
    server.expireAllTokens();
    await staffDelivers(server.textMessage(STAFF, `办结 ${number} 已安排环卫车清运完毕`));
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('resolved');
    expect(kfTexts().some((t) => t.includes('已安排环卫车清运完毕'))).toBe(true);
    expect(server.callsTo('kf/send_msg').some((c) => c.errcode === 42001)).toBe(true);
    expect(server.callsTo('gettoken').length).toBeGreaterThan(tokensBefore);
  });

  it('the resident rates by text reply, within the 5-message budget', async () => {
    await residentWrites(`评价 ${number} 111`);
    const rating = await h.t.db.rating.findFirstOrThrow();
    expect(rating).toMatchObject({ contacted: true, solved: 'solved', satisfaction: 'satisfied' });
    // no reply was refused by WeCom: the workflow stayed inside the window's budget
    expect(server.callsTo('kf/send_msg').filter((c) => c.errcode === 95001 || c.errcode === 95018)).toEqual([]);
    expect(server.kfSent.length).toBeGreaterThanOrEqual(3);
  });
});
