/**
 * Nothing ends only in a table (issue 16): the whole service with the Telegram sandbox and its demo org
 * (a unit group -2001 for 朝阳区城管委, a coordinator group -3001 for 三里屯街道).
 *
 * - A petition for a unit with no bound chat and no staff reaches the street's coordinators as 未绑定单位
 *   (unit, number, masked summary) and the dashboard lists the unit.
 * - Cards that fail for good (the unit is bound to a chat on a platform the service cannot send to) raise
 *   alerts: the coordinators get one message listing them, at most one per 10 minutes; /metrics counts
 *   them; the dashboard lists them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startE2e, type BotMessage, type E2e } from './harness.js';

const METRICS = 'e2e-metrics-token-0123';

const COORDINATOR_CHAT = '-3001';
const PASSWORD = 'e2e-dashboard-password';
let e: E2e;

beforeAll(async () => {
  e = await startE2e({ env: { DASHBOARD_PASSWORD: PASSWORD, SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123', METRICS_TOKEN: METRICS } });
}, 90_000);
afterAll(() => e?.close());

const HEATING = ['朝阳区三里屯街道幸福村小区的暖气一直不热，家里只有十几度', '朝阳区三里屯街道中纺里小区暖气片冰凉，老人孩子冻得受不了', '朝阳区三里屯街道北三里屯南区暖气不热好几天了'];

async function file(userId: number, text: string) {
  await e.person({ userId, chatId: userId, type: 'private' }).say(text);
  const ack = await e.waitFor(userId, (m) => /诉求编号 \d{10}/.test(m.text));
  const number = /诉求编号 (\d{10})/.exec(ack.text)![1]!;
  const p = await e.app.db.petition.findUniqueOrThrow({ where: { number }, include: { assignments: { include: { unit: true } } } });
  return { number, petition: p, unit: p.assignments.find((a) => a.role === 'lead')!.unit };
}

async function dashboard(): Promise<string> {
  const login = await fetch(`${e.app.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: 'admin', password: PASSWORD, next: '/dashboard' }).toString(),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const page = await fetch(`${e.app.url}/dashboard`, { headers: { cookie } });
  expect(page.status).toBe(200);
  return page.text();
}

const section = (html: string, id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));
const alertMessages = () => e.messages(COORDINATOR_CHAT).filter((m) => m.text.includes('未送达提醒'));

it('a card for an unbound unit reaches the coordinators and the dashboard; failed cards raise batched alerts, metrics and dashboard rows', async () => {
  // 1. Heating goes to a unit that has no group and no staff in the demo org.
  const first = await file(1101, HEATING[0]!);
  expect(first.unit.id).not.toBe('110105:urban_mgmt');
  expect(await e.app.db.chatBinding.count({ where: { unitId: first.unit.id } })).toBe(0);
  const notice: BotMessage = await e.waitFor(COORDINATOR_CHAT, (m) => m.text.includes('未绑定单位') && m.text.includes(first.number));
  expect(notice.text).toContain(first.unit.name);
  expect(notice.text).toContain(first.petition.summary);
  expect(notice.text).not.toMatch(/1[3-9]\d{9}/);
  let html = await dashboard();
  expect(section(html, 'unbound')).toContain(first.unit.name);
  expect(section(html, 'unbound')).toContain(first.number);

  // 2. The unit is bound to a WeCom chat, but WeCom is not configured here: its next cards fail for good.
  await e.app.db.chatBinding.create({ data: { platform: 'wecom', chatId: 'chat:heating_group', unitId: first.unit.id } });
  const failed = [await file(1102, HEATING[1]!), await file(1103, HEATING[2]!)];
  await e.until(async () => (await e.app.db.delivery.count({ where: { platform: 'wecom', status: 'failed' } })) === 2, 15_000, 'two failed cards');
  await e.until(() => alertMessages().length === 1, 15_000, `one alert message; the coordinators have ${JSON.stringify(e.messages(COORDINATOR_CHAT).map((m) => m.text.slice(0, 40)))}`);
  await e.settle();
  // One message inside 10 minutes, however many failures (the second may have missed the first message).
  expect(alertMessages()).toHaveLength(1);
  expect(alertMessages()[0]!.text).toContain(failed[0]!.number);

  // 3. Another failure within the 10 minutes waits; after them, it goes in the next message.
  const later = await file(1104, '朝阳区三里屯街道工体北路小区暖气不热，屋里很冷');
  await e.until(async () => (await e.app.db.delivery.count({ where: { platform: 'wecom', status: 'failed' } })) === 3, 15_000, 'the third failed card');
  await e.settle();
  expect(alertMessages()).toHaveLength(1);
  e.clock.advance(11 * 60_000);
  await e.until(() => alertMessages().length === 2, 15_000, 'the second alert message after 10 minutes');
  const all = alertMessages().map((m) => m.text).join('\n');
  for (const f of [...failed, later]) expect(all).toContain(f.number);

  // 4. Counted on /metrics and listed on the dashboard.
  const metrics = await (await fetch(`${e.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text();
  expect(metrics).toMatch(/shaosheng_alerts_total\{kind="send_failed"\} 3/);
  expect(metrics).toMatch(/shaosheng_alerts_total\{kind="unbound_unit"\} 1/);
  html = await dashboard();
  const rows = section(html, 'alerts');
  for (const f of [...failed, later]) expect(rows).toContain(f.number);
  expect(rows).toContain('消息未送达');
  expect(rows).toContain('未绑定单位');
}, 120_000);
