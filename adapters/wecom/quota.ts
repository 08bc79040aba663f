/**
 * Send quotas shared by every process: a sliding-window log per member in a
 * Redis sorted set, checked and taken atomically in one Lua script for all
 * windows (30/min and 1000/h) and all members of a send at once.
 *
 * Why not rate-limiter-flexible: it checks one window per key, and a union of
 * two limiters spends a point in the minute window even when the hour window
 * refuses; WeCom drops excess messages silently, so the count must be exact.
 * Limits: all keys of one send must live on one Redis node (no Cluster hash
 * tags here); a send that fails after taking its slot still counts (WeCom may
 * have counted it too).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { WecomQuotaError } from './errors.js';
import { sleep } from './redis-lock.js';
import { redisScript } from '../redis-script.js';

// KEYS: one sorted set per member. ARGV: nWindows, (windowMs, limit)…, slotId.
// Returns 0 when a slot was taken in every key, else the ms until one frees up.
const take = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nw = tonumber(ARGV[1])
local longest = 0
local wait = 0
for i = 0, nw - 1 do
  local win = tonumber(ARGV[2 + i * 2])
  if win > longest then longest = win end
end
for k = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - longest)
  for i = 0, nw - 1 do
    local win = tonumber(ARGV[2 + i * 2])
    local lim = tonumber(ARGV[3 + i * 2])
    local from = now - win + 1
    local cnt = redis.call('ZCOUNT', KEYS[k], from, '+inf')
    if cnt >= lim then
      local e = redis.call('ZRANGEBYSCORE', KEYS[k], from, '+inf', 'WITHSCORES', 'LIMIT', cnt - lim, 1)
      local w = tonumber(e[2]) + win - now
      if w < 1 then w = 1 end
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return wait end
local slot = ARGV[2 + nw * 2]
for k = 1, #KEYS do
  redis.call('ZADD', KEYS[k], now, slot)
  redis.call('PEXPIRE', KEYS[k], longest)
end
return 0
`);

export interface QuotaWindow {
  windowMs: number;
  limit: number;
}

export interface Quota {
  readonly name: string;
  /**
   * Take one slot for each id (all or none), waiting while the quota is
   * full. Throws WecomQuotaError when the wait would exceed `maxWaitMs`.
   */
  take(ids: string[], maxWaitMs: number): Promise<void>;
}

export function createQuota(redis: Redis, keyPrefix: string, name: string, windows: QuotaWindow[]): Quota {
  const args = [String(windows.length), ...windows.flatMap((w) => [String(w.windowMs), String(w.limit)])];
  return {
    name,
    async take(ids, maxWaitMs) {
      const keys = [...new Set(ids)].map((id) => `${keyPrefix}:${name}:${id}`);
      if (keys.length === 0) return;
      let waited = 0;
      for (;;) {
        const wait = Number(await take(redis, keys, [...args, randomUUID()]));
        if (wait === 0) return;
        if (waited + wait > maxWaitMs) throw new WecomQuotaError(name, wait);
        await sleep(wait);
        waited += wait;
      }
    },
  };
}
