/**
 * Few queues, named jobs. Queue names are hash-tagged so every key of a queue
 * lands in one slot of a Redis Cluster (or Dragonfly) unchanged. A job carries
 * only the id of its Outbox row: no personal data ever reaches Redis.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import type { OutboxKind, OutboxRef } from '../core/workflow/context.js';

export const QUEUE_NAMES = { intake: '{intake}', outbound: '{outbound}' } as const;
export type QueueKey = keyof typeof QUEUE_NAMES;

/**
 * One job definition per outbox kind: its queue, payload schema and options. A send's platform
 * failures never fail its job: the handler defers it (job.moveToDelayed) by the platform's retry-after
 * or its own backoff, counting platform attempts on the delivery (SEND_MAX_ATTEMPTS in handlers.ts).
 * The job's `attempts` here only cover what happens around the platform call (Postgres away, a
 * delivery still leased by another worker), so the two never multiply.
 */
export const JOBS: Record<OutboxKind, { queue: QueueKey; options: JobsOptions }> = {
  intake: { queue: 'intake', options: { attempts: 8, backoff: { type: 'exponential', delay: 500 } } },
  notify: { queue: 'outbound', options: { attempts: 8, backoff: { type: 'exponential', delay: 500 } } },
  send: { queue: 'outbound', options: { attempts: 10, backoff: { type: 'exponential', delay: 1000 } } },
};

const outboxId = z.string().regex(/^\d+$/);
/** One outbox row, or the intake rows of one batch of inbound messages (stored together by jobs/inbox.ts). */
export const jobPayload = z.union([z.object({ outboxId }), z.object({ outboxIds: z.array(outboxId).min(1) })]);
export type JobPayload = z.infer<typeof jobPayload>;
export const outboxIdsOf = (data: unknown): bigint[] => {
  const p = jobPayload.parse(data);
  return 'outboxId' in p ? [BigInt(p.outboxId)] : p.outboxIds.map(BigInt);
};

/** Stable job ids: the same outbox row (or batch) can never be queued twice (no ':' allowed by BullMQ). */
export const jobIdOf = (id: bigint | string) => `ob-${id}`;
export const batchJobIdOf = (batch: string) => `bt-${batch}`;

const BOUNDS = { removeOnComplete: { count: 2000, age: 3600 }, removeOnFail: { count: 5000, age: 7 * 86400 } };

export type Queues = Record<QueueKey, Queue>;

export function createQueues(connection: ConnectionOptions, prefix: string, logger: Logger): Queues {
  const make = (key: QueueKey) => {
    const q = new Queue(QUEUE_NAMES[key], { connection, prefix, defaultJobOptions: BOUNDS });
    q.on('error', (err) => logger.error({ err, queue: key }, 'queue error'));
    return q;
  };
  return { intake: make('intake'), outbound: make('outbound') };
}

/**
 * Queue outbox rows (optionally to run in `delayMs`); a row already queued is not queued twice.
 * Rows of one batch go as one job.
 */
export async function enqueueOutbox(queues: Queues, rows: OutboxRef[], delayMs?: number): Promise<void> {
  const jobs = new Map<string, { kind: OutboxKind; ids: bigint[] }>();
  for (const r of rows) {
    const jobId = r.batch ? batchJobIdOf(r.batch) : jobIdOf(r.id);
    const job = jobs.get(jobId) ?? jobs.set(jobId, { kind: r.kind, ids: [] }).get(jobId)!;
    job.ids.push(r.id);
  }
  const byQueue = new Map<QueueKey, Parameters<Queue['addBulk']>[0]>();
  for (const [jobId, { kind, ids }] of jobs) {
    const data: JobPayload = ids.length === 1 ? { outboxId: String(ids[0]) } : { outboxIds: ids.map(String) };
    const list = byQueue.get(JOBS[kind].queue) ?? byQueue.set(JOBS[kind].queue, []).get(JOBS[kind].queue)!;
    list.push({ name: kind, data, opts: { ...JOBS[kind].options, jobId, delay: delayMs } });
  }
  await Promise.all([...byQueue].map(([q, list]) => queues[q].addBulk(list)));
}
