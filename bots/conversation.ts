/**
 * The context every conversation handler gets: the workflow transaction, the
 * message, and replies that go through the outbox (keyed by the inbound
 * message, so processing a message twice never answers twice).
 */
import type { InboundMessage, OutboundMessage } from '../core/channel.js';
import type { Work } from '../core/workflow/context.js';
import type { PersonRef } from '../core/workflow/staff.js';
import type { Lang } from './texts.js';

export interface Conversation {
  w: Work;
  msg: InboundMessage;
  inboundId: string;
  who: PersonRef;
  lang: Lang;
  reply(text: string, extra?: Omit<OutboundMessage, 'chatId' | 'text'>): Promise<void>;
  /** Answer the button press (no spinning buttons). */
  ack(text?: string): Promise<void>;
}

export function conversation(w: Work, msg: InboundMessage, inboundId: string, lang: Lang): Conversation {
  let n = 0;
  let acked = false;
  const c: Conversation = {
    w,
    msg,
    inboundId,
    lang,
    who: { platform: msg.platform, userId: msg.userId },
    async reply(text, extra) {
      n += 1;
      // Charts travel through the outbox as base64 (jobs/handlers.ts turns them back into bytes).
      const photo = extra?.photo ? { ...extra.photo, png: extra.photo.png.toString('base64') as unknown as Buffer } : undefined;
      await w.notify({ t: 'reply', platform: msg.platform, chatId: msg.chatId, message: { text, ...extra, photo, channelAccount: msg.channelAccount } }, `reply:${inboundId}:${n}`);
    },
    async ack(text) {
      if (acked || !msg.action?.ackId) return;
      acked = true;
      await w.notify({ t: 'ack', platform: msg.platform, chatId: msg.chatId, ackId: msg.action.ackId, text }, `ack:${inboundId}`);
    },
  };
  return c;
}
