/**
 * Translate decrypted WeCom callbacks and 微信客服 sync_msg entries into the
 * plain InboundMessage. Pure functions: no I/O, easy to test.
 */
import type { InboundMessage } from '../types.js';
import type { KfSyncedMessage } from './wire.js';

export type CallbackEvent =
  | { kind: 'message'; message: InboundMessage; cardTaskId?: string }
  | { kind: 'kf'; token: string; openKfId: string }
  | { kind: 'ignored'; what: string };

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** `/whistle 2611250001 城管` → { name: 'whistle', args: '2611250001 城管' }; Chinese text commands are left to bots/. */
export function splitSlashCommand(text: string): InboundMessage['command'] {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : undefined;
}

/** A decrypted application callback (self-built app, staff) → what to do with it. */
export function translateCallback(x: Record<string, unknown>): CallbackEvent {
  const msgType = str(x.MsgType);
  const from = str(x.FromUserName);
  const createTime = str(x.CreateTime);
  const receivedAt = createTime ? new Date(Number(createTime) * 1000) : new Date();

  if (msgType === 'event') {
    const event = str(x.Event);
    if (event === 'kf_msg_or_event') {
      const token = str(x.Token);
      const openKfId = str(x.OpenKfId);
      return token && openKfId ? { kind: 'kf', token, openKfId } : { kind: 'ignored', what: 'kf_msg_or_event without token' };
    }
    if (event === 'template_card_event' && from) {
      // What tells two clicks apart: the card (TaskId), the button (EventKey) and WeCom's one-time ResponseCode
      // of this click (a redelivery carries the same one). Two cards clicked in one second are two actions.
      const click = [str(x.TaskId), str(x.EventKey), str(x.ResponseCode) || createTime].join(':');
      return {
        kind: 'message',
        message: {
          platform: 'wecom',
          messageId: `evt:${from}:${click}`,
          chatId: `user:${from}`,
          chatType: 'private',
          userId: from,
          action: { data: str(x.EventKey), ackId: str(x.ResponseCode) || undefined },
          receivedAt,
        },
        cardTaskId: str(x.TaskId) || undefined,
      };
    }
    return { kind: 'ignored', what: `event ${event || '?'}` };
  }

  const msgId = str(x.MsgId);
  if (!from || !msgId) return { kind: 'ignored', what: `message ${msgType || '?'} without sender or MsgId` };
  const base: InboundMessage = {
    platform: 'wecom',
    messageId: `msg:${msgId}`,
    chatId: `user:${from}`,
    chatType: 'private',
    userId: from,
    receivedAt,
  };
  switch (msgType) {
    case 'text': {
      const text = str(x.Content);
      return { kind: 'message', message: { ...base, text, command: splitSlashCommand(text) } };
    }
    case 'image':
      return { kind: 'message', message: { ...base, photo: { fileId: str(x.MediaId) } } };
    case 'location': {
      const lat = Number(str(x.Location_X));
      const lng = Number(str(x.Location_Y));
      if (!Number.isFinite(lat) || !Number.isFinite(lng)) return { kind: 'ignored', what: 'location without coordinates' };
      const label = str(x.Label) || undefined;
      return { kind: 'message', message: { ...base, location: { lat, lng, coordSystem: 'gcj02', label } } };
    }
    default:
      return { kind: 'ignored', what: `message ${msgType || '?'}` };
  }
}

/**
 * A 微信客服 sync_msg entry → InboundMessage, or null for what is not a
 * resident's message (system events, servicer messages). Voice notes, videos and files carry their
 * kf media_id (kf-sync relays them for staff: media.ts); other kinds come as `unsupported`.
 * Clicking a 菜单消息 item sends a text with `menu_id` = the click id: an action.
 */
export function translateKfMessage(m: KfSyncedMessage): InboundMessage | null {
  if (m.origin !== 3 || !m.external_userid) return null;
  const base: InboundMessage = {
    platform: 'wecom_kf',
    messageId: `kf:${m.msgid}`,
    chatId: m.external_userid,
    chatType: 'private',
    userId: m.external_userid,
    channelAccount: m.open_kfid,
    receivedAt: new Date(m.send_time * 1000),
  };
  switch (m.msgtype) {
    case 'text': {
      const text = m.text?.content ?? '';
      if (m.text?.menu_id) return { ...base, text, action: { data: m.text.menu_id } };
      return { ...base, text, command: splitSlashCommand(text) };
    }
    case 'image':
      return m.image?.media_id ? { ...base, photo: { fileId: m.image.media_id } } : null;
    case 'voice':
      return m.voice?.media_id ? { ...base, media: [{ kind: 'voice', fileId: m.voice.media_id, mime: 'audio/amr' }] } : null;
    case 'video':
      return m.video?.media_id ? { ...base, media: [{ kind: 'video', fileId: m.video.media_id }] } : null;
    case 'file':
      return m.file?.media_id ? { ...base, media: [{ kind: 'document', fileId: m.file.media_id }] } : null;
    case 'location': {
      const loc = m.location;
      if (!loc || !Number.isFinite(loc.latitude) || !Number.isFinite(loc.longitude)) return null;
      const label = [loc.name, loc.address].filter(Boolean).join(' ') || undefined;
      return { ...base, location: { lat: Number(loc.latitude), lng: Number(loc.longitude), coordSystem: 'gcj02', label } };
    }
    case 'event':
      return null;
    default:
      // A link, a business card, a mini program, a 视频号 post…: answered as something we cannot take.
      return m.msgtype ? { ...base, unsupported: m.msgtype } : null;
  }
}
