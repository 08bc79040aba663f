import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';
import { createLogger } from '../../core/log.js';
import { dashboardRoutes } from '../../adapters/http/dashboard/routes.js';
import { addPetition, addUnit, bj, gazetteer, seedAreasAndCategories } from '../insight/seed.js';

const A = gazetteer.districts[0]!.streets[0]!; // 东华门街道
const B = gazetteer.districts[0]!.streets[1]!;
const PASSWORD = 'correct horse battery staple';
const SECRET = 'x'.repeat(40);

let t: TestDb;
let r: TestRedis;
let queue: Queue;
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  [t, r] = await Promise.all([createTestDb(), createTestRedis()]);
  const db = t.db;
  await seedAreasAndCategories(db);
  await addUnit(db, 'U1', 'urban_mgmt', '110101', '东城区城市管理委员会');
  // Period 2026-11: A gets 2/3 contacted, 1/3 solved, (1 + 0.9)/3 satisfied → composite 73/150 = 48.67%; B is perfect.
  const ratings = [
    [A.code, true, 'solved', 'satisfied'],
    [A.code, true, 'partly', 'basically'],
    [A.code, false, 'unsolved', 'dissatisfied'],
    [B.code, true, 'solved', 'satisfied'],
  ] as const;
  let i = 0;
  for (const [street, contacted, solved, satisfaction] of ratings) {
    i++;
    const p = await addPetition(db, { number: `26110100${i}0`, streetCode: street, categoryCode: 'garbage', status: 'rated', createdAt: bj(`2026-11-0${i} 08:00`) });
    await db.assignment.create({ data: { petitionId: p.id, unitId: 'U1', role: 'lead', status: 'resolved', dispatchedAt: bj(`2026-11-0${i} 09:00`) } });
    await db.rating.create({ data: { petitionId: p.id, askedAt: bj(`2026-11-0${i} 20:00`), ratedAt: bj(`2026-11-0${i} 21:00`), contacted, solved, satisfaction } });
  }
  const open = await addPetition(db, { streetCode: A.code, categoryCode: 'garbage', status: 'dispatched', createdAt: bj('2026-11-10 08:00') });
  // two 小巷管家 reports: the first rated one (answered 12 h after the report, solved) and an open one
  const steward = await db.staff.create({ data: { platform: 'telegram', platformUserId: '5001', role: 'steward', areaCode: A.code, displayName: '李阿姨' } });
  await db.petition.update({ where: { number: '2611010010' }, data: { stewardId: steward.id, resolvedAt: bj('2026-11-01 20:00') } });
  await db.petition.update({ where: { id: open.id }, data: { stewardId: steward.id } });
  await addPetition(db, { streetCode: A.code, categoryCode: 'noise', status: 'dispatched', createdAt: bj('2026-11-11 08:00') });
  // filed long before the period: not in this period's 工单状态
  await addPetition(db, { status: 'dispatched', createdAt: bj('2026-05-02 08:00') });

  queue = new Queue('dispatch', { connection: r.connection() as never, prefix: r.prefix });
  await queue.add('dispatch.send', { petition: 'x' });

  app = Fastify();
  await app.register(dashboardRoutes, {
    db, queues: [queue], user: 'leader', password: PASSWORD, sessionSecret: SECRET,
    logger: createLogger({ level: 'silent' }), now: () => bj('2026-11-15 12:00'), cacheMs: 0,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await queue?.close();
  await r?.cleanup();
  await t?.drop();
});

describe('dashboard in a browser', () => {
  it('refuses without login, logs in, shows real figures, serves CSV, charts and Bull Board', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();

    // Not logged in: the page and the queue view send the browser to the login form; data paths answer 401.
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${base}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await ctx.request.get(`${base}/dashboard/export/streets.csv`)).status()).toBe(401);
    expect((await ctx.request.get(`${base}/admin/queues/api/queues`)).status()).toBe(401);

    // Wrong password.
    await page.fill('input[name=user]', 'leader');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await expect(page.locator('.error').textContent()).resolves.toContain('错误');

    // Log in; lands on the queue view it was heading to.
    await page.fill('input[name=user]', 'leader');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/admin/queues');
    await page.waitForSelector('text=dispatch', { timeout: 10_000 });

    await page.goto(`${base}/dashboard`);
    expect(await page.title()).toContain('2026-11');
    expect(await page.locator('#period').textContent()).toContain('2026-10-19 至 2026-11-18');
    const streetRows = page.locator('table.ranking[data-level=street] tbody tr');
    expect(await streetRows.count()).toBe(2);
    const first = await streetRows.nth(0).locator('td').allTextContents();
    const second = await streetRows.nth(1).locator('td').allTextContents();
    expect(first).toEqual(['1', '–', B.name, '1', '100.00%', '100.00%', '100.00%', '100.00%', '—', '0.00%', '—']);
    expect(second.slice(0, 8)).toEqual(['2', '–', A.name, '3', '66.67%', '33.33%', '63.33%', '48.67%']);
    expect(await page.locator('#street details summary').textContent()).toContain('341');
    const unitRow = await page.locator('table.ranking[data-level=unit] tbody tr[data-code=U1] td').allTextContents();
    expect(unitRow.slice(2, 8)).toEqual(['东城区城市管理委员会', '4', '75.00%', '50.00%', '72.50%', '61.50%']);
    // units are ranked within their type: each type is its own group, with its own chart
    const group = page.locator('table.ranking[data-level=unit] tbody[data-type=urban_mgmt]');
    expect(await group.locator('tr.group').textContent()).toContain('区城市管理委员会');
    const unitChart = await ctx.request.get(`${base}/dashboard/charts/units.png?type=urban_mgmt`);
    expect((await unitChart.body()).subarray(1, 4).toString()).toBe('PNG');
    expect(await page.locator('#weights').textContent()).toContain('0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率');
    expect(await page.locator('[data-status=dispatched] b').textContent()).toBe('2');
    expect(await page.locator('[data-status=rated] b').textContent()).toBe('4');
    expect(await page.locator('#hotspots').textContent()).toContain(A.name);
    const stewards = await page.locator('#stewards').textContent();
    expect(stewards).toContain('本期上报 2 件，办结 1 件，回访解决 1 件，平均办结用时 12.0 小时');
    expect(stewards).toContain('李阿姨');

    // The previous period has no callbacks: every street unranked.
    await page.click('text=上一期');
    expect(await page.title()).toContain('2026-10');
    expect(await page.locator('table.ranking[data-level=street] tbody tr').count()).toBe(0);

    // CSV export with the session cookie (the browser's request context shares it).
    const csv = await ctx.request.get(`${base}/dashboard/export/streets.csv`);
    expect(csv.status()).toBe(200);
    const text = (await csv.body()).toString('utf8');
    expect(text.startsWith('\uFEFF排名,')).toBe(true);
    expect(text).toContain(`2,,${A.name},${A.code},3,66.67%,33.33%,63.33%,48.67%,73/150`);
    expect(text.split('\r\n').length).toBe(343 + 2);

    const png = await ctx.request.get(`${base}/dashboard/charts/streets.png`);
    expect(png.headers()['content-type']).toBe('image/png');
    expect((await png.body()).subarray(1, 4).toString()).toBe('PNG');
    const trend = await ctx.request.get(`${base}/dashboard/charts/trend.png?level=street&code=${A.code}`);
    expect(trend.status()).toBe(200);

    // Log out: back to refusing.
    await page.click('header button[type=submit]');
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await ctx.close();
  }, 60_000);

  it('rejects a forged session cookie', async () => {
    const ctx = await browser.newContext();
    await ctx.addCookies([{ name: 'shaosheng_dashboard', value: 'leader|9999999999999.forged', url: base }]);
    expect((await ctx.request.get(`${base}/dashboard/export/streets.csv`)).status()).toBe(401);
    await ctx.close();
  });
});

describe('login throttling', () => {
  it('answers 429 after too many failed logins from one address', async () => {
    const app2 = Fastify();
    await app2.register(dashboardRoutes, { db: t.db, queues: [], user: 'leader', password: PASSWORD, sessionSecret: SECRET, logger: createLogger({ level: 'silent' }), maxFailedLogins: 3 });
    const attempt = (password: string) =>
      app2.inject({ method: 'POST', url: '/login', payload: new URLSearchParams({ user: 'leader', password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    for (let i = 0; i < 3; i++) expect((await attempt('nope')).statusCode).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await app2.close();
  });
});

describe('dashboard without a password', () => {
  it('is disabled with a clear page', async () => {
    const off = Fastify();
    await off.register(dashboardRoutes, { db: t.db, queues: [], user: 'admin', password: undefined, sessionSecret: SECRET, logger: createLogger({ level: 'silent' }) });
    for (const url of ['/dashboard', '/login', '/admin/queues', '/dashboard/export/streets.csv']) {
      const res = await off.inject(url);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('DASHBOARD_PASSWORD');
    }
    await off.close();
  });
});
