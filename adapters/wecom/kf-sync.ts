/**
 * Pull 微信客服 messages (kf/sync_msg) for one account and hand residents'
 * messages to the sink. The cursor lives in Postgres and is saved only after
 * a whole page reached the sink, so a crash loses nothing; a page redelivered
 * after a crash is absorbed by the sink's unique messageId (`kf:<msgid>`).
 * One sync per account at a time (Redis lock): WeCom allows few concurrent
 * calls and two syncs from one cursor would fetch the same pages twice.
 * Every callback first raises the account's "pending" flag; a call that finds
 * the lock taken returns at once, and the holder fetches again while the flag
 * is up, before and after it lets go. So a burst of callbacks costs one sync
 * run, none waits, and a message that arrives mid-run is still fetched.
 */
import { AppError } from '../../core/errors.js';
import type { PrismaClient } from '../../core/db.js';
import type { Logger } from '../../core/log.js';
import type { InboundSink } from '../types.js';
import type { WecomClient } from './client.js';
import { ERR } from './codes.js';
import { WecomApiError } from './errors.js';
import { translateKfMessage } from './inbound.js';
import { relayKfMedia } from './media.js';
import { kfMenuMessageId } from './message-map.js';
import { tryLock, type RedisLock } from './redis-lock.js';

export interface SyncKfOptions {
  client: WecomClient;
  db: PrismaClient;
  /** Token from the `kf_msg_or_event` callback (valid 10 min). When WeCom refuses it (95007) the sync continues without one. */
  token?: string;
  openKfId: string;
  sink: InboundSink;
  logger: Logger;
  /** Messages per page (WeCom: at most 1000). */
  pageSize?: number;
  /** Lock lifetime, renewed after every page; a page (≤ 1000 sink calls) must finish within it. */
  lockTtlMs?: number;
  /** Safety stop for one run; the next kf event continues from the saved cursor. */
  maxPages?: number;
}

export interface SyncKfResult {
  /** Another run held the account: it fetches what this call was for. */
  handedOver: boolean;
  pages: number;
  /** New messages the sink accepted. */
  delivered: number;
  /** Messages the sink already had (a redelivery after a crash). */
  duplicates: number;
  /** Entries that are not residents' messages we handle (events, servicer messages, voice…). */
  skipped: number;
  cursor: string | undefined;
}

export const kfCursorKey = (openKfId: string): string => `wecom:kf:cursor:${openKfId}`;

export async function syncKf(opts: SyncKfOptions): Promise<SyncKfResult> {
  const { client, openKfId } = opts;
  const { redis } = client;
  const { pending: pendingKey, lock: lockKey } = syncKeys(client, openKfId);
  const result: SyncKfResult = { handedOver: false, pages: 0, delivered: 0, duplicates: 0, skipped: 0, cursor: undefined };
  await redis.set(pendingKey, opts.token ?? '', 'PX', PENDING_TTL_MS);
  for (;;) {
    const lock = await tryLock(redis, lockKey, opts.lockTtlMs ?? 60_000);
    if (!lock) return { ...result, handedOver: result.pages === 0 };
    try {
      for (let token = await redis.getdel(pendingKey); token !== null; token = await redis.getdel(pendingKey)) {
        try {
          await fetchPages(opts, lock, token || undefined, result);
        } catch (err) {
          // Leave the flag up: the next callback (or sync) fetches again from the saved cursor.
          await redis.set(pendingKey, '', 'PX', PENDING_TTL_MS).catch(() => undefined);
          throw err;
        }
      }
    } finally {
      await lock.release();
    }
    // A callback that came after our last look but found the lock still ours: fetch for it.
    if (!(await redis.exists(pendingKey))) {
      const { pages, delivered, duplicates, skipped } = result;
      opts.logger.info({ module: 'wecom-kf-sync', openKfId, pages, delivered, duplicates, skipped }, 'kf sync done');
      return result;
    }
  }
}

/** Redis keys of an account's sync: the pending flag and the lock. */
function syncKeys(client: WecomClient, openKfId: string) {
  return { pending: `${client.keyPrefix}:wecom:kf:pending:${openKfId}`, lock: `${client.keyPrefix}:wecom:kf:sync:${openKfId}` };
}

/**
 * Accounts whose flag is still up while nobody holds them (a run failed: WeCom or the database
 * was away) are synced again; run periodically so such messages do not wait for the next callback.
 */
export async function resumePendingKf(opts: Omit<SyncKfOptions, 'openKfId' | 'token'>): Promise<number> {
  const { redis } = opts.client;
  const prefix = syncKeys(opts.client, '').pending;
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 100 })) keys.push(...(batch as string[]));
  let resumed = 0;
  for (const key of keys) {
    const openKfId = key.slice(prefix.length);
    if (await redis.exists(syncKeys(opts.client, openKfId).lock)) continue; // a run is on it
    await syncKf({ ...opts, openKfId, token: (await redis.get(key)) || undefined });
    resumed++;
  }
  return resumed;
}

/** The flag outlives any run; a lost flag only delays messages until the next callback. */
const PENDING_TTL_MS = 10 * 60_000;

/** Fetch pages from the saved cursor until WeCom has no more, handing residents' messages to the sink. */
async function fetchPages(opts: SyncKfOptions, lock: RedisLock, token: string | undefined, result: SyncKfResult): Promise<void> {
  const { client, db, openKfId, sink } = opts;
  const key = kfCursorKey(openKfId);
  result.cursor = (await db.keyValue.findUnique({ where: { key } }))?.value || undefined;
  const maxPages = result.pages + (opts.maxPages ?? 50);
  while (result.pages < maxPages) {
    let page;
    try {
      page = await client.kfSyncMsg(token, result.cursor, opts.pageSize ?? 1000, openKfId);
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === ERR.KF_INVALID_MSG_TOKEN && token) {
        opts.logger.warn({ module: 'wecom-kf-sync', openKfId }, 'kf callback token refused (expired?); syncing without it');
        token = undefined;
        continue;
      }
      throw err;
    }
    result.pages++;
    for (const entry of page.msgList) {
      const msg = entry.open_kfid === openKfId ? translateKfMessage(entry) : null;
      if (!msg) {
        result.skipped++;
        continue;
      }
      if (msg.action) msg.action.messageId = await kfMenuMessageId(client, openKfId, msg.chatId, msg.action.data);
      // Files are fetched now, before their kf media_id expires, and uploaded for staff (media.ts).
      if (msg.photo || msg.media) await relayKfMedia(client, msg, opts.logger);
      if (await sink(msg)) result.delivered++;
      else result.duplicates++;
    }
    if (page.nextCursor && page.nextCursor !== result.cursor) {
      await db.keyValue.upsert({ where: { key }, create: { key, value: page.nextCursor }, update: { value: page.nextCursor } });
      result.cursor = page.nextCursor;
    }
    if (!(await lock.renew())) throw new AppError('wecom_kf_sync_lock_lost', `微信客服 sync lock for ${openKfId} expired mid-sync`);
    if (!page.hasMore) break;
  }
}
