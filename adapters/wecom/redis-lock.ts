/**
 * A short Redis lock (SET NX PX + compare-and-delete). Used so that several
 * processes do not refresh the same access_token at once and do not run two
 * 微信客服 syncs for one account at once. Not a fencing lock: holders keep
 * their critical sections shorter than the TTL, or renew it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLock {
  /** False when the lock expired and someone else may hold it now. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<RedisLock | null> {
  const id = randomUUID();
  const ok = await redis.set(key, id, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  return {
    renew: async () => (await redis.eval(RENEW, 1, key, id, String(ttlMs))) === 1,
    release: async () => {
      await redis.eval(RELEASE, 1, key, id);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
