/** The shared token cache on the real Redis, with a counting fetch standing in for gettoken. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../../../adapters/wecom/token.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';

let r: TestRedis;
beforeEach(async () => {
  r = await createTestRedis();
});
afterEach(async () => {
  await r.cleanup();
});

function gettoken(delayMs = 20, expiresInSec = 7200) {
  let n = 0;
  return {
    count: () => n,
    fetch: async () => {
      n++;
      await new Promise((res) => setTimeout(res, delayMs));
      return { token: `tok${n}`, expiresInSec };
    },
  };
}

describe('TokenStore', () => {
  it('five processes refreshing the same refused token make one gettoken and all get the new token', async () => {
    const g = gettoken(50);
    const key = `${r.prefix}:tok`;
    await r.redis.set(key, 'old');
    const stores = Array.from({ length: 5 }, () => new TokenStore({ redis: r.redis, key, fetch: g.fetch, marginSec: 300 }));
    const got = await Promise.all(stores.map((s) => s.refresh('old')));
    expect(got).toEqual(Array(5).fill('tok1'));
    expect(g.count()).toBe(1);
  });

  it('a lock left by a dead process delays the refresh only until it expires', async () => {
    const g = gettoken();
    const key = `${r.prefix}:tok`;
    await r.redis.set(`${key}:lock`, 'dead-process', 'PX', 300);
    const store = new TokenStore({ redis: r.redis, key, fetch: g.fetch, marginSec: 300 });
    const t0 = Date.now();
    expect(await store.get()).toBe('tok1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('keeps a token for expires_in minus the margin', async () => {
    const g = gettoken(1, 7200);
    const key = `${r.prefix}:tok`;
    await new TokenStore({ redis: r.redis, key, fetch: g.fetch, marginSec: 300 }).get();
    const ttl = await r.redis.pttl(key);
    expect(ttl).toBeGreaterThan(6_890_000);
    expect(ttl).toBeLessThanOrEqual(6_900_000);
  });

  it('a failing gettoken reaches every waiter and leaves no lock behind', async () => {
    const key = `${r.prefix}:tok`;
    const store = new TokenStore({
      redis: r.redis,
      key,
      marginSec: 300,
      fetch: async () => {
        throw new Error('wrong secret');
      },
    });
    const results = await Promise.allSettled([store.get(), store.get(), store.refresh(undefined)]);
    expect(results.every((x) => x.status === 'rejected')).toBe(true);
    expect(await r.redis.exists(`${key}:lock`)).toBe(0);
  });
});
