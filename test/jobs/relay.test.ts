/**
 * The relay re-queues outbox work whose job Redis does not have, but leaves a
 * send alone while its delivery is leased (being sent, often inline right
 * after commit with no job at all) until the lease runs out.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchJobIdOf, createQueues, enqueueOutbox, jobIdOf, type Queues } from '../../jobs/queues.js';
import { reconcileOnce } from '../../jobs/runtime.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

let h: Harness;
let r: TestRedis;
let queues: Queues;
beforeAll(async () => {
  h = await createHarness({ understand: scriptedUnderstanding(() => ({})) });
  r = await createTestRedis();
  queues = createQueues(r.connection({ maxRetriesPerRequest: null }), r.prefix, h.deps.logger);
});
afterAll(async () => {
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await r.cleanup();
  await h.close();
});

it('re-queues lost work, but not a send whose delivery is leased until the lease runs out', async () => {
  const old = new Date(h.clock.now().getTime() - 60_000);
  const delivery = await h.t.db.delivery.create({
    data: { key: 'relay-test', platform: 'telegram', chatId: '42', message: { text: 'hi' }, status: 'sending', leaseUntil: new Date(h.clock.now().getTime() + 30_000) },
  });
  const send = await h.t.db.outbox.create({ data: { kind: 'send', payload: { deliveryId: delivery.id }, dedupeKey: 'relay-send', createdAt: old } });
  const intake = await h.t.db.outbox.create({ data: { kind: 'intake', payload: { inboundId: 'none' }, dedupeKey: 'relay-intake', createdAt: old } });

  expect(await reconcileOnce(h.rt, queues)).toBe(1);
  expect(await queues.intake.getJob(jobIdOf(intake.id))).toBeTruthy();
  expect(await queues.outbound.getJob(jobIdOf(send.id))).toBeUndefined();

  // The sender died: once its lease is over, the send is queued again.
  h.clock.advance(31_000);
  expect(await reconcileOnce(h.rt, queues)).toBe(1);
  expect(await queues.outbound.getJob(jobIdOf(send.id))).toBeTruthy();
});

it('leaves intake rows to their batch job while it waits, and queues them alone once it is gone', async () => {
  const old = new Date(h.clock.now().getTime() - 60_000);
  const rows = await Promise.all(
    ['a', 'b'].map((k) => h.t.db.outbox.create({ data: { kind: 'intake', payload: { inboundId: `none-${k}`, batch: 'relay-batch' }, dedupeKey: `relay-batch-${k}`, createdAt: old } })),
  );
  await enqueueOutbox(queues, rows.map((r) => ({ id: r.id, kind: 'intake' as const, batch: 'relay-batch' })));
  const job = await queues.intake.getJob(batchJobIdOf('relay-batch'));
  expect(job?.data).toEqual({ outboxIds: rows.map((r) => String(r.id)) });
  expect(await reconcileOnce(h.rt, queues)).toBe(0);

  // Redis lost the batch job: each row is queued again on its own.
  await job!.remove();
  expect(await reconcileOnce(h.rt, queues)).toBe(2);
  for (const r of rows) expect(await queues.intake.getJob(jobIdOf(r.id))).toBeTruthy();
  expect(await reconcileOnce(h.rt, queues)).toBe(0);
});
