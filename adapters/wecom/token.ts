/**
 * access_token cache for one WeCom application, shared by every process
 * through Redis. Refreshes are single-flight twice over: one promise per
 * process, and a short Redis lock so N processes make one `gettoken` call.
 */
import type { Redis } from 'ioredis';
import { sleep, tryLock } from './redis-lock.js';

export interface FetchedToken {
  token: string;
  expiresInSec: number;
}

export interface TokenStoreOptions {
  redis: Redis;
  /** Full Redis key of the cached token. */
  key: string;
  /** Calls `gettoken`. Its errors (a wrong secret) propagate to every waiter. */
  fetch: () => Promise<FetchedToken>;
  /** Forget the token this long before WeCom does, so no call races the expiry. */
  marginSec: number;
  /** How long one process may hold the refresh lock (one gettoken round trip). */
  lockTtlMs?: number;
}

export class TokenStore {
  private inflight: Promise<string> | undefined;
  private readonly lockTtlMs: number;

  constructor(private readonly opts: TokenStoreOptions) {
    this.lockTtlMs = opts.lockTtlMs ?? 5_000;
  }

  async get(): Promise<string> {
    const cached = await this.opts.redis.get(this.opts.key);
    return cached ?? this.refresh(undefined);
  }

  /**
   * Get a token other than `stale` (the one WeCom just refused). If another
   * process already replaced it, that token is used without a new gettoken.
   */
  async refresh(stale: string | undefined): Promise<string> {
    this.inflight ??= this.refreshShared(stale).finally(() => {
      this.inflight = undefined;
    });
    const token = await this.inflight;
    // Joined a refresh started for another reason (a cache miss) that found our refused token: go again.
    return stale !== undefined && token === stale ? this.refresh(stale) : token;
  }

  private async refreshShared(stale: string | undefined): Promise<string> {
    const { redis, key } = this.opts;
    const deadline = Date.now() + this.lockTtlMs;
    for (;;) {
      const current = await redis.get(key);
      if (current && current !== stale) return current;
      const lock = await tryLock(redis, `${key}:lock`, this.lockTtlMs);
      if (lock) {
        try {
          const again = await redis.get(key);
          if (again && again !== stale) return again;
          return await this.fetchAndStore();
        } finally {
          await lock.release();
        }
      }
      // The holder died or is slow: fetch ourselves rather than wait forever.
      if (Date.now() >= deadline) return this.fetchAndStore();
      await sleep(25);
    }
  }

  private async fetchAndStore(): Promise<string> {
    const { token, expiresInSec } = await this.opts.fetch();
    const lifeMs = expiresInSec * 1000;
    // Short-lived tokens (test servers) keep at least half their life.
    const ttlMs = Math.max(Math.floor(lifeMs / 2), lifeMs - this.opts.marginSec * 1000, 1);
    await this.opts.redis.set(this.opts.key, token, 'PX', ttlMs);
    return token;
  }
}
