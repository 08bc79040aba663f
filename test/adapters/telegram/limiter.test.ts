import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSendLimiter, DEFAULT_MAX_BUDGET_WAIT_MS } from '../../../adapters/telegram/limiter.js';
import { SEND_LEASE_MS } from '../../../jobs/handlers.js';
import { createTelegramSender } from '../../../adapters/telegram/sender.js';
import { SendError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { okMessage, startFakeBotApi } from './fake-bot-api.js';

let r: TestRedis;
let n = 0;
const prefix = () => `${r.prefix}:${++n}`;
let fake: Awaited<ReturnType<typeof startFakeBotApi>> | undefined;

beforeAll(async () => {
  r = await createTestRedis();
});
afterAll(async () => {
  await r.cleanup();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('telegram send budgets (Redis, shared across processes)', () => {
  it('lets 20 messages into a group at once and makes the 21st wait for the window', async () => {
    fake = await startFakeBotApi((call) => okMessage(call));
    const windowMs = 1500;
    const sender = createTelegramSender({
      token: '42:TEST',
      apiRoot: fake.apiRoot,
      redis: r.redis,
      keyPrefix: prefix(),
      logger: createLogger({ level: 'silent' }),
      limits: { perChat: { limit: 100, windowMs: 1000 }, perGroup: { limit: 20, windowMs } },
    });
    const group = '-100200300';
    expect(await sender.remainingGroupBudget(group)).toBe(20);
    const sends = Array.from({ length: 25 }, (_, i) => sender.send({ chatId: group, text: `工单 ${i + 1}` }));
    // while the burst waits, the outbound worker can see the budget is gone (and send a digest instead)
    await new Promise((res) => setTimeout(res, 300));
    expect(await sender.remainingGroupBudget(group)).toBe(0);
    await Promise.all(sends);

    const at = fake.calls.map((c) => c.at).sort((a, b) => a - b);
    expect(at).toHaveLength(25);
    expect(at[19]! - at[0]!).toBeLessThan(500); // the first 20 go out together
    expect(at[20]! - at[0]!).toBeGreaterThanOrEqual(windowMs - 100); // the 21st waits for the first to leave the window (100 ms: HTTP arrival jitter on a loaded machine vs. the slot time in Redis)
    // never more than 20 in any window
    for (let i = 20; i < at.length; i++) expect(at[i]! - at[i - 20]!).toBeGreaterThanOrEqual(windowMs - 100);
    // private chats have no group budget
    expect(await sender.remainingGroupBudget('1001')).toBe(Number.POSITIVE_INFINITY);
  });

  it('shares one budget between two processes (two connections, same prefix)', async () => {
    const keyPrefix = prefix();
    const opts = { keyPrefix, botId: '42', limits: { perChat: { limit: 100, windowMs: 1000 }, perGroup: { limit: 5, windowMs: 800 } } };
    const a = createSendLimiter({ ...opts, redis: r.connection() });
    const b = createSendLimiter({ ...opts, redis: r.connection() });
    for (let i = 0; i < 3; i++) await a.acquire('-7');
    for (let i = 0; i < 2; i++) await b.acquire('-7');
    expect(await a.remainingGroupBudget('-7')).toBe(0);
    const t0 = performance.now();
    await b.acquire('-7');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(700);
  });

  it('spaces messages to one chat by the per-chat window but not messages to different chats', async () => {
    const l = createSendLimiter({ redis: r.redis, keyPrefix: prefix(), botId: '42', limits: { perChat: { limit: 1, windowMs: 400 } } });
    const t0 = performance.now();
    await l.acquire('1001');
    await l.acquire('1002');
    expect(performance.now() - t0).toBeLessThan(150);
    await l.acquire('1001');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);
  });

  it('caps the whole bot with the global budget', async () => {
    const l = createSendLimiter({ redis: r.redis, keyPrefix: prefix(), botId: '42', limits: { global: { limit: 3, windowMs: 500 } } });
    const t0 = performance.now();
    for (const chat of ['1', '2', '3']) await l.acquire(chat);
    expect(performance.now() - t0).toBeLessThan(150);
    await l.acquire('4');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(495);
  });

  it('gives up with a transient SendError (and the wait left) when the budget frees too late', async () => {
    const l = createSendLimiter({ redis: r.redis, keyPrefix: prefix(), botId: '42', limits: { perGroup: { limit: 1, windowMs: 5000 } }, maxWaitMs: 200 });
    await l.acquire('-9');
    const err = (await l.acquire('-9').catch((e: unknown) => e)) as SendError;
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ permanent: false, reason: 'budget' });
    expect(err.retryAfterMs).toBeGreaterThan(4000);
    expect(await l.remainingGroupBudget('-9')).toBe(0); // the refused attempt took no slot
  });

  it('waits in-process no longer than a small part of the send lease by default', async () => {
    const l = createSendLimiter({ redis: r.redis, keyPrefix: prefix(), botId: '42', limits: { perGroup: { limit: 1, windowMs: 60_000 } } });
    await l.acquire('-10');
    const t0 = Date.now();
    const err = (await l.acquire('-10').catch((e: unknown) => e)) as SendError;
    expect(Date.now() - t0).toBeLessThan(500); // the next slot is a minute away: not waited for at all
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(DEFAULT_MAX_BUDGET_WAIT_MS).toBeLessThanOrEqual(SEND_LEASE_MS / 4);
  });

  it('keeps its keys under the prefix', async () => {
    const keyPrefix = prefix();
    const l = createSendLimiter({ redis: r.redis, keyPrefix, botId: '42' });
    await l.acquire('-5');
    const keys = await r.redis.keys(`${keyPrefix}*`);
    expect(keys.sort()).toEqual([`${keyPrefix}:{tg:42}:rl:chat:-5`, `${keyPrefix}:{tg:42}:rl:global`, `${keyPrefix}:{tg:42}:rl:group:-5`]);
  });
});
