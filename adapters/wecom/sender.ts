/**
 * ChannelSenders for WeCom: 'wecom' (staff: application messages, template
 * cards, application group chats, group robots) and 'wecom_kf' (residents
 * via 微信客服). One attempt per send; a failure leaves as a SendError (core/errors.ts):
 * permanent when a retry cannot fix it, else transient with the wait WeCom asks for.
 */
import { randomUUID } from 'node:crypto';
import { AppError, SendError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Button, ChannelSender, OutboundAttachment, OutboundMessage, SendResult } from '../types.js';
import { MEDIA_TYPE } from './media.js';
import type { WecomClient } from './client.js';
import { BACKOFF_ERRCODES, ERR, RATE_LIMIT_BAN_MS, TOKEN_ERRCODES } from './codes.js';
import { WecomApiError, WecomConfigError, WecomHttpError, WecomKfBudgetError, WecomQuotaError, type WecomPermanentReason } from './errors.js';
import { currentMsgid, rememberCard, rememberKfMenu, setCurrentMsgid } from './message-map.js';
import { byteLength, splitBytes, truncateBytes } from './text.js';
import {
  CARD_BUTTON_TEXT_MAX_CHARS,
  CARD_FIELD_KEY_MAX_CHARS,
  CARD_FIELD_VALUE_MAX_CHARS,
  CARD_MAX_BUTTONS,
  CARD_MAX_FIELDS,
  CARD_SUBTITLE_MAX_CHARS,
  CARD_TITLE_MAX_CHARS,
  KF_MENU_CONTENT_MAX_BYTES,
  KF_MENU_HEAD_MAX_BYTES,
  KF_MENU_ID_MAX_BYTES,
  KF_MENU_MAX_ITEMS,
  TEXT_MAX_BYTES,
  type ButtonInteractionCard,
  type KfOutMessage,
} from './wire.js';

const cutChars = (s: string, max: number): string => {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
};

/** Card and text as plain text, for targets without cards (group chats, 微信客服). */
export function renderPlainText(msg: OutboundMessage): string {
  const parts: string[] = [];
  if (msg.card) {
    parts.push(`【${msg.card.title}】`);
    for (const f of msg.card.fields) parts.push(`${f.label}：${f.value}`);
  }
  if (msg.text) parts.push(msg.text);
  return parts.join('\n');
}

/** Buttons as numbered choices ("1. 签收"), the convention for adapters without buttons. */
export function renderNumberedChoices(buttons: Button[][] | undefined): string {
  const flat = (buttons ?? []).flat();
  return flat.map((b, i) => `${i + 1}. ${b.label}`).join('\n');
}

export function parseWecomChatId(chatId: string): { kind: 'user' | 'chat' | 'robot'; id: string } {
  const m = /^(user|chat|robot):(.+)$/.exec(chatId);
  if (!m) throw new AppError('wecom_bad_chat_id', `WeCom chatId must be "user:<userid>", "chat:<chatid>" or "robot:<name>", got "${chatId.slice(0, 40)}"`);
  return { kind: m[1] as 'user' | 'chat' | 'robot', id: m[2]! };
}

const NOT_FOUND: ReadonlySet<number> = new Set([ERR.NO_VALID_RECIPIENT, ERR.APPCHAT_NOT_FOUND]);
const INVALID: ReadonlySet<number> = new Set([ERR.INVALID_PARAM, ERR.CONTENT_TOO_LONG, 40008, 44004]);
const OUR_MISTAKES: ReadonlySet<string> = new Set(['wecom_bad_chat_id', 'wecom_kf_no_account', 'wecom_kf_menu_id']);

const permanent = (reason: WecomPermanentReason | 'config', message: string, errcode?: number) => SendError.permanent(`wecom_${reason}`, reason, message, errcode);

/**
 * Every failure of a send as the one SendError: permanent when a retry cannot fix it (the
 * delivery is recorded failed), transient otherwise, with the wait WeCom asks for (45009: its
 * minute ban; a full quota: until a slot frees) so the send job waits in the queue, not here.
 */
export function toSendError(err: unknown): unknown {
  if (err instanceof SendError) return err;
  if (err instanceof WecomKfBudgetError) return permanent(err.reason, err.message, err.errcode);
  if (err instanceof WecomConfigError) return permanent('config', err.message, err.errcode);
  if (err instanceof WecomQuotaError) return SendError.transient('wecom_quota', 'budget', err.message, err.retryAfterMs);
  if (err instanceof WecomHttpError) return SendError.transient('wecom_http', 'unavailable', err.message, undefined, err.status);
  if (err instanceof WecomApiError) {
    if (err.errcode === ERR.RATE_LIMITED) return SendError.transient('wecom_rate_limited', 'rate_limited', err.message, RATE_LIMIT_BAN_MS, err.errcode);
    if (BACKOFF_ERRCODES.has(err.errcode) || TOKEN_ERRCODES.has(err.errcode)) return SendError.transient(`wecom_${err.errcode}`, 'unavailable', err.message, undefined, err.errcode);
    const reason = NOT_FOUND.has(err.errcode) ? 'chat_not_found' : INVALID.has(err.errcode) ? 'invalid_message' : 'bad_request';
    return permanent(reason, err.message, err.errcode);
  }
  if (err instanceof AppError && OUR_MISTAKES.has(err.code)) return permanent('invalid_message', err.message);
  return err;
}

async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toSendError(err);
  }
}

export interface WecomSenderOptions {
  client: WecomClient;
  logger: Logger;
  /**
   * Group robots by name → webhook URL, for `robot:<name>` chat ids (outbound
   * only, 20/min each). Names, not URLs, go into chat bindings and logs,
   * because the URL holds the robot's key.
   */
  robots?: Record<string, string>;
}

/**
 * Staff sender (platform 'wecom'). `user:<userid>` → application message
 * (a button_interaction template card when the message has a card or
 * buttons); `chat:<chatid>` → application group chat, `robot:<name>` → a
 * group robot webhook (both text only: no interactive cards there, so
 * buttons become numbered choices and staff act by text command in the
 * application chat). Text over 2048 bytes is split.
 * WeCom cannot edit: for a member, `editMessageId` recalls the current
 * message and sends the new one, and the result keeps the first messageId
 * (clicks on the new card map to it too); a group chat message cannot be
 * recalled, so there an edit is a new message. A chart (`photo`) follows its
 * text as an uploaded image; evidence (`attachments`) follows as image /
 * voice / video / file messages.
 */
export function createWecomSender(opts: WecomSenderOptions): ChannelSender {
  const { client } = opts;
  const log = opts.logger.child({ module: 'wecom-sender' });

  async function sendTextChunks(toUser: string, text: string): Promise<string> {
    let last = '';
    for (const chunk of splitBytes(text, TEXT_MAX_BYTES)) last = (await client.sendAppText(toUser, chunk)).msgid;
    return last;
  }

  async function sendCard(toUser: string, msg: OutboundMessage): Promise<{ msgid: string; taskId?: string }> {
    const buttons = (msg.buttons ?? []).flat();
    if (buttons.length > CARD_MAX_BUTTONS) log.warn({ count: buttons.length }, `template card keeps the first ${CARD_MAX_BUTTONS} buttons`);
    const lines = msg.text.split('\n');
    const title = msg.card?.title ?? lines[0] ?? '';
    const body = msg.card ? msg.text : lines.slice(1).join('\n');
    const fields = msg.card?.fields ?? [];
    const extraFields = fields.slice(CARD_MAX_FIELDS).map((f) => `${f.label}：${f.value}`);
    const subtitle = [...extraFields, body].filter(Boolean).join('\n');
    // A body too long for the card goes first as its own text message, so nothing is lost.
    if ([...subtitle].length > CARD_SUBTITLE_MAX_CHARS) await sendTextChunks(toUser, renderPlainText(msg));
    const card: ButtonInteractionCard = {
      card_type: 'button_interaction',
      main_title: { title: cutChars(title, CARD_TITLE_MAX_CHARS) },
      ...(subtitle ? { sub_title_text: cutChars(subtitle, CARD_SUBTITLE_MAX_CHARS) } : {}),
      ...(fields.length
        ? {
            horizontal_content_list: fields.slice(0, CARD_MAX_FIELDS).map((f) => ({
              keyname: cutChars(f.label, CARD_FIELD_KEY_MAX_CHARS),
              value: cutChars(f.value, CARD_FIELD_VALUE_MAX_CHARS),
            })),
          }
        : {}),
      task_id: msg.card?.taskId ?? `t${Date.now().toString(36)}${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      button_list: buttons.slice(0, CARD_MAX_BUTTONS).map((b, i) => ({
        text: cutChars(b.label, CARD_BUTTON_TEXT_MAX_CHARS),
        key: b.data,
        style: i === 0 ? 1 : 2,
      })),
    };
    if (card.button_list.length === 0) {
      // A card without buttons is only a display: text says the same with less quota risk.
      return { msgid: await sendTextChunks(toUser, renderPlainText(msg)) };
    }
    return { msgid: (await client.sendTemplateCard(toUser, card)).msgid, taskId: card.task_id };
  }

  return {
    platform: 'wecom',

    send: (msg: OutboundMessage): Promise<SendResult> => classified(() => sendStaff(msg)),

    /** Grey out the clicked card's buttons (ackId = the click's ResponseCode, usable once within 72 h). */
    async answerAction(ackId: string, text?: string): Promise<void> {
      await classified(() => client.updateTemplateCard({ responseCode: ackId, replaceName: cutChars(text ?? '已处理', 20) }));
    },
  };

  /**
   * Evidence after the card: files the resident sent through 微信客服, already uploaded for the
   * application (relayId), as image / voice / video / file messages. A pin has no message type here:
   * the card's text carries its map link. Best effort: the card is out, so a file that fails is logged.
   */
  async function sendAttachments(target: { kind: 'user' | 'chat' | 'robot'; id: string }, list: OutboundAttachment[] | undefined) {
    for (const a of list ?? []) {
      if (a.kind === 'location' || !a.relayId || target.kind === 'robot') continue;
      const type = MEDIA_TYPE[a.kind];
      try {
        if (target.kind === 'user') await client.sendAppMedia(target.id, type, a.relayId);
        else await client.appchatSend(target.id, { msgtype: type, [type]: { media_id: a.relayId } } as Parameters<WecomClient['appchatSend']>[1]);
      } catch (err) {
        log.warn({ type, err: (err as Error).message }, 'an attachment could not be sent; the message it belongs to is out');
      }
    }
  }

  async function sendStaff(msg: OutboundMessage): Promise<SendResult> {
    const sent = await sendStaffMessage(msg);
    if (msg.photo) await sendChart(parseWecomChatId(msg.chatId), msg.photo);
    if (msg.attachments?.length) await sendAttachments(parseWecomChatId(msg.chatId), msg.attachments);
    return sent;
  }

  /** A chart (/stats, /hotspots) after its text: uploaded as an image (media/upload) and sent as an image message. */
  async function sendChart(target: { kind: 'user' | 'chat' | 'robot'; id: string }, photo: NonNullable<OutboundMessage['photo']>) {
    if (target.kind === 'robot') return;
    try {
      const { mediaId } = await client.uploadMedia('agent', 'image', photo.png, photo.filename, 'image/png');
      if (target.kind === 'user') await client.sendAppMedia(target.id, 'image', mediaId);
      else await client.appchatSend(target.id, { msgtype: 'image', image: { media_id: mediaId } });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'a chart could not be sent as an image; its text is out');
    }
  }

  async function sendStaffMessage(msg: OutboundMessage): Promise<SendResult> {
    const target = parseWecomChatId(msg.chatId);
    const hasButtons = (msg.buttons ?? []).some((row) => row.length > 0);
    if (target.kind === 'user') {
      const previous = msg.editMessageId ? await currentMsgid(client, msg.editMessageId) : undefined;
      const sent = msg.card || hasButtons ? await sendCard(target.id, msg) : { msgid: await sendTextChunks(target.id, msg.text) };
      // An edited message keeps its first id; the map knows its current msgid.
      const messageId = msg.editMessageId ?? sent.msgid;
      if (sent.taskId) await rememberCard(client, sent.taskId, messageId);
      if (msg.editMessageId && previous) {
        await setCurrentMsgid(client, messageId, sent.msgid);
        await client.recallMessage(previous).catch((err: unknown) => {
          log.warn({ err: (err as Error).message }, 'recall of the edited message failed (older than 24 h?); the new one stands');
        });
      }
      return { messageId };
    }
    if (msg.editMessageId) log.debug('group chat and robot messages cannot be edited or recalled; sending a new one');
    const choices = renderNumberedChoices(msg.buttons);
    const text = [renderPlainText(msg), choices].filter(Boolean).join('\n');
    if (target.kind === 'robot') {
      const url = opts.robots?.[target.id];
      if (!url) throw new AppError('wecom_bad_chat_id', `no group robot named "${target.id.slice(0, 40)}"`);
      for (const chunk of splitBytes(text, TEXT_MAX_BYTES)) await client.robotSend(url, chunk);
      return { messageId: `robot:${target.id}:${randomUUID()}` };
    }
    for (const chunk of splitBytes(text, TEXT_MAX_BYTES)) {
      await client.appchatSend(target.id, { msgtype: 'text', text: { content: chunk } });
    }
    // appchat/send returns no msgid; a local id keeps SendResult meaningful.
    return { messageId: `appchat:${target.id}:${randomUUID()}` };
  }
}

export interface WecomKfSenderOptions {
  client: WecomClient;
  logger: Logger;
  /** open_kfid used when a message has no `channelAccount`. */
  defaultOpenKfId?: string;
}

/**
 * Resident sender (platform 'wecom_kf'): chatId = external_userid,
 * channelAccount = open_kfid. Buttons become a 菜单消息 (click items whose
 * id is the button data; a click comes back as an action). Each send is one
 * WeCom message, because only 5 fit in a 48 h window: long text is
 * truncated, never split. A closed window or spent budget throws
 * a permanent SendError (not retryable; surface it for a phone callback).
 */
export function createWecomKfSender(opts: WecomKfSenderOptions): ChannelSender {
  const { client } = opts;
  const log = opts.logger.child({ module: 'wecom-kf-sender' });

  function render(msg: OutboundMessage): KfOutMessage {
    const text = renderPlainText(msg);
    const buttons = (msg.buttons ?? []).flat();
    if (buttons.length === 0) {
      if (byteLength(text) > TEXT_MAX_BYTES) log.warn({ bytes: byteLength(text) }, 'kf text truncated to one message');
      return { msgtype: 'text', text: { content: truncateBytes(text, TEXT_MAX_BYTES) } };
    }
    if (buttons.length > KF_MENU_MAX_ITEMS) log.warn({ count: buttons.length }, `kf menu keeps the first ${KF_MENU_MAX_ITEMS} items`);
    for (const b of buttons) {
      if (byteLength(b.data) > KF_MENU_ID_MAX_BYTES) throw new AppError('wecom_kf_menu_id', `menu click id longer than ${KF_MENU_ID_MAX_BYTES} bytes`);
    }
    if (byteLength(text) > KF_MENU_HEAD_MAX_BYTES) log.warn({ bytes: byteLength(text) }, 'kf menu head truncated');
    return {
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: truncateBytes(text, KF_MENU_HEAD_MAX_BYTES),
        list: buttons.slice(0, KF_MENU_MAX_ITEMS).map((b) => ({
          type: 'click' as const,
          click: { id: b.data, content: truncateBytes(b.label, KF_MENU_CONTENT_MAX_BYTES) },
        })),
      },
    };
  }

  return {
    platform: 'wecom_kf',
    send: (msg: OutboundMessage): Promise<SendResult> => classified(() => sendKf(msg)),
  };

  async function sendKf(msg: OutboundMessage): Promise<SendResult> {
    const openKfId = msg.channelAccount ?? opts.defaultOpenKfId;
    if (!openKfId) throw new AppError('wecom_kf_no_account', 'wecom_kf message without channelAccount (open_kfid)');
    // No edits on 微信客服 (and each message spends budget): editMessageId sends a new message.
    const out = render(msg);
    const { msgid } = await client.kfSendMsg(openKfId, msg.chatId, out);
    if (out.msgtype === 'msgmenu') {
      const ids = out.msgmenu.list.flatMap((i) => (i.type === 'click' ? [i.click.id] : []));
      await rememberKfMenu(client, openKfId, msg.chatId, ids, msgid);
    }
    return { messageId: msgid };
  }
}
