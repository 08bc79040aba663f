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

/** One job definition per outbox kind: its queue, payload schema and options. */
export const JOBS: Record<OutboxKind, { queue: QueueKey; options: JobsOptions }> = {
  intake: { queue: 'intake', options: { attempts: 8, backoff: { type: 'exponential', delay: 500 } } },
  notify: { queue: 'outbound', options: { attempts: 8, backoff: { type: 'exponential', delay: 500 } } },
  send: { queue: 'outbound', options: { attempts: 10, backoff: { type: 'exponential', delay: 1000 } } },
};

export const jobPayload = z.object({ outboxId: z.string().regex(/^\d+$/) });
export type JobPayload = z.infer<typeof jobPayload>;

/** Stable job id: the same outbox row can never be queued twice (no ':' allowed by BullMQ). */
export const jobIdOf = (id: bigint | string) => `ob-${id}`;

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

/** Queue outbox rows (optionally to run in `delayMs`); a row already queued is not queued twice. */
export async function enqueueOutbox(queues: Queues, rows: OutboxRef[], delayMs?: number): Promise<void> {
  const byQueue = new Map<QueueKey, OutboxRef[]>();
  for (const r of rows) {
    const q = JOBS[r.kind].queue;
    byQueue.set(q, [...(byQueue.get(q) ?? []), r]);
  }
  await Promise.all(
    [...byQueue].map(([q, list]) =>
      queues[q].addBulk(
        list.map((r) => ({ name: r.kind, data: { outboxId: String(r.id) } satisfies JobPayload, opts: { ...JOBS[r.kind].options, jobId: jobIdOf(r.id), delay: delayMs } })),
      ),
    ),
  );
}
