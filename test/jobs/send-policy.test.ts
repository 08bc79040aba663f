/**
 * One send policy: the platform adapters make one attempt per send; waiting and retrying happen in
 * the send job, in the queue. A 429 asking for 90 s is waited out as a delayed job with the lease
 * released: no worker holds the message (and no lease runs out under it) while it waits, nobody else
 * sends it meanwhile, and it arrives exactly once, after the delay. Real Telegram sender against a
 * local Bot API, real BullMQ workers on Redis; the 90 s pass by promoting the delayed job.
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../adapters/telegram/sender.js';
import { runOutbox, type Runtime } from '../../jobs/handlers.js';
import * as handlers from '../../jobs/handlers.js';
import { createQueues, enqueueOutbox, jobIdOf, type Queues } from '../../jobs/queues.js';
import { afterCommit, reconcileOnce, startWorkers, type IntakePump } from '../../jobs/runtime.js';
import { startBotApiRecorder, type BotApiRecorder } from '../peers/bot-api-recorder.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let h: Harness;
let r: TestRedis;
let recorder: BotApiRecorder;
let queues: Queues;
let rt: Runtime;
let workers: Worker[] = [];

beforeAll(async () => {
  h = await createHarness({ understand: scriptedUnderstanding(() => ({})) });
  r = await createTestRedis();
  recorder = await startBotApiRecorder();
  const telegram = createTelegramSender({
    token: '123456:TESTTOKEN',
    apiRoot: recorder.apiRoot,
    redis: r.redis,
    keyPrefix: r.prefix,
    logger: h.deps.logger,
    limits: { perChat: { limit: 1000, windowMs: 1000 }, global: { limit: 1000, windowMs: 1000 } },
  });
  rt = { ...h.rt, senders: { telegram } };
  queues = createQueues(r.connection({ maxRetriesPerRequest: null }), r.prefix, h.deps.logger);
}, 60_000);

afterEach(async () => {
  await Promise.all(workers.map((w) => w.close()));
  workers = [];
});

afterAll(async () => {
  await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
  await recorder?.close();
  await r?.cleanup();
  await h?.close();
});

/** Two worker processes' worth of BullMQ workers on the same queues. */
function startTwoWorkers() {
  for (let i = 0; i < 2; i++) workers.push(...startWorkers(rt, { connection: r.connection({ maxRetriesPerRequest: null }), prefix: r.prefix, logger: h.deps.logger }));
}

async function newSend(chatId: string, text: string) {
  const d = await h.t.db.delivery.create({ data: { key: `t:${randomUUID()}`, platform: 'telegram', chatId, message: { text }, status: 'pending', createdAt: h.clock.now() } });
  const o = await h.t.db.outbox.create({ data: { kind: 'send', payload: { deliveryId: d.id }, dedupeKey: `send:${d.id}`, createdAt: h.clock.now() } });
  return { deliveryId: d.id, outboxId: o.id };
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const sendsTo = (chatId: string) => recorder.sends().filter((c) => String(c.body.chat_id) === chatId);

async function expectWaitedOutInTheQueue(chatId: string, outboxId: bigint, deliveryId: string) {
  // The 429 came back once; the job now waits in the delayed set for the 90 s Telegram asked for.
  await until('the job delayed', async () => {
    const j = await queues.outbound.getJob(jobIdOf(outboxId));
    return j && (await j.getState()) === 'delayed' && recorder.refused.some((c) => String(c.body.chat_id) === chatId);
  });
  const job = (await queues.outbound.getJob(jobIdOf(outboxId)))!;
  expect(job.delay || job.opts.delay).toBeGreaterThanOrEqual(90_000);
  // the lease is released while it waits: no worker holds it, so no lease can run out under it
  const d = await h.t.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
  expect(d).toMatchObject({ status: 'pending', leaseUntil: null });
  // Meanwhile nobody calls Telegram again for it (a retry inside the flood wait only extends it), not even
  // once the clock has passed a whole lease and the relay looked: the delayed job is its one retry.
  await sleep(2500);
  h.clock.advance(121_000);
  expect(await reconcileOnce(rt, queues, { graceMs: 0 })).toBe(0);
  await sleep(1000);
  expect(recorder.refused.filter((c) => String(c.body.chat_id) === chatId)).toHaveLength(1);
  expect(sendsTo(chatId)).toHaveLength(0);
  // 90 s later (promoted: the test does not wait them out) the message leaves, once.
  await (await queues.outbound.getJob(jobIdOf(outboxId)))!.promote();
  await until('the message sent', async () => sendsTo(chatId).length > 0);
  await until('the delivery recorded', async () => (await h.t.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).status === 'sent');
  await sleep(1500);
  expect(sendsTo(chatId)).toHaveLength(1);
  expect((await h.t.db.outbox.findUniqueOrThrow({ where: { id: outboxId } })).doneAt).not.toBeNull();
}

describe('a 429 with retry_after 90 s', () => {
  it('through the queue: the job is delayed by the retry-after, the lease released; exactly one message, after the delay', async () => {
    startTwoWorkers();
    const chatId = '810001';
    const { outboxId, deliveryId } = await newSend(chatId, '派单 2611250001（主办）路灯不亮');
    recorder.failNext(1, 429, 90);
    await enqueueOutbox(queues, [{ id: outboxId, kind: 'send' }]);
    await expectWaitedOutInTheQueue(chatId, outboxId, deliveryId);
  }, 40_000);

  it('sent right after its commit (in-process): handed to the queue with its delay, not slept on', async () => {
    startTwoWorkers();
    const chatId = '810002';
    const { outboxId, deliveryId } = await newSend(chatId, '派单 2611250002（主办）井盖缺失');
    recorder.failNext(1, 429, 90);
    const pump: IntakePump = { wake: () => undefined, busy: false, stop: async () => undefined };
    const committed = afterCommit(rt, queues, pump);
    const t0 = Date.now();
    await committed([{ id: outboxId, kind: 'send', lane: `telegram:${chatId}` }]);
    await committed.drain();
    expect(Date.now() - t0).toBeLessThan(5000); // the in-process send let go at once
    await expectWaitedOutInTheQueue(chatId, outboxId, deliveryId);
  }, 40_000);
});

describe('attempts are bounded in one place', () => {
  it('a platform that keeps failing: the send job tries a bounded number of times, then records the delivery failed', async () => {
    const chatId = '810003';
    const { outboxId, deliveryId } = await newSend(chatId, '派单 2611250003（主办）噪音扰民');
    recorder.failFor(60_000, 502);
    const before = recorder.refused.length;
    const waits: number[] = [];
    // The queue's part, played by the test: each deferral is run again at once.
    const defer = async (ms: number): Promise<never> => {
      waits.push(ms);
      throw new Error('deferred');
    };
    for (let i = 0; i < 30; i++) {
      await runOutbox(rt, outboxId, defer, 'send').catch((err: unknown) => {
        if ((err as Error).message !== 'deferred') throw err;
      });
      if ((await h.t.db.outbox.findUniqueOrThrow({ where: { id: outboxId } })).doneAt) break;
    }
    recorder.failFor(0, 502);
    const calls = recorder.refused.length - before;
    expect(calls).toBe(handlers.SEND_MAX_ATTEMPTS);
    expect(calls).toBeLessThanOrEqual(10);
    // each retry waited in the queue, longer each time (5xx: Telegram gave no wait)
    expect(waits).toHaveLength(calls - 1);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]!);
    const d = await h.t.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(d.status).toBe('failed');
    expect(d.error).toMatch(/gave up after \d+ attempts/);
    expect(sendsTo(chatId)).toHaveLength(0);
  }, 60_000);
});
