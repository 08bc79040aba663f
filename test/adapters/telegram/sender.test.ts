import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender, type TelegramSenderOptions } from '../../../adapters/telegram/sender.js';
import { SendError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { okMessage, startFakeBotApi, type FakeCall, type FakeReply } from './fake-bot-api.js';

const TOKEN = '123456:SECRETxSECRETxSECRETxSECRETx';
const logger = createLogger({ level: 'silent' });
let r: TestRedis;
let fake: Awaited<ReturnType<typeof startFakeBotApi>> | undefined;

beforeAll(async () => {
  r = await createTestRedis();
});
afterAll(async () => {
  await r.cleanup();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function senderFor(reply: (call: FakeCall, i: number) => FakeReply, extra: Partial<TelegramSenderOptions> = {}) {
  fake = await startFakeBotApi(reply);
  return createTelegramSender({
    token: TOKEN,
    apiRoot: fake.apiRoot,
    redis: r.redis,
    keyPrefix: `${r.prefix}:${Math.random().toString(36).slice(2)}`,
    logger,
    limits: { perChat: { limit: 100, windowMs: 1000 } },
    ...extra,
  });
}

const tooMany = (retryAfter: number): FakeReply => ({
  status: 429,
  body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
});
const badGateway: FakeReply = { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } };

describe('telegram sender: one attempt per send, the wait reported', () => {
  it('a 429 is one call and a transient SendError carrying retry_after, however long (no in-process wait)', async () => {
    for (const retryAfter of [1, 90]) {
      const sender = await senderFor((call, i) => (i === 0 ? tooMany(retryAfter) : okMessage(call)));
      const t0 = Date.now();
      const err = (await sender.send({ chatId: '42', text: '您的诉求已受理' }).catch((e: unknown) => e)) as SendError;
      expect(Date.now() - t0).toBeLessThan(900);
      expect(err).toBeInstanceOf(SendError);
      expect(err).toMatchObject({ permanent: false, reason: 'rate_limited', retryAfterMs: retryAfter * 1000, platformCode: 429 });
      expect(fake!.calls).toHaveLength(1);
      await fake!.close();
      fake = undefined;
    }
  });

  it('a 5xx or a dropped connection is one call and a transient SendError without a wait, naming the method, not the token', async () => {
    for (const reply of [badGateway, 'drop' as const]) {
      const sender = await senderFor((call, i) => (i === 0 ? reply : okMessage(call)));
      const err = (await sender.send({ chatId: '42', text: 'x' }).catch((e: unknown) => e)) as SendError;
      expect(err).toBeInstanceOf(SendError);
      expect(err.permanent).toBe(false);
      expect(err.retryAfterMs).toBeUndefined();
      if (reply !== 'drop') expect(err.message).toContain('sendMessage');
      if (reply !== 'drop') expect(err.message).toContain('502');
      expect(`${err.message}\n${err.stack}`).not.toContain('SECRETx');
      expect(fake!.calls).toHaveLength(1);
      await fake!.close();
      fake = undefined;
    }
  });

  it('never puts the token in a network error', async () => {
    const sender = createTelegramSender({
      token: TOKEN,
      apiRoot: 'http://127.0.0.1:1', // nothing listens there
      redis: r.redis,
      keyPrefix: `${r.prefix}:net`,
      logger,
      limits: { perChat: { limit: 100, windowMs: 1000 } },
    });
    const err = (await sender.send({ chatId: '42', text: 'x' }).catch((e: unknown) => e)) as SendError;
    expect(err).toBeInstanceOf(SendError);
    expect(err.permanent).toBe(false);
    expect(`${err.message}\n${err.stack}`).not.toContain('SECRETx');
  });
});

describe('telegram sender errors and migration', () => {
  it('resends once to the supergroup on migrate_to_chat_id and reports the new chat', async () => {
    const sender = await senderFor((call) =>
      call.body.chat_id === -555
        ? { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: -1001234567890 } } }
        : okMessage(call),
    );
    const res = await sender.send({ chatId: '-555', text: '新工单' });
    expect(res.migratedToChatId).toBe('-1001234567890');
    expect(fake!.calls.map((c) => c.body.chat_id)).toEqual([-555, -1001234567890]);
  });

  it('throws a permanent SendError for chat not found and for a blocked bot, after one call', async () => {
    const notFound = await senderFor(() => ({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } }));
    const e1 = (await notFound.send({ chatId: '7', text: 'x' }).catch((e: unknown) => e)) as SendError;
    expect(e1.permanent).toBe(true);
    expect(e1.reason).toBe('chat_not_found');
    expect(fake!.calls).toHaveLength(1);
    await fake!.close();

    const blocked = await senderFor(() => ({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }));
    const e2 = (await blocked.send({ chatId: '7', text: 'x' }).catch((e: unknown) => e)) as SendError;
    expect(e2.permanent).toBe(true);
    expect(e2.reason).toBe('blocked');
    expect(e2.platformCode).toBe(403);
    expect(fake!.calls).toHaveLength(1);
  });

  it('rejects callback data over 64 bytes before calling Telegram, and accepts exactly 64', async () => {
    const sender = await senderFor((call) => okMessage(call));
    const tooLong = 'acc:' + '工'.repeat(21); // 4 + 63 = 67 bytes
    const err = (await sender.send({ chatId: '7', text: 'x', buttons: [[{ label: 'ok', data: 'a' }, { label: '受理', data: tooLong }]] }).catch((e: unknown) => e)) as SendError;
    expect(err.permanent).toBe(true);
    expect(err.reason).toBe('invalid_message');
    expect(err.message).toMatch(/row 1 column 2.*67 bytes/);
    expect(fake!.calls).toHaveLength(0);

    const exactly64 = 'a' + '工'.repeat(21);
    await sender.send({ chatId: '7', text: 'x', buttons: [[{ label: '受理', data: exactly64 }]] });
    expect(fake!.calls).toHaveLength(1);
    expect(fake!.calls[0]!.body.reply_markup).toEqual({ inline_keyboard: [[{ text: '受理', callback_data: exactly64 }]] });
  });

  it('sends forceReply and the forum thread', async () => {
    const sender = await senderFor((call) => okMessage(call));
    await sender.send({ chatId: '-100777', text: '请回复退单理由', forceReply: true, threadId: '12' });
    expect(fake!.calls[0]!.body).toMatchObject({ reply_markup: { force_reply: true }, message_thread_id: 12, chat_id: -100777 });
  });

  it('sends a photo as multipart with the text as caption, and falls back to text when sendPhoto is missing', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const withPhoto = await senderFor((call) => okMessage(call));
    await withPhoto.send({ chatId: '7', text: '三率图', photo: { png, filename: 'r.png' } });
    expect(fake!.calls.map((c) => c.method)).toEqual(['sendPhoto']);
    expect(fake!.calls[0]!.contentType).toContain('multipart/form-data');
    await fake!.close();

    const noPhoto = await senderFor((call) =>
      call.method === 'sendPhoto' ? { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } } : okMessage(call),
    );
    const res = await noPhoto.send({ chatId: '7', text: '三率图', photo: { png, filename: 'r.png' } });
    expect(fake!.calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(fake!.calls[1]!.body.text).toBe('三率图');
    expect(res.messageId).toMatch(/^\d+$/);
  });

  it('sends a reply to an earlier message when asked (a notice under its card), and alone if that message is gone', async () => {
    const sender = await senderFor(okMessage);
    await sender.send({ chatId: '-2001', text: '【市民补充】诉求 2611250001：还是不亮', replyToMessageId: '321' });
    expect(fake!.calls.at(-1)).toMatchObject({ method: 'sendMessage', body: { chat_id: -2001, reply_parameters: { message_id: 321, allow_sending_without_reply: true } } });
  });

  it('treats "message is not modified" on an edit as done', async () => {
    const sender = await senderFor(() => ({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is not modified' } }));
    await expect(sender.send({ chatId: '7', text: 'same', editMessageId: '55' })).resolves.toEqual({ messageId: '55' });
  });

  it('tolerates a failed answerCallbackQuery', async () => {
    const sender = await senderFor(() => ({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: query is too old' } }));
    await expect(sender.answerAction('987', 'ok')).resolves.toBeUndefined();
    expect(fake!.calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
  });
});

describe('coordinator menu', () => {
  it('a chat just bound to a coordinator gets the coordinator menu with the confirmation; a failing menu never blocks the message', async () => {
    const sender = await senderFor((call) => (call.method === 'setMyCommands' ? { status: 200, body: { ok: true, result: true } } : okMessage(call)));
    await sender.send({ chatId: '-3001', text: '已绑定 三里屯街道', coordinatorMenu: true });
    const menus = fake!.calls.filter((c) => c.method === 'setMyCommands');
    expect(menus.map((c) => [c.body.scope, c.body.language_code])).toEqual([
      [{ type: 'chat', chat_id: -3001 }, 'zh'],
      [{ type: 'chat', chat_id: -3001 }, 'en'],
      [{ type: 'chat', chat_id: -3001 }, undefined],
    ]);
    expect((menus[0]!.body.commands as { command: string }[]).map((c) => c.command)).toContain('whistle');
    expect(fake!.calls.at(-1)).toMatchObject({ method: 'sendMessage', body: { chat_id: -3001, text: '已绑定 三里屯街道' } });

    await fake!.close();
    const refusing = await senderFor((call) => (call.method === 'setMyCommands' ? { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } } : okMessage(call)));
    await refusing.send({ chatId: '-3002', text: '已绑定', coordinatorMenu: true });
    expect(fake!.calls.map((c) => c.method)).toEqual(['setMyCommands', 'sendMessage']);
  });
});
