import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramBot, startPolling, type PollingHandle } from '../../../adapters/telegram/bot.js';
import { SANDBOX_BOT_INFO } from '../../../adapters/telegram/sandbox.js';
import { createLogger } from '../../../core/log.js';
import { createRecordingSink } from './harness.js';
import { startFakeBotApi } from './fake-bot-api.js';

let fake: Awaited<ReturnType<typeof startFakeBotApi>> | undefined;
let polling: PollingHandle | undefined;
afterEach(async () => {
  await polling?.stop();
  await fake?.close();
  polling = fake = undefined;
});

const textUpdate = (updateId: number, chatId: number, messageId: number, text: string) => ({
  update_id: updateId,
  message: { message_id: messageId, date: 1_764_000_000, chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' }, from: { id: Math.abs(chatId), is_bot: false, first_name: 'x' }, text },
});

describe('long polling', () => {
  it('deletes a leftover webhook when getUpdates answers 409, then receives updates', async () => {
    let webhookSet = true;
    let delivered = false;
    fake = await startFakeBotApi((call) => {
      if (call.method === 'deleteWebhook') {
        webhookSet = false;
        return { status: 200, body: { ok: true, result: true } };
      }
      if (webhookSet) return { status: 409, body: { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" } };
      const result = delivered ? [] : [textUpdate(1, 1001, 5, '你好')];
      delivered = true;
      return { status: 200, body: { ok: true, result } };
    });
    const rec = createRecordingSink();
    const bot = createTelegramBot({ token: '1:T', apiRoot: fake.apiRoot, logger: createLogger({ level: 'silent' }), sink: rec.sink, botInfo: SANDBOX_BOT_INFO });
    polling = startPolling(bot, { idleDelayMs: 20 });
    const msg = await rec.waitFor(1);
    expect(msg.messageId).toBe('1001:5');
    expect(fake.calls.filter((c) => c.method === 'deleteWebhook')).toHaveLength(1);
    expect(fake.calls[0]!.body.allowed_updates).toEqual(['message', 'callback_query', 'my_chat_member']);
  });

  it('handles one chat in order while other chats go ahead', async () => {
    let sent = false;
    fake = await startFakeBotApi(() => {
      const result = sent ? [] : [textUpdate(1, -7, 1, 'a1'), textUpdate(2, -7, 2, 'a2'), textUpdate(3, 1001, 1, 'b1')];
      sent = true;
      return { status: 200, body: { ok: true, result } };
    });
    const order: string[] = [];
    const bot = createTelegramBot({
      token: '1:T',
      apiRoot: fake.apiRoot,
      logger: createLogger({ level: 'silent' }),
      botInfo: SANDBOX_BOT_INFO,
      sink: async (m) => {
        order.push(`start ${m.text}`);
        if (m.text === 'a1') await new Promise((r) => setTimeout(r, 200)); // a slow store for the group's first message
        order.push(`end ${m.text}`);
        return true;
      },
    });
    polling = startPolling(bot, { idleDelayMs: 20 });
    for (let i = 0; i < 100 && order.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    // a2 waits for a1 (same chat); b1 (another chat) does not wait for a1
    expect(order.indexOf('start a2')).toBeGreaterThan(order.indexOf('end a1'));
    expect(order.indexOf('end b1')).toBeLessThan(order.indexOf('end a1'));
  });
});
