import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { toInboundMessage, parseCommand } from '../../../adapters/telegram/inbound.js';
import { createTelegramBot } from '../../../adapters/telegram/bot.js';
import { SANDBOX_BOT_INFO } from '../../../adapters/telegram/sandbox.js';
import type { InboundMessage } from '../../../core/channel.js';
import { createLogger } from '../../../core/log.js';

const BOT = 'ShaoshengBot';
const resident = { id: 1001, is_bot: false, first_name: '小', last_name: '王', language_code: 'en-US' };
const privateChat = { id: 1001, type: 'private' as const, first_name: '小' };
const group = { id: -2001, type: 'group' as const, title: '城管科' };
const staff = { id: 2001, is_bot: false, first_name: '李', language_code: 'zh-hans' };

function msg(extra: Record<string, unknown>, chat: object = privateChat, from: object = resident, id = 5): Update {
  return { update_id: 1, message: { message_id: id, date: 1_764_000_000, chat, from, ...extra } } as unknown as Update;
}
const tr = (u: Update) => toInboundMessage(u, BOT);

describe('telegram update → InboundMessage', () => {
  it('translates private text with stable id, language and sender', () => {
    expect(tr(msg({ text: '路灯坏了' }))).toEqual({
      platform: 'telegram',
      messageId: '1001:5',
      chatId: '1001',
      chatType: 'private',
      userId: '1001',
      userName: '小 王',
      language: 'en',
      text: '路灯坏了',
      receivedAt: new Date(1_764_000_000_000),
    });
  });

  it('splits slash commands, strips our @name, drops other bots’ commands, and carries no text', () => {
    const m = tr(msg({ text: '/whistle@ShaoshengBot 2611250001 城管 住建 30' }, group, staff));
    expect(m?.command).toEqual({ name: 'whistle', args: '2611250001 城管 住建 30' });
    expect(m?.text).toBeUndefined();
    expect(m?.chatType).toBe('group');
    expect(m?.chatId).toBe('-2001');
    expect(m?.language).toBe('zh');
    expect(tr(msg({ text: '/start' }))?.command).toEqual({ name: 'start', args: '' });
    expect(tr(msg({ text: '/help@OtherBot' }, group, staff))).toBeUndefined();
    expect(parseCommand('/Stats  2026-10 ', BOT)).toEqual({ name: 'stats', args: '2026-10' });
    expect(parseCommand('/ not a command', BOT)).toBeUndefined();
  });

  it('takes the largest photo and its caption', () => {
    const m = tr(
      msg({
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 60 },
          { file_id: 'big', file_unique_id: 'b', width: 1280, height: 960 },
          { file_id: 'mid', file_unique_id: 'm', width: 320, height: 240 },
        ],
        caption: '垃圾堆在路边',
      }),
    );
    expect(m?.photo).toEqual({ fileId: 'big' });
    expect(m?.text).toBe('垃圾堆在路边');
  });

  it('marks a location as WGS-84 and keeps a venue name', () => {
    expect(tr(msg({ location: { latitude: 39.9087, longitude: 116.3975 } }))?.location).toEqual({ lat: 39.9087, lng: 116.3975, coordSystem: 'wgs84' });
    const v = tr(msg({ location: { latitude: 39.9, longitude: 116.4 }, venue: { location: { latitude: 39.9, longitude: 116.4 }, title: '朝阳公园', address: '朝阳公园南路1号' } }));
    expect(v?.location?.label).toBe('朝阳公园 朝阳公园南路1号');
  });

  it("keeps a shared phone only when it is the sender's own", () => {
    expect(tr(msg({ contact: { phone_number: '13800138000', first_name: '小', user_id: 1001 } }))?.contactPhone).toBe('13800138000');
    expect(tr(msg({ contact: { phone_number: '13900139000', first_name: '别人', user_id: 4242 } }))).toBeUndefined();
  });

  it('turns a button press into an action tied to its card', () => {
    const u = {
      update_id: 2,
      callback_query: { id: '77', from: staff, chat_instance: 'x', data: 'acc:2611250001', message: { message_id: 40, date: 0, chat: group } },
    } as unknown as Update;
    expect(tr(u)).toMatchObject({
      messageId: 'cb:77',
      chatId: '-2001',
      chatType: 'group',
      userId: '2001',
      action: { data: 'acc:2611250001', ackId: '77', messageId: '40' },
    });
  });

  it('keeps the message a reply answers, as the bare message id SendResult uses', () => {
    const m = tr(msg({ text: '已到现场', reply_to_message: { message_id: 40, date: 0, chat: group } }, group, staff));
    expect(m?.replyToMessageId).toBe('40');
  });

  it('maps both migration service messages to one migration event from the old chat', () => {
    const old = tr(msg({ migrate_to_chat_id: -1001234 }, group, staff, 90));
    const fresh = tr(msg({ migrate_from_chat_id: -2001 }, { id: -1001234, type: 'supergroup', title: '城管科' }, staff, 1));
    expect(old).toMatchObject({ chatId: '-2001', event: { kind: 'migrated', toChatId: '-1001234' } });
    expect(fresh?.messageId).toBe(old?.messageId);
    expect(fresh?.chatId).toBe('-2001');
  });

  it('reports the bot being added to or removed from a group as a membership event', () => {
    const u = {
      update_id: 3,
      my_chat_member: {
        chat: group,
        from: staff,
        date: 1_764_000_100,
        old_chat_member: { status: 'left', user: { id: 666, is_bot: true, first_name: 'bot' } },
        new_chat_member: { status: 'member', user: { id: 666, is_bot: true, first_name: 'bot' } },
      },
    } as unknown as Update;
    expect(tr(u)).toMatchObject({ chatId: '-2001', chatType: 'group', event: { kind: 'membership', status: 'member' } });
  });

  it('voice notes, videos and files carry their file ids, sizes and types (re-sent to the unit by file_id)', () => {
    const voice = tr(msg({ voice: { file_id: 'VOICE', file_unique_id: 'v', duration: 5, mime_type: 'audio/ogg', file_size: 9000 }, caption: '楼下噪音' }));
    expect(voice).toMatchObject({ media: [{ kind: 'voice', fileId: 'VOICE', size: 9000, mime: 'audio/ogg', durationSec: 5 }], text: '楼下噪音' });
    const video = tr(msg({ video: { file_id: 'VID', file_unique_id: 'x', width: 1, height: 1, duration: 3, file_size: 70_000_000 } }));
    expect(video?.media).toEqual([{ kind: 'video', fileId: 'VID', size: 70_000_000, durationSec: 3 }]);
    const doc = tr(msg({ document: { file_id: 'DOC', file_unique_id: 'd', file_name: '照片.pdf', mime_type: 'application/pdf' } }));
    expect(doc?.media).toEqual([{ kind: 'document', fileId: 'DOC', fileName: '照片.pdf', mime: 'application/pdf' }]);
  });

  it('ignores what the service does not handle', () => {
    expect(tr(msg({ sticker: { file_id: 'x' } }, group, staff))).toBeUndefined();
    // in a private chat a sticker is answered (nothing a unit could be shown), not dropped
    expect(tr(msg({ sticker: { file_id: 'x' } }))).toMatchObject({ unsupported: 'sticker' });
    expect(tr({ update_id: 4, channel_post: { message_id: 1, date: 0, chat: { id: -100, type: 'channel', title: 'c' }, text: 'x' } } as unknown as Update)).toBeUndefined();
    expect(tr({ update_id: 5, edited_message: { message_id: 1, date: 0, chat: privateChat, from: resident, text: 'x' } } as unknown as Update)).toBeUndefined();
  });
});

describe('the bot middleware', () => {
  it('hands translated updates to the sink, ignores the rest, and never logs message text or phones', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
    const seen: InboundMessage[] = [];
    const bot = createTelegramBot({ token: '1:T', apiRoot: 'http://127.0.0.1:1', logger, sink: async (m) => (seen.push(m), true), botInfo: SANDBOX_BOT_INFO });
    await bot.handleUpdate(msg({ text: '我的电话13800138000，路灯坏了' }) as never);
    await bot.handleUpdate(msg({ contact: { phone_number: '13800138000', first_name: '小', user_id: 1001 } }, privateChat, resident, 6) as never);
    await bot.handleUpdate(msg({ sticker: { file_id: 'x' } }, group, staff, 7) as never);
    await bot.handleUpdate(msg({ text: '/whistle@TestNameBot 2611250001 城管' }, group, staff, 8) as never);
    expect(seen.map((m) => m.messageId)).toEqual(['1001:5', '1001:6', '-2001:8']);
    expect(seen[2]?.command).toEqual({ name: 'whistle', args: '2611250001 城管' });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toContain('13800138000');
    expect(all).not.toContain('路灯');
  });

  it('logs a failing sink as an error without the update', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const bot = createTelegramBot({ token: '1:T', apiRoot: 'http://127.0.0.1:1', logger, sink: async () => { throw new Error('db down'); }, botInfo: SANDBOX_BOT_INFO, sinkRetryDelaysMs: [] });
    await expect(bot.handleUpdate(msg({ text: '路灯坏了' }) as never)).rejects.toThrow();
    // polling path: the runner hands the BotError to bot.catch
    await bot.errorHandler(Object.assign(new Error('x'), { error: new Error('db down'), ctx: { update: { update_id: 1 } } }) as never);
    expect(lines.join('\n')).toContain('db down');
    expect(lines.join('\n')).not.toContain('路灯');
  });
});
