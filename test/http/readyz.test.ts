/**
 * `/readyz` answers within a second and names what is down. With Redis unreachable, ioredis (with
 * maxRetriesPerRequest: null, as the service uses it) queues the PING forever: the check must not wait on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createNetServer } from 'node:net';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../adapters/http/server.js';
import { createDb } from '../../core/db.js';
import { createLogger } from '../../core/log.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let t: TestDb;
let r: TestRedis;
const closers: (() => Promise<unknown>)[] = [];
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  t = await createTestDb();
  r = await createTestRedis();
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await r?.cleanup();
  await t?.drop();
});

async function server(db: ReturnType<typeof createDb>, redis: Redis): Promise<FastifyInstance> {
  const app = createServer({ db, redis, logger });
  closers.push(() => app.close());
  await app.ready();
  return app;
}

describe('/readyz', () => {
  it('is 200 when Postgres and Redis answer', async () => {
    const app = await server(t.db, r.connection({ maxRetriesPerRequest: null }));
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, postgres: 'ok', redis: 'ok' });
  });

  it('answers 503 within a second naming Redis when Redis is unreachable', async () => {
    const port = await closedPort();
    const redis = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on('error', () => undefined);
    closers.push(async () => redis.disconnect());
    const app = await server(t.db, redis);
    const started = Date.now();
    const res = await app.inject('/readyz');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body).toMatchObject({ ok: false, postgres: 'ok', down: ['redis'] });
    expect(body.redis).toMatch(/error/);
  });

  it('answers 503 within a second naming Postgres when Postgres is unreachable', async () => {
    const port = await closedPort();
    const db = createDb({ url: `postgresql://postgres@127.0.0.1:${port}/nowhere`, poolMax: 1, connectTimeoutMs: 30_000 });
    closers.push(() => db.$disconnect());
    const app = await server(db, r.connection({ maxRetriesPerRequest: null }));
    const started = Date.now();
    const res = await app.inject('/readyz');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, redis: 'ok', down: ['postgres'] });
  });
});
