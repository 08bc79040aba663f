import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../../adapters/telegram/bot.js';
import { SANDBOX_BOT_INFO, startSandbox } from '../../../adapters/telegram/sandbox.js';
import { setWebhook, telegramWebhookRoute } from '../../../adapters/telegram/webhook.js';
import type { InboundMessage } from '../../../core/channel.js';
import { createLogger } from '../../../core/log.js';

const SECRET = 'hook_Secret-123';
const logger = createLogger({ level: 'silent' });
const update = {
  update_id: 9001,
  message: {
    message_id: 17,
    date: 1_764_000_000,
    chat: { id: 1001, type: 'private', first_name: '居民' },
    from: { id: 1001, is_bot: false, first_name: '居民', language_code: 'zh-hans' },
    text: '小区门口路灯不亮',
  },
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function appWith(sink: (m: InboundMessage) => Promise<boolean>) {
  app = Fastify();
  const bot = createTelegramBot({ token: '1:T', apiRoot: 'http://127.0.0.1:1', logger, sink, botInfo: SANDBOX_BOT_INFO, sinkRetryDelaysMs: [20, 20] });
  telegramWebhookRoute(app, { path: '/telegram/webhook', secret: SECRET, bot, timeoutMs: 1000 });
  return app;
}

const post = (a: FastifyInstance, headers: Record<string, string>) =>
  a.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'content-type': 'application/json', ...headers }, payload: update });

describe('telegram webhook route', () => {
  it('refuses a missing or wrong secret with 401 and stores nothing', async () => {
    const seen: InboundMessage[] = [];
    const a = appWith(async (m) => (seen.push(m), true));
    expect((await post(a, {})).statusCode).toBe(401);
    expect((await post(a, { 'x-telegram-bot-api-secret-token': 'hook_Secret-124' })).statusCode).toBe(401);
    expect((await post(a, { 'x-telegram-bot-api-secret-token': SECRET + 'x' })).statusCode).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it('answers 200 only after the sink stored the update, and hands it over once', async () => {
    const seen: InboundMessage[] = [];
    let stored = false;
    const a = appWith(async (m) => {
      seen.push(m);
      await new Promise((r) => setTimeout(r, 150));
      stored = true;
      return true;
    });
    const res = await post(a, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(res.statusCode).toBe(200);
    expect(stored).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ messageId: '1001:17', chatType: 'private', text: '小区门口路灯不亮', language: 'zh' });
  });

  it('retries a sink that fails briefly, and answers an error when it keeps failing, so Telegram delivers again', async () => {
    let calls = 0;
    const blip = appWith(async () => {
      if (++calls === 1) throw new Error('database unavailable');
      return true;
    });
    expect((await post(blip, { 'x-telegram-bot-api-secret-token': SECRET })).statusCode).toBe(200);
    expect(calls).toBe(2);
    await app!.close();

    calls = 0;
    const down = appWith(async () => {
      calls++;
      throw new Error('database unavailable');
    });
    const res = await post(down, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(calls).toBe(3);
  });

  it('refuses to mount without a usable secret (grammY would accept every request)', () => {
    app = Fastify();
    const bot = createTelegramBot({ token: '1:T', apiRoot: 'http://127.0.0.1:1', logger, sink: async () => true, botInfo: SANDBOX_BOT_INFO });
    expect(() => telegramWebhookRoute(app!, { path: '/x', secret: '', bot })).toThrow(/secret/);
  });

  it('registers the webhook URL at start-up (against the emulator, which then posts updates there)', async () => {
    const sandbox = await startSandbox({ port: 0, logger });
    try {
      const hits: unknown[] = [];
      const receiver = Fastify();
      receiver.post('/hook', async (req) => (hits.push(req.body), {}));
      const url = await receiver.listen({ port: 0, host: '127.0.0.1' });
      await setWebhook({ token: sandbox.token, apiRoot: sandbox.apiRoot, url: `${url}/hook`, secret: SECRET });
      const client = sandbox.server.getClient(sandbox.token, { userId: 1001, chatId: 1001 });
      await client.sendMessage(client.makeMessage('hi'));
      for (let i = 0; i < 100 && hits.length === 0; i++) await new Promise((r) => setTimeout(r, 20)); // the emulator posts asynchronously
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ message: { text: 'hi', chat: { id: 1001 } } });
      await receiver.close();
    } finally {
      await sandbox.stop();
    }
  });
});
