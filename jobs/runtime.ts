/**
 * Workers and the relay. Workers process outbox jobs; the relay is the
 * reconciler that makes Postgres the record: any outbox row not done whose job
 * Redis no longer has (lost, flushed, never added) is queued again, at start-up
 * and then periodically. The timer scanner fires due deadlines from Postgres.
 */
import { DelayedError, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../core/log.js';
import { fireDueTimers } from '../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../core/workflow/reminders.js';
import { JOBS, QUEUE_NAMES, batchJobIdOf, enqueueOutbox, jobIdOf, outboxIdsOf, type Queues, type QueueKey } from './queues.js';
import { runIntakes, runOutbox, type Runtime } from './handlers.js';
import type { OutboxKind, OutboxRef } from '../core/workflow/context.js';
import { runSchedules, type Schedule } from './schedules.js';
import { alertFailedRows, notifyAlerts } from './alerts.js';

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency?: Partial<Record<QueueKey, number>>;
  logger: Logger;
}

/** Jobs a worker runs at once per queue. */
export const WORKER_CONCURRENCY = 8;

export function startWorkers(rt: Runtime, opts: WorkerOptions): Worker[] {
  return (Object.keys(QUEUE_NAMES) as QueueKey[]).map((key) => {
    const worker = new Worker(
      QUEUE_NAMES[key],
      async (job, token) => {
        const ids = outboxIdsOf(job.data);
        if (ids.length > 1) return void (await runIntakes(rt, ids));
        const defer = async (ms: number): Promise<never> => {
          // Back to the delayed set without counting as an attempt; the worker takes the next job.
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError();
        };
        await runOutbox(rt, ids[0]!, defer, job.name);
      },
      { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency?.[key] ?? WORKER_CONCURRENCY, autorun: true },
    );
    worker.on('error', (err) => opts.logger.error({ err, queue: key }, 'worker error'));
    worker.on('failed', (job, err) => {
      const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
      opts.logger[final ? 'error' : 'warn']({ err, queue: key, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade }, final ? 'job failed for good' : 'job failed, will retry');
      if (final && job) {
        const ids = outboxIdsOf(job.data);
        rt.deps.db.outbox
          .updateMany({ where: { id: { in: ids }, doneAt: null }, data: { attempts: job.attemptsMade, lastError: String(err?.message ?? err).slice(0, 500) } })
          .catch(() => undefined);
        // Its effect will not happen by itself: a person must hear of it.
        void alertFailedRows(rt, ids, err);
      }
    });
    return worker;
  });
}

/** Thrown by the inline `defer`: the send was handed to the queue to run later. */
class HandedToQueue extends Error {}

/**
 * Intake in a process that both stores messages and works: wake-ups instead of a job per stored
 * group. Up to `concurrency` loops each take the oldest waiting messages, up to `rt.intakeBatch` at a
 * time (jobs/handlers.ts `runIntakes`), until none is left: a quiet service takes each message at once,
 * a busy one takes its backlog in large batches, and no message makes a trip through Redis. What a loop
 * cannot take (Postgres away, a message that fails alone) is left to the relay, which queues it.
 */
export interface IntakePump {
  wake(): void;
  /** a loop is running: every waiting message will be taken without a job */
  readonly busy: boolean;
  /** no new loops; resolves when the running ones have ended */
  stop(): Promise<void>;
}

export function intakePump(rt: Runtime, concurrency: number): IntakePump {
  const running = new Set<Promise<void>>();
  let stopped = false;
  // Set by every wake: a loop that took nothing ends only if no message was stored since it looked.
  let stored = false;
  const loop = async () => {
    try {
      while (!stopped) {
        stored = false;
        const took = await runIntakes(rt, []);
        if (!took && !stored) break;
      }
    } catch (err) {
      rt.deps.logger.warn({ err }, 'intake pump stopped; the relay queues what is waiting');
    }
  };
  return {
    wake() {
      stored = true;
      if (stopped || running.size >= concurrency) return;
      const run = loop().finally(() => running.delete(run));
      running.add(run);
    },
    get busy() {
      return running.size > 0;
    },
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** Sends in flight past which a commit waits for its own (the platform is slower than intake). */
const MAX_SENDS_IN_FLIGHT = 256;

export interface AfterCommit {
  (rows: OutboxRef[]): Promise<void>;
  /** resolves when every send started here has ended */
  drain(): Promise<void>;
}

/**
 * What happens to work right after its transaction commits. A process with workers takes intake
 * with its pump and sends at once, here: nothing makes another trip through Redis. A process without
 * (ROLE=web) queues intake for the workers. A send that must wait (its chat's budget, a platform's
 * retry-after, a backoff after a failure) is handed to the queue with that delay: nothing sleeps here.
 *
 * Sends leave in the background: the transaction that decided them (and the pump loop behind it)
 * goes on to the next batch while the platform answers. Chats are served in parallel; one chat's
 * messages leave in the order they were decided, one at a time, across commits too, so a burst to one
 * group finds the rest of itself still waiting and goes out as a digest.
 */
export function afterCommit(rt: Runtime, queues: Queues, pump?: IntakePump): AfterCommit {
  /** the last send queued in each chat */
  const lanes = new Map<string, Promise<void>>();
  let inFlight = 0;
  const run = async (rows: OutboxRef[]): Promise<void> => {
    const sends = pump ? rows.filter((r) => r.kind === 'send') : [];
    const intake = pump ? rows.filter((r) => r.kind === 'intake') : [];
    const queued = rows.filter((r) => !sends.includes(r) && !intake.includes(r));
    if (intake.length) pump!.wake();
    if (queued.length) await enqueueOutbox(queues, queued);
    const mine = sends.map((r) => {
      const lane = r.lane ?? `row:${r.id}`;
      inFlight++;
      const sent: Promise<void> = (lanes.get(lane) ?? Promise.resolve())
        .then(() => sendNow(rt, queues, r))
        .catch((err: unknown) => rt.deps.logger.warn({ err }, 'send could not be queued for retry; the relay will'))
        .finally(() => {
          inFlight--;
          if (lanes.get(lane) === sent) lanes.delete(lane);
        });
      lanes.set(lane, sent);
      return sent;
    });
    if (inFlight > MAX_SENDS_IN_FLIGHT) await Promise.all(mine);
  };
  return Object.assign(run, {
    async drain() {
      while (lanes.size) await Promise.all(lanes.values());
    },
  });
}

async function sendNow(rt: Runtime, queues: Queues, r: OutboxRef) {
  const defer = async (ms: number): Promise<never> => {
    await enqueueOutbox(queues, [r], ms);
    throw new HandedToQueue();
  };
  try {
    await runOutbox(rt, r.id, defer, 'send');
  } catch (err) {
    if (err instanceof HandedToQueue) return;
    rt.deps.logger.warn({ err }, 'send failed; queued for retry');
    await enqueueOutbox(queues, [r]);
  }
}

export interface RelayOptions {
  intervalMs?: number;
  /** calendar work run from the same loop (weekly topics, monthly report) */
  schedules?: Schedule[];
  /** rows younger than this are left to the fast path */
  graceMs?: number;
  /** this process's intake pump, if it has one */
  pump?: IntakePump;
  batch?: number;
  /** alert messages to one area at most this often (jobs/alerts.ts ALERT_EVERY_MS) */
  alertEveryMs?: number;
  logger: Logger;
}

/**
 * One reconciliation pass: re-queue outbox rows whose job Redis does not have. Returns how many.
 * A send whose delivery is leased is being sent right now (often inline, right after its commit,
 * with no job at all): it is left alone until its lease runs out.
 */
export async function reconcileOnce(rt: Runtime, queues: Queues, opts: { graceMs?: number; batch?: number; pump?: IntakePump } = {}): Promise<number> {
  const now = rt.deps.clock.now();
  const before = new Date(now.getTime() - (opts.graceMs ?? 2000));
  // While this process's intake pump runs it takes every waiting message (those that failed alone aside).
  const pumping = opts.pump?.busy ?? false;
  const rows = await rt.deps.db.$queryRaw<{ id: bigint; kind: string; batch: string | null }[]>`
    SELECT o.id, o.kind, o.payload->>'batch' AS batch FROM "Outbox" o
    WHERE o."doneAt" IS NULL AND o."createdAt" <= ${before}
      AND NOT (${pumping}::boolean AND o.kind = 'intake' AND o."lastError" IS NULL)
      AND NOT (o.kind = 'send' AND EXISTS (
        SELECT 1 FROM "Delivery" d WHERE d.id = o.payload->>'deliveryId' AND d.status = 'sending' AND d."leaseUntil" > ${now}))
    ORDER BY o.id LIMIT ${opts.batch ?? 500}`;
  // Look the jobs up concurrently (ioredis pipelines them): a backlog must not make one pass take seconds.
  // A row of a batch has its batch's job, and its own once it was queued again alone.
  const lost = await Promise.all(
    rows.map(async (r) => {
      const queue = queues[JOBS[r.kind as OutboxKind].queue];
      for (const jobId of r.batch ? [batchJobIdOf(r.batch), jobIdOf(r.id)] : [jobIdOf(r.id)]) {
        const job = await queue.getJob(jobId);
        if (job && (await job.getState()) !== 'completed') return null;
        await job?.remove().catch(() => undefined);
      }
      return { id: r.id, kind: r.kind as OutboxKind };
    }),
  );
  const missing = lost.filter((r): r is { id: bigint; kind: OutboxKind } => r !== null);
  if (missing.length) await enqueueOutbox(queues, missing);
  return missing.length;
}

export function startRelay(rt: Runtime, queues: Queues, opts: RelayOptions): { stop(): Promise<void> } {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    try {
      const requeued = await reconcileOnce(rt, queues, opts);
      if (requeued) opts.logger.info({ requeued }, 'relay re-queued outbox rows');
      await fireDueTimers(rt.deps, TIMER_HANDLERS);
      if (opts.schedules?.length) await runSchedules(rt.deps, opts.schedules);
      await notifyAlerts(rt.deps, { everyMs: opts.alertEveryMs });
    } catch (err) {
      opts.logger.error({ err }, 'relay pass failed');
    }
    if (running) timer = setTimeout(() => (current = tick()), opts.intervalMs ?? 1000);
  };
  current = tick();
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
