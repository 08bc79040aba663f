/**
 * The HTTP side: liveness and readiness, and the routes each configured
 * platform mounts (Telegram webhook, WeCom callbacks, Open311, dashboard,
 * metrics). Webhook routes only store and enqueue, then answer at once.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../../core/db.js';
import type { Logger } from '../../core/log.js';

export interface ServerOptions {
  db: PrismaClient;
  redis: Redis;
  logger: Logger;
  /** Largest request body accepted anywhere (platform callbacks are a few KB). */
  bodyLimitBytes?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDRs, `loopback`). Empty: none, so
   * `req.ip` is the socket's peer and nobody can choose the address a limit is keyed on.
   */
  trustedProxies?: string[];
  /** How long `/readyz` waits for each of Postgres and Redis (default 1 s). */
  readyTimeoutMs?: number;
}

/** 'ok', or 'error: …' when the check fails or does not answer in time. */
function check(p: PromiseLike<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`error: no answer within ${ms} ms`), ms);
  });
  const answer = Promise.resolve(p).then(() => 'ok', (e: Error) => `error: ${e?.message ?? String(e)}`);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

export function createServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger.child({ component: 'http' }) as FastifyBaseLogger, bodyLimit: opts.bodyLimitBytes ?? 256 * 1024, logController: new LogController({ disableRequestLogging: true }), trustProxy: opts.trustedProxies?.length ? opts.trustedProxies : false });
  app.get('/healthz', async () => ({ ok: true }));
  // Each check gets at most a second: ioredis (maxRetriesPerRequest: null) queues a PING forever while
  // Redis is unreachable, and a pool waits for its connect timeout; a probe must answer before its own.
  const timeoutMs = opts.readyTimeoutMs ?? 1000;
  app.get('/readyz', async (_req, reply) => {
    const [postgres, redis] = await Promise.all([
      check(opts.db.$queryRaw`SELECT 1`, timeoutMs),
      check(opts.redis.ping(), timeoutMs),
    ]);
    const down = [postgres === 'ok' ? null : 'postgres', redis === 'ok' ? null : 'redis'].filter((x): x is string => !!x);
    const ok = down.length === 0;
    return reply.code(ok ? 200 : 503).send({ ok, postgres, redis, ...(ok ? {} : { down }) });
  });
  return app;
}
