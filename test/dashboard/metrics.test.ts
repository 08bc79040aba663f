import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Queue } from 'bullmq';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';
import { createMetrics, metricsRoute } from '../../core/metrics.js';
import { addPetition } from '../insight/seed.js';

let t: TestDb;
let r: TestRedis;
let queue: Queue;

beforeAll(async () => {
  [t, r] = await Promise.all([createTestDb(), createTestRedis()]);
  // bullmq bundles its own ioredis typings; the connection is the same class at runtime
  queue = new Queue('notify', { connection: r.connection() as never, prefix: r.prefix });
  await queue.add('notify.send', { n: 1 });
  await queue.add('notify.send', { n: 2 });
  await queue.add('notify.send', { n: 3 }, { delay: 60_000 });
  for (const status of ['received', 'dispatched', 'dispatched', 'closed']) await addPetition(t.db, { status });
});

afterAll(async () => {
  await queue?.close();
  await r?.cleanup();
  await t?.drop();
});

const value = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : undefined;
};

describe('metrics', () => {
  it('exposes petitions by state, queue depths and the counters others increment', async () => {
    const m = createMetrics({ db: t.db, queues: [queue], defaultMetrics: false });
    m.recordSendFailure('telegram', 'forbidden');
    m.recordSendFailure('telegram', 'forbidden');
    m.recordRateLimited('wecom');
    m.recordDeadlineBreach('feedback');
    const app = Fastify();
    await app.register(metricsRoute, { metrics: m, bearerToken: 'scrape-secret' });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const res = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(value(text, 'shaosheng_petitions{status="dispatched"}')).toBe(2);
    expect(value(text, 'shaosheng_petitions{status="received"}')).toBe(1);
    expect(value(text, 'shaosheng_petitions{status="closed"}')).toBe(1);
    expect(value(text, 'shaosheng_petitions{status="rated"}')).toBe(0);
    expect(value(text, 'shaosheng_queue_jobs{queue="notify",state="waiting"}')).toBe(2);
    expect(value(text, 'shaosheng_queue_jobs{queue="notify",state="delayed"}')).toBe(1);
    expect(value(text, 'shaosheng_send_failures_total{platform="telegram",reason="forbidden"}')).toBe(2);
    expect(value(text, 'shaosheng_platform_rate_limited_total{platform="wecom"}')).toBe(1);
    expect(value(text, 'shaosheng_deadline_breaches_total{kind="feedback"}')).toBe(1);

    // The next scrape sees new data.
    await addPetition(t.db, { status: 'rated' });
    expect(value(await m.registry.metrics(), 'shaosheng_petitions{status="rated"}')).toBe(1);
    await app.close();
  });

  it('keeps serving when a source fails and counts the failure', async () => {
    const broken = { name: 'broken', getJobCounts: async () => { throw new Error('redis down'); } };
    const m = createMetrics({ queues: [broken], defaultMetrics: false });
    const text = await m.registry.metrics();
    expect(value(text, 'shaosheng_metrics_collect_errors_total{source="queue:broken"}')).toBe(1);
  });
});
