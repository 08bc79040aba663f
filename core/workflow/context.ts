/**
 * What every workflow step needs, passed in (no module-level state), and the
 * transaction wrapper that makes "state change + the work it causes" atomic:
 * each `emit` writes an Outbox row in the same transaction; after commit the
 * new rows are handed to the queue at once (the relay is the safety net).
 */
import type { PrismaClient, Tx } from '../db.js';
import type { Logger } from '../log.js';
import type { Sealer } from '../crypto.js';
import type { Intent } from './intents.js';
import type { Policy } from './policy.js';
import type { Understand, Locate } from './understanding-port.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** An outbox row as the queue sees it: ids only, never personal data. */
export interface OutboxRef {
  id: bigint;
  kind: OutboxKind;
}

/**
 * intake: process one stored inbound message;
 * notify: turn an intent into deliveries for its recipients;
 * send: deliver one rendered message to one chat.
 */
export type OutboxKind = 'intake' | 'notify' | 'send';

export interface WorkflowDeps {
  db: PrismaClient;
  sealer: Sealer;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  timeZone: string;
  understand: Understand;
  locate?: Locate;
  /** Fast path after commit; the relay re-sends anything this misses. */
  enqueue?: (rows: OutboxRef[]) => Promise<void>;
}

export interface Work {
  tx: Tx;
  deps: WorkflowDeps;
  now: Date;
  /** Queue a notification intent; the key makes the same effect impossible to queue twice. */
  notify(intent: Intent, key: string): Promise<void>;
  /** Queue raw outbox work (used by intake and the notify fan-out). */
  emit(kind: OutboxKind, payload: object, key: string): Promise<void>;
}

const TX_TIMEOUT_MS = 15_000;

export async function inTx<T>(deps: WorkflowDeps, fn: (w: Work) => Promise<T>, now = deps.clock.now()): Promise<T> {
  const emitted: OutboxRef[] = [];
  const result = await deps.db.$transaction(
    async (tx) => {
      const emit = async (kind: OutboxKind, payload: object, key: string) => {
        const rows = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt")
          VALUES (${kind}, ${JSON.stringify(payload)}::jsonb, ${key}, ${now}, ${now})
          ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id`;
        if (rows[0]) emitted.push({ id: rows[0].id, kind });
      };
      return fn({ tx, deps, now, emit, notify: (intent, key) => emit('notify', intent, `n:${key}`) });
    },
    { timeout: TX_TIMEOUT_MS, maxWait: TX_TIMEOUT_MS },
  );
  if (emitted.length && deps.enqueue) {
    await deps.enqueue(emitted).catch((err: unknown) => deps.logger.warn({ err }, 'fast enqueue failed; the relay will retry'));
  }
  return result;
}
