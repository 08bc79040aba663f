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
}

export function createServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger.child({ component: 'http' }) as FastifyBaseLogger, bodyLimit: opts.bodyLimitBytes ?? 256 * 1024, logController: new LogController({ disableRequestLogging: true }), trustProxy: opts.trustedProxies?.length ? opts.trustedProxies : false });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const [postgres, redis] = await Promise.all([
      opts.db.$queryRaw`SELECT 1`.then(() => 'ok', (e: Error) => `error: ${e.message}`),
      opts.redis.ping().then(() => 'ok', (e: Error) => `error: ${e.message}`),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    return reply.code(ok ? 200 : 503).send({ ok, postgres, redis });
  });
  return app;
}
