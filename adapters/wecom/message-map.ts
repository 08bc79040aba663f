/**
 * What WeCom does not tell us, kept in Redis:
 * - a card click names the card's task_id, not its msgid; a 菜单消息 click is
 *   a plain text with the click id. Both are mapped back to the messageId
 *   the sender returned, so InboundAction.messageId points at the card.
 * - WeCom cannot edit a message. An edit recalls the current incarnation and
 *   sends a new one; the first messageId stays the stable (logical) id, and
 *   this map knows which platform msgid currently stands for it.
 */
import { createHash } from 'node:crypto';
import type { WecomClient } from './client.js';

/** Cards stay clickable long after sending; a month covers any dispatch cycle. */
const CARD_TTL_SEC = 30 * 24 * 3600;
/** 微信客服 replies are possible only within 48 h of the resident's message. */
const KF_MENU_TTL_SEC = 7 * 24 * 3600;
/** message/recall works within 24 h; after that an edit sends a new message. */
const CURRENT_TTL_SEC = 2 * 24 * 3600;

const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);
const base = (c: WecomClient) => `${c.keyPrefix}:wecom:map:${c.corpId}`;

export async function rememberCard(c: WecomClient, taskId: string, messageId: string): Promise<void> {
  await c.redis.set(`${base(c)}:card:${taskId}`, messageId, 'EX', CARD_TTL_SEC);
}

export async function cardMessageId(c: WecomClient, taskId: string): Promise<string | undefined> {
  return (await c.redis.get(`${base(c)}:card:${taskId}`)) ?? undefined;
}

export async function rememberKfMenu(c: WecomClient, openKfId: string, user: string, clickIds: string[], messageId: string): Promise<void> {
  if (clickIds.length === 0) return;
  const pipe = c.redis.pipeline();
  for (const id of clickIds) pipe.set(`${base(c)}:kfmenu:${h(`${openKfId}|${user}|${id}`)}`, messageId, 'EX', KF_MENU_TTL_SEC);
  await pipe.exec();
}

export async function kfMenuMessageId(c: WecomClient, openKfId: string, user: string, clickId: string): Promise<string | undefined> {
  return (await c.redis.get(`${base(c)}:kfmenu:${h(`${openKfId}|${user}|${clickId}`)}`)) ?? undefined;
}

/** The platform msgid currently standing for a logical messageId (itself when never edited). */
export async function currentMsgid(c: WecomClient, messageId: string): Promise<string> {
  return (await c.redis.get(`${base(c)}:current:${messageId}`)) ?? messageId;
}

export async function setCurrentMsgid(c: WecomClient, messageId: string, msgid: string): Promise<void> {
  await c.redis.set(`${base(c)}:current:${messageId}`, msgid, 'EX', CURRENT_TTL_SEC);
}
