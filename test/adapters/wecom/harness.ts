/**
 * WeCom sides of the channel contract (test/adapters/contract.ts): the local
 * WeCom server, the callback routes on a real Fastify listener, the senders
 * and (for 微信客服) syncKf against a fresh Postgres schema.
 *
 * What WeCom cannot do, the harness refuses rather than fakes: application
 * group chats deliver no member messages to the application, and 微信客服
 * has no groups at all, so `injectText('group')` throws.
 */
import Fastify from 'fastify';
import type { Button, InboundMessage } from '../../../core/channel.js';
import { wecomCallbackRoutes } from '../../../adapters/wecom/callback.js';
import { kfCursorKey, syncKf } from '../../../adapters/wecom/kf-sync.js';
import { currentMsgid } from '../../../adapters/wecom/message-map.js';
import { createWecomKfSender, createWecomSender } from '../../../adapters/wecom/sender.js';
import { createTestDb } from '../../helpers/db.js';
import { createTestRedis } from '../../helpers/redis.js';
import { WecomServer } from '../../peers/wecom-server.js';
import type { ChannelHarness, PlatformMessage } from '../contract.js';
import { clientFor, memorySink, silentLogger } from './setup.js';

export interface WecomHarness extends ChannelHarness {
  server: WecomServer;
}

const NO_GROUP_INBOUND = 'WeCom application group chats deliver no member messages to the application';

async function listen(
  server: WecomServer,
  opts: Omit<Parameters<typeof wecomCallbackRoutes>[1], 'path' | 'token' | 'encodingAESKey' | 'corpId' | 'logger'>,
) {
  const app = Fastify();
  await app.register(wecomCallbackRoutes, {
    path: '/wecom/callback',
    token: server.callbackToken,
    encodingAESKey: server.encodingAESKey,
    corpId: server.corpId,
    logger: silentLogger,
    ...opts,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/wecom/callback` };
}

/** Staff on the self-built application: a member's private chat and an application group chat. */
export async function makeWecomHarness(): Promise<WecomHarness> {
  const server = await WecomServer.start();
  const r = await createTestRedis();
  const client = clientFor(server, r);
  const rec = memorySink();
  const { app, url } = await listen(server, { sink: rec.sink, onKfEvent: async () => undefined, client });
  const inner = createWecomSender({ client, logger: silentLogger });
  server.addAppchat('unit_chengguan', ['zhangsan', 'lisi']);
  const sentIds: string[] = [];
  const appchatIds: string[] = []; // one entry per appchat message, in order
  let last: Record<string, string | number> | undefined;

  const deliver = async (fields: Record<string, string | number>): Promise<InboundMessage> => {
    last = fields;
    const before = rec.calls.length;
    const res = await server.deliver(url, fields);
    if (res.status !== 200 || rec.calls.length !== before + 1) throw new Error(`callback answered ${res.status}; sink saw ${rec.calls.length - before}`);
    return rec.calls.at(-1)!;
  };

  return {
    platform: 'wecom',
    server,
    chats: { private: 'user:zhangsan', group: 'chat:unit_chengguan' },
    sender: {
      platform: 'wecom',
      async send(msg) {
        const before = server.appchatMessages.length;
        const res = await inner.send(msg);
        sentIds.push(res.messageId);
        for (let i = before; i < server.appchatMessages.length; i++) appchatIds.push(res.messageId);
        return res;
      },
      answerAction: inner.answerAction,
    },
    async injectText(chat, text) {
      if (chat === 'group') throw new Error(NO_GROUP_INBOUND);
      return deliver(server.textMessage('zhangsan', text));
    },
    async redeliverLast() {
      if (!last) throw new Error('nothing delivered yet');
      return deliver(last);
    },
    async pressButton(chat, messageId, data) {
      if (chat === 'group') throw new Error(NO_GROUP_INBOUND);
      return deliver(server.clickCard(await currentMsgid(client, messageId), 'zhangsan', data));
    },
    async platformMessages(chatId): Promise<PlatformMessage[]> {
      const [kind, id] = chatId.split(/:(.*)/s) as [string, string];
      if (kind === 'chat') {
        return server.appchatMessages
          .map((m, i) => ({ m, messageId: appchatIds[i] ?? '' }))
          .filter(({ m }) => m.chatid === id)
          .map(({ m, messageId }) => ({ messageId, text: m.content, buttons: [], photo: false }));
      }
      const logical = new Map<string, string>();
      for (const sid of sentIds) logical.set(await currentMsgid(client, sid), sid);
      return server.appMessages
        .filter((m) => m.touser.includes(id) && !m.recalled)
        .map((m) => {
          const card = m.card as
            | { main_title: { title: string }; sub_title_text?: string; button_list: { text: string; key: string }[] }
            | undefined;
          const buttons: Button[][] = card ? [card.button_list.map((b) => ({ label: b.text, data: b.key }))] : [];
          const text = card ? [card.main_title.title, card.sub_title_text].filter(Boolean).join('\n') : (m.text ?? '');
          return { messageId: logical.get(m.msgid) ?? m.msgid, text, buttons, photo: false };
        });
    },
    async close() {
      await app.close();
      await server.close();
      await r.cleanup();
    },
  };
}

/** Residents through 微信客服: one resident's private chat; no groups exist there. */
export async function makeWecomKfHarness(): Promise<WecomHarness> {
  const KF = 'wkHARNESS0001';
  const RESIDENT = 'wmRESIDENT0001';
  const server = await WecomServer.start();
  const r = await createTestRedis();
  const t = await createTestDb();
  const client = clientFor(server, r);
  const rec = memorySink();
  let pending: Promise<unknown> = Promise.resolve();
  const { app, url } = await listen(server, {
    sink: rec.sink,
    onKfEvent: async (token, openKfId) => {
      // Production schedules a job; the harness runs the sync right after the answer.
      pending = new Promise((res) => setImmediate(res)).then(() =>
        syncKf({ client, db: t.db, token, openKfId, sink: rec.sink, logger: silentLogger }),
      );
    },
  });
  const sender = createWecomKfSender({ client, logger: silentLogger, defaultOpenKfId: KF });
  let lastCursor: string | undefined;

  /** A resident message reaches WeCom, WeCom notifies, the sync pulls it. */
  const arrive = async (content: Parameters<WecomServer['addKfCustomerMessage']>[2]): Promise<InboundMessage> => {
    lastCursor = (await t.db.keyValue.findUnique({ where: { key: kfCursorKey(KF) } }))?.value;
    server.addKfCustomerMessage(KF, RESIDENT, content);
    const before = rec.calls.length;
    const res = await server.deliver(url, server.kfNotice(KF));
    await pending;
    if (res.status !== 200 || rec.calls.length !== before + 1) throw new Error(`kf notice answered ${res.status}; sink saw ${rec.calls.length - before}`);
    return rec.calls.at(-1)!;
  };

  return {
    platform: 'wecom_kf',
    server,
    chats: { private: RESIDENT, group: '(微信客服 has no group chats)' },
    sender,
    async injectText(chat, text) {
      if (chat === 'group') throw new Error('微信客服 has no group chats');
      return arrive({ msgtype: 'text', text: { content: text } });
    },
    async redeliverLast() {
      // Redelivery on kf: the cursor was lost after the sink got the message (a crash), so sync returns it again.
      if (lastCursor) await t.db.keyValue.update({ where: { key: kfCursorKey(KF) }, data: { value: lastCursor } });
      else await t.db.keyValue.deleteMany({ where: { key: kfCursorKey(KF) } });
      const before = rec.calls.length;
      await syncKf({ client, db: t.db, openKfId: KF, sink: rec.sink, logger: silentLogger });
      if (rec.calls.length !== before + 1) throw new Error(`redelivery gave ${rec.calls.length - before} messages`);
      return rec.calls.at(-1)!;
    },
    async pressButton(chat, messageId, data) {
      if (chat === 'group') throw new Error('微信客服 has no group chats');
      const menu = server.kfSent.find((m) => m.msgid === messageId && m.msgtype === 'msgmenu');
      const item = (menu?.body.msgmenu as { list: { type: string; click?: { id: string; content: string } }[] } | undefined)?.list.find(
        (i) => i.click?.id === data,
      );
      if (!item?.click) throw new Error(`no menu item ${data} on ${messageId}`);
      return arrive({ msgtype: 'text', text: { content: item.click.content, menu_id: item.click.id } });
    },
    async platformMessages(chatId) {
      return server.kfSent
        .filter((m) => m.touser === chatId)
        .map((m) => {
          if (m.msgtype === 'msgmenu') {
            const menu = m.body.msgmenu as { head_content?: string; list: { type: string; click?: { id: string; content: string } }[] };
            const buttons = [menu.list.flatMap((i) => (i.click ? [{ label: i.click.content, data: i.click.id }] : []))];
            return { messageId: m.msgid, text: menu.head_content ?? '', buttons, photo: false };
          }
          return { messageId: m.msgid, text: (m.body.text as { content: string }).content, buttons: [], photo: false };
        });
    },
    async close() {
      await pending.catch(() => undefined);
      await app.close();
      await server.close();
      await r.cleanup();
      await t.drop();
    },
  };
}
