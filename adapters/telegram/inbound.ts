/**
 * Telegram update → plain InboundMessage. Pure: no I/O, no bot instance, so
 * every case is testable from a fixture.
 *
 * Ids (strings, stable across redeliveries of the same update):
 * - a message: `${chat.id}:${message_id}` (message ids are per chat);
 * - a button press: `cb:${callback_query.id}`;
 * - a group → supergroup migration: `migrate:${oldChatId}:${newChatId}` (see below);
 * - the bot's own membership change: `member:${chat.id}:${date}:${status}`.
 * References to earlier messages (`action.messageId`, `replyToMessageId`) are
 * the bare `String(message_id)`, the same form SendResult.messageId has, so a
 * reply or press maps back to the card that was sent (together with chatId).
 *
 * Service events become an `event` (never a command: nothing a person can
 * type reaches them), so they travel the same durable path (sink → store →
 * queue) as everything else and the conversations can ignore what they do not handle:
 * - `migrated` (the new chat id). Telegram sends two service messages
 *   when a group becomes a supergroup (`migrate_to_chat_id` in the old chat,
 *   `migrate_from_chat_id` in the new one); both map to the same message
 *   with chatId = the old chat id and the same messageId, so the sink keeps one.
 * - `membership` (the bot's new status: member, administrator, left, kicked…)
 *   from `my_chat_member`: the bot was added to or removed from a chat.
 *
 * Commands carry `command` and no `text`, so a `/start` can never be filed as
 * a petition. A command addressed to another bot (`/help@OtherBot`) is
 * dropped. A shared contact that is not the sender's own is dropped: only a
 * user's own number may be attached to their petition. Channels and edited
 * messages are not handled.
 */
import type { Message, Update, User, Chat } from 'grammy/types';
import type { InboundMedia, InboundMessage } from '../types.js';

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/** 'zh-hans' → 'zh', 'en-US' → 'en'. */
function languageOf(user?: User): string | undefined {
  return user?.language_code?.split(/[-_]/)[0]?.toLowerCase() || undefined;
}

function nameOf(user?: User): string | undefined {
  if (!user) return undefined;
  return [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username;
}

function chatTypeOf(chat: Chat): 'private' | 'group' | undefined {
  if (chat.type === 'private') return 'private';
  if (chat.type === 'group' || chat.type === 'supergroup') return 'group';
  return undefined;
}

export function parseCommand(text: string, botUsername?: string): { name: string; args: string } | 'other_bot' | undefined {
  const m = COMMAND.exec(text.trim());
  if (!m) return undefined;
  const [, name, target, args] = m;
  if (target && botUsername && target.toLowerCase() !== botUsername.toLowerCase()) return 'other_bot';
  return { name: name!.toLowerCase(), args: (args ?? '').trim() };
}

function fromMessage(msg: Message, botUsername: string | undefined): InboundMessage | undefined {
  const chatType = chatTypeOf(msg.chat);
  if (!chatType) return undefined;
  const chatId = String(msg.chat.id);

  const newChatId = msg.migrate_to_chat_id ?? (msg.migrate_from_chat_id !== undefined ? msg.chat.id : undefined);
  if (newChatId !== undefined) {
    const oldChatId = String(msg.migrate_from_chat_id ?? msg.chat.id);
    return {
      platform: 'telegram',
      messageId: `migrate:${oldChatId}:${newChatId}`,
      chatId: oldChatId,
      chatType: 'group',
      userId: String(msg.from?.id ?? ''),
      event: { kind: 'migrated', toChatId: String(newChatId) },
      receivedAt: new Date(msg.date * 1000),
    };
  }

  const base: InboundMessage = {
    platform: 'telegram',
    messageId: `${chatId}:${msg.message_id}`,
    chatId,
    chatType,
    userId: String(msg.from?.id ?? msg.sender_chat?.id ?? ''),
    receivedAt: new Date(msg.date * 1000),
  };
  const userName = nameOf(msg.from);
  if (userName) base.userName = userName;
  const language = languageOf(msg.from);
  if (language) base.language = language;
  if (msg.reply_to_message) base.replyToMessageId = String(msg.reply_to_message.message_id);

  let content = false;
  if (typeof msg.text === 'string') {
    const command = msg.text.startsWith('/') ? parseCommand(msg.text, botUsername) : undefined;
    if (command === 'other_bot') return undefined;
    if (command) base.command = command;
    else base.text = msg.text;
    content = true;
  }
  if (msg.photo?.length) {
    const largest = msg.photo.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
    base.photo = { fileId: largest.file_id, ...(largest.file_size ? { size: largest.file_size } : {}) };
    if (msg.caption) base.text = msg.caption;
    content = true;
  }
  // Voice notes, videos and files: re-sent to the unit by file_id (no size limit applies to a re-send).
  const media: InboundMedia[] = [];
  const file = (kind: InboundMedia['kind'], f: { file_id: string; file_size?: number; mime_type?: string; file_name?: string; duration?: number }): InboundMedia => ({
    kind,
    fileId: f.file_id,
    ...(f.file_size ? { size: f.file_size } : {}),
    ...(f.mime_type ? { mime: f.mime_type } : {}),
    ...(f.file_name ? { fileName: f.file_name } : {}),
    ...(f.duration ? { durationSec: f.duration } : {}),
  });
  if (msg.voice) media.push(file('voice', msg.voice));
  if (msg.video) media.push(file('video', msg.video));
  // An animation (GIF) carries its document too; that is what can be re-sent as a file.
  if (msg.document) media.push(file('document', msg.document));
  if (media.length) {
    base.media = media;
    if (msg.caption) base.text = msg.caption;
    content = true;
  }
  if (msg.location) {
    base.location = { lat: msg.location.latitude, lng: msg.location.longitude, coordSystem: 'wgs84' };
    if (msg.venue) base.location.label = [msg.venue.title, msg.venue.address].filter(Boolean).join(' ');
    content = true;
  }
  if (msg.contact) {
    if (!msg.from || msg.contact.user_id !== msg.from.id) return undefined;
    base.contactPhone = msg.contact.phone_number;
    content = true;
  }
  if (!content && chatType === 'private') {
    // Sent to the bot, but nothing a unit could be shown: answered, never silently dropped (groups stay quiet).
    const other = (['sticker', 'video_note', 'audio', 'poll', 'dice', 'game', 'story', 'paid_media'] as const).find((k) => (msg as unknown as Record<string, unknown>)[k] !== undefined);
    if (other) {
      base.unsupported = other;
      content = true;
    }
  }
  return content ? base : undefined;
}

/**
 * Translate one update, or undefined when it carries nothing the service
 * handles (stickers, channel posts, edits, another bot's command…).
 * `botUsername` (without @) decides whether `/cmd@name` is ours.
 */
export function toInboundMessage(update: Update, botUsername?: string): InboundMessage | undefined {
  if (update.message) return fromMessage(update.message, botUsername);

  const cq = update.callback_query;
  if (cq) {
    if (cq.data === undefined) return undefined; // game callbacks carry no data
    const chat = cq.message?.chat;
    const chatType = chat ? chatTypeOf(chat) : 'private';
    if (!chatType) return undefined;
    const msg: InboundMessage = {
      platform: 'telegram',
      messageId: `cb:${cq.id}`,
      // Without the message (inline-mode buttons) the press comes from the user's private chat with the bot.
      chatId: String(chat?.id ?? cq.from.id),
      chatType,
      userId: String(cq.from.id),
      action: { data: cq.data, ackId: cq.id },
      receivedAt: new Date(),
    };
    if (cq.message) msg.action!.messageId = String(cq.message.message_id);
    const userName = nameOf(cq.from);
    if (userName) msg.userName = userName;
    const language = languageOf(cq.from);
    if (language) msg.language = language;
    return msg;
  }

  const member = update.my_chat_member;
  if (member) {
    const chatType = chatTypeOf(member.chat);
    if (!chatType) return undefined;
    const status = member.new_chat_member.status;
    return {
      platform: 'telegram',
      messageId: `member:${member.chat.id}:${member.date}:${status}`,
      chatId: String(member.chat.id),
      chatType,
      userId: String(member.from.id),
      event: { kind: 'membership', status },
      receivedAt: new Date(member.date * 1000),
    };
  }
  return undefined;
}
