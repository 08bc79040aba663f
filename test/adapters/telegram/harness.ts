/**
 * Telegram side of the channel contract: a real telegram-test-api server on
 * a free port, the adapter's bot polling it through @grammyjs/runner, and
 * the adapter's sender writing to it with budgets in a per-file Redis prefix.
 */
import type { Update } from 'grammy/types';
import { createTelegramBot, startPolling } from '../../../adapters/telegram/bot.js';
import { startSandbox, SANDBOX_BOT_INFO, SANDBOX_USERS } from '../../../adapters/telegram/sandbox.js';
import { createTelegramSender } from '../../../adapters/telegram/sender.js';
import type { InboundMessage } from '../../../core/channel.js';
import { createLogger } from '../../../core/log.js';
import { createTestRedis } from '../../helpers/redis.js';
import type { ChannelHarness, PlatformMessage } from '../contract.js';

/** Collects what reached the sink and lets a test wait for the next arrivals. */
export function createRecordingSink() {
  const received: InboundMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sink = async (msg: InboundMessage) => {
    const dup = received.some((m) => m.messageId === msg.messageId);
    received.push(msg);
    for (const w of [...waiters]) if (received.length >= w.count) w.resolve();
    return !dup;
  };
  /** Resolves with the message that made the sink reach `count` entries. */
  const waitFor = (count: number, timeoutMs = 5000) =>
    new Promise<InboundMessage>((resolve, reject) => {
      if (received.length >= count) return resolve(received[count - 1]!);
      const timer = setTimeout(() => reject(new Error(`sink has ${received.length} messages, expected ${count}`)), timeoutMs);
      waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(received[count - 1]!);
        },
      });
    });
  return { sink, received, waitFor };
}

export async function makeTelegramHarness(): Promise<ChannelHarness> {
  const logger = createLogger({ level: 'silent' });
  const sandbox = await startSandbox({ port: 0, logger });
  const testRedis = await createTestRedis();
  const rec = createRecordingSink();
  const bot = createTelegramBot({ token: sandbox.token, apiRoot: sandbox.apiRoot, logger, sink: rec.sink, botInfo: SANDBOX_BOT_INFO });
  const updates: Update[] = [];
  bot.api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method === 'getUpdates' && res.ok) updates.push(...(res.result as Update[]));
    return res;
  });
  const polling = startPolling(bot, { idleDelayMs: 20 });
  const sender = createTelegramSender({
    token: sandbox.token,
    apiRoot: sandbox.apiRoot,
    redis: testRedis.redis,
    keyPrefix: testRedis.prefix,
    logger,
    limits: { perChat: { limit: 1, windowMs: 20 } },
  });
  const clientOf = (chat: 'private' | 'group') => {
    const u = chat === 'private' ? SANDBOX_USERS.resident : SANDBOX_USERS.staff;
    return sandbox.server.getClient(sandbox.token, { userId: u.userId, chatId: u.chatId, type: u.type, firstName: u.firstName });
  };

  return {
    platform: 'telegram',
    chats: { private: String(SANDBOX_USERS.resident.chatId), group: String(SANDBOX_USERS.staff.chatId) },
    sender,
    async injectText(chat, text) {
      const client = clientOf(chat);
      const next = rec.received.length + 1;
      await client.sendMessage(client.makeMessage(text));
      return rec.waitFor(next);
    },
    async redeliverLast() {
      const last = updates.at(-1);
      if (!last) throw new Error('nothing delivered yet');
      const next = rec.received.length + 1;
      await bot.handleUpdate(structuredClone(last));
      return rec.waitFor(next);
    },
    async pressButton(chat, messageId, data) {
      const client = clientOf(chat);
      const next = rec.received.length + 1;
      const base = client.makeCallbackQuery(data);
      await client.sendCallback({ ...base, message: { ...base.message, message_id: Number(messageId) } });
      return rec.waitFor(next);
    },
    async platformMessages(chatId): Promise<PlatformMessage[]> {
      return sandbox.server.storage.botMessages
        .filter((u) => String(u.message.chat_id) === chatId)
        .map((u) => {
          const m = u.message as { text?: string; caption?: string; reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] } };
          return {
            messageId: String(u.messageId),
            text: m.text ?? m.caption ?? '',
            buttons: (m.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => ({ label: b.text, data: b.callback_data ?? '' }))),
            photo: m.text === undefined && m.caption !== undefined,
          };
        });
    },
    async close() {
      await polling.stop();
      await sandbox.stop();
      await testRedis.cleanup();
    },
  };
}
