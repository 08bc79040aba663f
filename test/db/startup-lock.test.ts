/**
 * Two services started at once on a fresh database: both come up (migrations and the default org
 * seeded once, under an advisory lock), neither dies on a unique violation while seeding.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../app.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { dropDatabase, withDatabase } from '../../prisma/migrate.js';
import { testDatabaseUrl } from '../helpers/db.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

const url = withDatabase(testDatabaseUrl(), `shaosheng_starttest_${randomBytes(4).toString('hex')}`);
const apps: App[] = [];
let r: TestRedis | undefined;

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await r?.cleanup();
  await dropDatabase(url);
});

describe('start-up on a fresh database', () => {
  it('two services started at once both come up, and the org is seeded once', async () => {
    r = await createTestRedis();
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: url,
      REDIS_URL: r.url,
      REDIS_PREFIX: r.prefix,
      ROLE: 'web',
      PORT: '0',
      HOST: '127.0.0.1',
      SANDBOX: 'false',
      DB_POOL_MAX: '4',
    });
    const logger = createLogger({ level: 'silent' });
    const results = await Promise.allSettled([startApp(config, { logger }), startApp(config, { logger })]);
    for (const x of results) if (x.status === 'fulfilled') apps.push(x.value);
    expect(results.map((x) => (x.status === 'rejected' ? String(x.reason) : 'ok'))).toEqual(['ok', 'ok']);
    const [a] = apps;
    expect(await a!.db.area.count({ where: { level: 'district' } })).toBe(16);
    expect(await a!.db.unit.count()).toBe(604);
    for (const app of apps) expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
