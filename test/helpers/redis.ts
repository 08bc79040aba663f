/**
 * A unique key prefix per test file on the shared Redis (never FLUSHALL it).
 *
 *   const r = await createTestRedis();
 *   new Queue('intake', { connection: r.connection({ maxRetriesPerRequest: null }), prefix: r.prefix });
 *   await r.cleanup();   // deletes every key starting with the prefix, closes connections
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { loadConfig } from '../../core/config.js';

export interface TestRedis {
  /** a ready connection (no key prefix applied: use `prefix` yourself) */
  redis: Redis;
  /** unique per call, e.g. `test_m1x2y3_ab12cd34`; also usable as BullMQ `prefix` */
  prefix: string;
  url: string;
  /** another connection (BullMQ workers need their own, with maxRetriesPerRequest: null); closed by cleanup() */
  connection(options?: RedisOptions): Redis;
  /** keys currently under the prefix */
  keys(): Promise<string[]>;
  /** deletes every key with the prefix and closes all connections */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = loadConfig().REDIS_URL;
  const prefix = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const connections: Redis[] = [];
  const connection = (options: RedisOptions = {}) => {
    const c = new Redis(url, { lazyConnect: false, ...options });
    connections.push(c);
    return c;
  };
  const redis = connection();
  await redis.ping();

  const keys = async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };

  let cleaned = false;
  return {
    redis,
    prefix,
    url,
    connection,
    keys,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      const all = await keys();
      for (let i = 0; i < all.length; i += 500) await redis.unlink(...all.slice(i, i + 500));
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
