/**
 * The HTTP surface as the internet sees it (SECURITY.md, "HTTP routes"): the
 * real service from `startApp` in production mode, on a real socket.
 * - the login limiter is keyed on the socket address unless TRUSTED_PROXIES names the proxy;
 * - /metrics needs METRICS_TOKEN on the public port, or lives on METRICS_PORT;
 * - Open311's public reads carry the summary and the coarse place only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../app.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { findFreePort } from '../../adapters/telegram/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

const PASSWORD = 'correct horse battery staple';
const OPEN311_KEY = 'client-key-0001';
const DETAIL_KEY = 'casework-key-0002';
const METRICS_TOKEN = 'scrape-token-0123456789';

let t: TestDb;
let r: TestRedis;
const apps: App[] = [];

async function start(env: Record<string, string>): Promise<App> {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_KEY: 'ab'.repeat(32),
    DATABASE_URL: t.url,
    DB_SCHEMA: t.schema,
    REDIS_URL: r.url,
    REDIS_PREFIX: `${r.prefix}_${apps.length}`,
    PORT: String(await findFreePort()),
    HOST: '127.0.0.1',
    SANDBOX: 'false',
    LOG_LEVEL: 'silent',
    DASHBOARD_PASSWORD: PASSWORD,
    SESSION_SECRET: 's'.repeat(40),
    OPEN311_API_KEYS: `${OPEN311_KEY},${DETAIL_KEY}`,
    ...env,
  });
  const app = await startApp(config, { logger: createLogger({ level: 'silent' }), migrate: false, relayIntervalMs: 200 });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  [t, r] = await Promise.all([createTestDb({ seed: 'org' }), createTestRedis()]);
}, 90_000);

afterAll(async () => {
  for (const a of apps) await a.close();
  await r?.cleanup();
  await t?.drop();
});

const login = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ user: 'admin', password: 'wrong' }).toString(),
  });

describe('login brute force', () => {
  it('a forged X-Forwarded-For does not give each attempt a new address', async () => {
    const app = await start({});
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await login(app.url!, { 'x-forwarded-for': `203.0.113.${i + 1}` })).status);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it('behind a configured proxy, the forwarded client address is the key', async () => {
    const app = await start({ TRUSTED_PROXIES: '127.0.0.1' });
    for (let i = 0; i < 10; i++) expect((await login(app.url!, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(401);
    expect((await login(app.url!, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    // another client behind the same proxy is not blocked by the first one's failures
    expect((await login(app.url!, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(401);
  });
});

describe('/metrics', () => {
  it('is not served to anyone on the public port without a token', async () => {
    const app = await start({});
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
  });

  it('answers only the bearer of METRICS_TOKEN', async () => {
    const app = await start({ METRICS_TOKEN });
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const ok = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('shaosheng_petitions');
  });

  it('can live on an internal port instead, away from the public one', async () => {
    const port = await findFreePort();
    const app = await start({ METRICS_PORT: String(port) });
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const internal = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toContain('shaosheng_petitions');
  });
});

describe('Open311 public reads', () => {
  const TEXT = '朝阳区三里屯北街1号楼下垃圾堆了三天没人清运。联系人：张三 电话13812345678 地址：三里屯北街1号院3单元';

  it('publish the summary and the coarse place, never the exact address or the contact; a detail key sees the masked full text', async () => {
    const app = await start({ OPEN311_DETAIL_KEYS: DETAIL_KEY });
    const posted = await fetch(`${app.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: OPEN311_KEY, service_code: 'garbage', description: TEXT, address_string: '朝阳区三里屯北街1号院3单元', first_name: '三', last_name: '张' }).toString(),
    });
    expect(posted.status).toBe(201);
    let id = '';
    for (let i = 0; i < 100 && !id; i++) {
      const p = await app.db.petition.findFirst({ where: { resident: { platform: 'open311' } } });
      if (p) id = p.number;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(id).toMatch(/^\d{10}$/);

    for (const url of [`${app.url}/open311/v2/requests.json`, `${app.url}/open311/v2/requests/${id}.json`, `${app.url}/open311/v2/requests.json?api_key=${OPEN311_KEY}`]) {
      const [req] = (await (await fetch(url)).json()) as [{ description: string; address: string | null }];
      const pub = JSON.stringify(req);
      expect(pub).not.toMatch(/1号|3单元|张|联系人|138|5678/);
      expect(req.description).toMatch(/垃圾/);
      expect(req.address).toContain('三里屯');
    }
    const xml = await (await fetch(`${app.url}/open311/v2/requests/${id}.xml`)).text();
    expect(xml).not.toMatch(/1号|张|138/);

    const [full] = (await (await fetch(`${app.url}/open311/v2/requests/${id}.json?api_key=${DETAIL_KEY}`)).json()) as [{ description: string }];
    expect(full.description).toContain('三里屯北街1号');
    expect(full.description).not.toContain('13812345678');
  });
});
