/**
 * End to end on WeCom: the whole service (`startApp`, as `npm start` runs it)
 * configured for WeCom against the local WeCom server. It must start, answer
 * WeCom's URL verification, and turn a 微信客服 message into a petition whose
 * number reaches the resident through kf/send_msg.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WecomServer } from '../peers/wecom-server.js';
import { startE2e, type E2e } from './harness.js';

const KF = 'wkE2E0000000001';
let peer: WecomServer;
let e: E2e;

beforeAll(async () => {
  peer = await WecomServer.start();
  e = await startE2e({ env: peer.serviceEnv() });
}, 60_000);
afterAll(async () => {
  await e?.close();
  await peer?.close();
});

it('starts with WeCom configured, answers the URL verification, and acknowledges a 微信客服 resident with a petition number', async () => {
  const url = `${e.app.url}/wecom/callback`;
  const verified = await peer.verifyUrl(url);
  expect(verified).toMatchObject({ status: 200, body: verified.echo });

  peer.addKfCustomerMessage(KF, 'wmE2eResident', { msgtype: 'text', text: { content: '朝阳区三里屯街道的路灯坏了好几天了，晚上很黑' } });
  expect((await peer.deliver(url, peer.kfNotice(KF))).status).toBe(200);
  await e.until(() => peer.kfSent.some((m) => m.touser === 'wmE2eResident' && /诉求编号 \d{10}/.test(JSON.stringify(m.body))), 20_000, 'the acknowledgement on kf/send_msg');
  const petitions = await e.app.db.petition.findMany({ where: { channel: 'wecom_kf' } });
  expect(petitions).toHaveLength(1);
  expect(JSON.stringify(peer.kfSent.find((m) => m.touser === 'wmE2eResident')!.body)).toContain(petitions[0]!.number);
}, 60_000);
