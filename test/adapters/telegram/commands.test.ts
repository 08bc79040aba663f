import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from 'grammy';
import { registerCommands } from '../../../adapters/telegram/commands.js';
import { SANDBOX_BOT_INFO, startSandbox } from '../../../adapters/telegram/sandbox.js';
import { createLogger } from '../../../core/log.js';
import { startFakeBotApi } from './fake-bot-api.js';

const logger = createLogger({ level: 'silent' });
let fake: Awaited<ReturnType<typeof startFakeBotApi>> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('registerCommands', () => {
  it('gives each role its menu per scope and language', async () => {
    fake = await startFakeBotApi(() => ({ status: 200, body: { ok: true, result: true } }));
    const bot = new Bot('1:T', { client: { apiRoot: fake.apiRoot }, botInfo: SANDBOX_BOT_INFO });
    const ok = await registerCommands(bot, { logger, coordinatorChatIds: ['-3001'] });
    expect(ok).toBe(12); // 4 scopes × (zh, en, default)
    const menu = (scope: string, lang?: string, chatId?: number) =>
      fake!.calls
        .filter((c) => (c.body.scope as { type: string; chat_id?: number }).type === scope && c.body.language_code === lang && (chatId === undefined || (c.body.scope as { chat_id?: number }).chat_id === chatId))
        .flatMap((c) => (c.body.commands as { command: string }[]).map((x) => x.command));
    expect(menu('all_private_chats', 'zh')).toEqual(['start', 'my', 'help']);
    expect(menu('all_group_chats', 'en')).toEqual(['help']);
    expect(menu('all_chat_administrators', undefined)).toEqual(['help', 'bind']);
    expect(menu('chat', 'zh', -3001)).toEqual(['help', 'whistle', 'rollcall', 'dispatch', 'review', 'overdue', 'stats', 'hotspots']);
    const en = fake.calls.find((c) => c.body.language_code === 'en' && (c.body.scope as { type: string }).type === 'all_private_chats');
    expect((en?.body.commands as { description: string }[])[1]?.description).toBe('My petitions');
  });

  it('logs and carries on when the Bot API server lacks setMyCommands (the emulator)', async () => {
    const sandbox = await startSandbox({ port: 0, logger });
    try {
      const bot = new Bot(sandbox.token, { client: { apiRoot: sandbox.apiRoot }, botInfo: SANDBOX_BOT_INFO });
      await expect(registerCommands(bot, { logger })).resolves.toBe(0);
    } finally {
      await sandbox.stop();
    }
  });
});
