/**
 * Whatever a platform hands us, a resident gets an answer: text with a NUL or a lone surrogate (which
 * Postgres refuses in text and jsonb) is cleaned where every adapter passes (jobs/inbox.ts), and a
 * webhook body that is not an update is refused with a 4xx, never a 5xx (Telegram redelivers those).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311Routes } from '../../adapters/open311/routes.js';
import { createTelegramBot } from '../../adapters/telegram/bot.js';
import { SANDBOX_BOT_INFO } from '../../adapters/telegram/sandbox.js';
import { telegramWebhookRoute } from '../../adapters/telegram/webhook.js';
import type { InboundMessage } from '../../core/channel.js';
import { createServer } from '../../adapters/http/server.js';
import { createInboundSink, sanitizeInbound } from '../../jobs/inbox.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const SECRET = 'edge_Secret-1';
const KEY = 'edge-key';
let h: Harness;
let app: FastifyInstance;
let sinkCalls = 0;

beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => ({ category: { code: 'sanitation', confidence: 0.8 }, place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {} })),
  });
  const sink = createInboundSink(h.deps);
  const counted = (m: InboundMessage) => (sinkCalls++, sink(m));
  app = createServer({ db: h.t.db, redis: {} as never, logger: h.deps.logger });
  const bot = createTelegramBot({ token: '1:T', apiRoot: 'http://127.0.0.1:1', logger: h.deps.logger, sink: counted, botInfo: SANDBOX_BOT_INFO });
  telegramWebhookRoute(app, { path: '/telegram/webhook', secret: SECRET, bot, timeoutMs: 5000 });
  await app.register(open311Routes, { db: h.t.db, apiKeys: [KEY], sink: counted, logger: h.deps.logger });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const hook = (payload: string, secret = SECRET) =>
  app.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, payload });
const update = (id: number, userId: number, text: string) =>
  JSON.stringify({ update_id: id, message: { message_id: id, date: 1_764_000_000, chat: { id: userId, type: 'private', first_name: 'a' }, from: { id: userId, is_bot: false, first_name: 'a\u0000b' }, text } });

describe('text Postgres would refuse', () => {
  it('cleans every string of a message: NUL removed, lone surrogates replaced, dates and numbers kept', () => {
    const at = new Date('2026-11-25T02:00:00Z');
    const m = sanitizeInbound({
      platform: 'telegram', messageId: 'm\u00001', chatId: '1', chatType: 'private', userId: '1', receivedAt: at,
      text: 'a\u0000b\ud800c\udfffd 😀', command: { name: 'my\u0000', args: '\u0000' }, location: { lat: 39.9, lng: 116.4, coordSystem: 'wgs84', label: 'x\u0000' },
      action: { data: 'wd:\u00001' },
    });
    expect(m).toMatchObject({ messageId: 'm1', text: 'ab\ufffdc\ufffdd 😀', command: { name: 'my', args: '' }, location: { lat: 39.9, label: 'x' }, action: { data: 'wd:1' } });
    expect(m.receivedAt).toEqual(at);
  });

  it('a Telegram webhook update with a NUL in the text becomes a petition and the resident is answered', async () => {
    const res = await hook(update(7001, 7001, '三里屯\u0000路边垃圾很多\ud83d'));
    expect(res.statusCode).toBe(200);
    await h.drain();
    const [p] = await h.t.db.petition.findMany({ where: { resident: { platformUserId: '7001' } } });
    expect(p?.status).toBe('dispatched');
    expect(p!.maskedText).not.toContain('\u0000');
    expect(h.telegram.to('7001').at(-1)!.text).toContain(`已受理，诉求编号 ${p!.number}`);
    expect(await h.t.db.outbox.count({ where: { doneAt: null } })).toBe(0);
  });

  it('an Open311 description with a NUL becomes a request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: KEY, service_code: 'garbage', description: '路边\u0000垃圾很多', address_string: '朝阳区三里屯' }).toString(),
    });
    expect(res.statusCode).toBe(201);
    const token = res.json()[0].token as string;
    await h.drain();
    const stored = await h.t.db.inboundMessage.findUniqueOrThrow({ where: { id: token } });
    expect(stored.status).not.toBe('pending');
    const p = await h.t.db.petition.findFirst({ where: { channel: 'open311' } });
    expect(p?.status).toBe('dispatched');
    expect(await h.t.db.outbox.count({ where: { doneAt: null } })).toBe(0);
  });
});

describe('bodies that are not updates', () => {
  it('the Telegram webhook answers 400 to null and to non-objects, 401 without the secret, and stores nothing', async () => {
    const before = sinkCalls;
    for (const body of ['null', '42', '"text"', '[1,2]', 'true']) {
      expect((await hook(body)).statusCode, body).toBe(400);
      expect((await hook(body, 'wrong')).statusCode, body).toBe(401);
    }
    expect(sinkCalls).toBe(before);
  });

  it('the Telegram webhook answers deep nesting with a 4xx or an ignored 200, never a 5xx', async () => {
    const N = 100_000;
    for (const body of ['['.repeat(N) + ']'.repeat(N), '{"a":'.repeat(N) + '1' + '}'.repeat(N), `{"update_id":9,"message":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`]) {
      const res = await hook(body);
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  it('the Open311 POST answers 400 to a JSON body of null, a non-object or deep nesting', async () => {
    const N = 100_000;
    for (const body of ['null', '42', '[1]', '"x"', '['.repeat(N) + ']'.repeat(N), `{"description":${'['.repeat(N)}${']'.repeat(N)}}`]) {
      const res = await app.inject({ method: 'POST', url: `/open311/v2/requests.json?api_key=${KEY}`, headers: { 'content-type': 'application/json' }, payload: body });
      expect(res.statusCode, body.slice(0, 10)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, body.slice(0, 10)).toBeLessThan(500);
    }
  });
});
