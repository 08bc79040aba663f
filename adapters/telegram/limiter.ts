/**
 * Telegram send budgets shared by every process that sends for one bot.
 *
 * A sliding log per key (a Redis sorted set of send times) checked and
 * updated for all keys of one send in a single Lua script: a send takes a slot
 * in the global, per-chat and (for groups) per-group windows at once, or in
 * none of them. That gives exactly "at most N in any window" — a fixed-window
 * counter would allow 40 group messages across a minute boundary — and wastes
 * no slot when only one of the budgets is exhausted. Time comes from Redis so
 * the processes' clocks do not matter.
 *
 * All keys of one bot share the hash tag `{tg:<botId>}`, so the multi-key
 * script also runs on Redis Cluster (all in one slot; the sets are tiny).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { budgetTimeoutError } from './errors.js';
import { redisScript } from '../redis-script.js';

export interface Budget {
  /** Sends allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
}

export interface SendLimits {
  /** Telegram: about one message per second in one chat. */
  perChat: Budget;
  /** Telegram: 20 messages per minute in one group (edits count too). Applies to negative chat ids. */
  perGroup: Budget;
  /** Telegram: about 30 messages per second for the whole bot. */
  global: Budget;
}

export const TELEGRAM_LIMITS: SendLimits = {
  perChat: { limit: 1, windowMs: 1_000 },
  perGroup: { limit: 20, windowMs: 60_000 },
  global: { limit: 30, windowMs: 1_000 },
};

/** Group and supergroup ids are negative in the Bot API; private chats are positive. */
export function isGroupChatId(chatId: string | number): boolean {
  return Number(chatId) < 0;
}

// KEYS: sorted sets; ARGV[1]: member ('' to look without taking); ARGV[2i], ARGV[2i+1]: limit and
// window (ms) of KEYS[i]. Returns 0 when a slot is free in every key (and takes it, given a member),
// else the ms until one frees in all of them.
const acquireScript = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local blocker = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local w = tonumber(blocker[2]) + window - now + 1
    if w > wait then wait = w end
  end
end
if wait > 0 or ARGV[1] == '' then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
`);

// KEYS[1]: sorted set; ARGV: limit, window. Returns the slots left in the window now.
const remainingScript = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local left = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
if left < 0 then return 0 end
return left
`);

export interface SendLimiterOptions {
  redis: Redis;
  /** Prefix of every key, e.g. config.REDIS_PREFIX (tests use one per file). */
  keyPrefix: string;
  /** The bot's numeric id (the part of the token before ':'); budgets are per bot. */
  botId: string;
  /** Defaults to TELEGRAM_LIMITS; tests shorten the windows. */
  limits?: Partial<SendLimits>;
  /**
   * Longest a single `acquire` waits for budget before throwing a transient
   * SendError with the wait it needs (`retryAfterMs`). Default 10 s, a small
   * part of the send lease (jobs/handlers.ts): a longer wait (a group that used
   * its 20 messages of the minute) is the send job's to take, in the queue.
   */
  maxWaitMs?: number;
}

export interface SendLimiter {
  readonly limits: SendLimits;
  /** Wait (at most `maxWaitMs`) until the chat (and its group budget, and the global budget) has a slot, and take it. */
  acquire(chatId: string): Promise<void>;
  /**
   * Group messages that can still go out in the current window without
   * waiting (0…perGroup.limit). For a private chat: Infinity (no group budget).
   * The outbound worker compares this with its backlog for the chat and sends
   * one digest instead of a flood when the backlog is larger.
   */
  remainingGroupBudget(chatId: string): Promise<number>;
  /**
   * Milliseconds until a send to this chat could take a slot (0: now),
   * without taking one. A queue worker defers a job that would wait longer
   * instead of holding its slot while other chats' messages queue behind it.
   */
  readyIn(chatId: string): Promise<number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** See SendLimiterOptions.maxWaitMs. */
export const DEFAULT_MAX_BUDGET_WAIT_MS = 10_000;

export function createSendLimiter(opts: SendLimiterOptions): SendLimiter {
  const limits: SendLimits = { ...TELEGRAM_LIMITS, ...opts.limits };
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_BUDGET_WAIT_MS;
  const base = `${opts.keyPrefix}:{tg:${opts.botId}}:rl`;
  const keyOf = (kind: 'chat' | 'group' | 'global', chatId?: string) => (chatId ? `${base}:${kind}:${chatId}` : `${base}:${kind}`);

  function budgetsOf(chatId: string): [string, Budget][] {
    const budgets: [string, Budget][] = [
      [keyOf('global'), limits.global],
      [keyOf('chat', chatId), limits.perChat],
    ];
    if (isGroupChatId(chatId)) budgets.push([keyOf('group', chatId), limits.perGroup]);
    return budgets;
  }

  /** ms until a send could take a slot (0: now); with a member, takes the slot when it is free. */
  async function tryAcquire(chatId: string, member: string): Promise<number> {
    const budgets = budgetsOf(chatId);
    const args = budgets.flatMap(([, b]) => [String(b.limit), String(b.windowMs)]);
    const wait = await acquireScript(opts.redis, budgets.map(([k]) => k), [member, ...args]);
    return Number(wait);
  }

  return {
    limits,
    async acquire(chatId) {
      const member = randomUUID();
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        const wait = await tryAcquire(chatId, member);
        if (wait <= 0) return;
        const left = deadline - Date.now();
        if (wait > left) throw budgetTimeoutError(chatId, wait);
        await sleep(wait);
      }
    },
    readyIn: (chatId) => tryAcquire(chatId, ''),
    async remainingGroupBudget(chatId) {
      if (!isGroupChatId(chatId)) return Number.POSITIVE_INFINITY;
      const left = await remainingScript(opts.redis, [keyOf('group', chatId)], [limits.perGroup.limit, limits.perGroup.windowMs]);
      return Number(left);
    },
  };
}
