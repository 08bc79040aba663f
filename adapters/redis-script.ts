/**
 * A Lua script run by its SHA1 (EVALSHA): Redis keeps it compiled and the script's text is not sent
 * with every call. After a restart or SCRIPT FLUSH Redis answers NOSCRIPT once and the text is sent
 * again (EVAL, which also caches it).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RedisScript = (redis: Redis, keys: string[], args: (string | number)[]) => Promise<unknown>;

export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
