/**
 * What every workflow step needs, passed in (no module-level state), and the
 * transaction wrapper that makes "state change + the work it causes" atomic.
 *
 * Inside `inTx`, `emit` and `notify` only collect. Before commit, each
 * notification intent is recorded as a done `notify` Outbox row (its key makes
 * the same effect impossible twice) and fanned out at once into Delivery rows
 * and `send` work, in the same transaction; then all collected work is written
 * as Outbox rows in one statement. After commit the new rows are handed to
 * `afterCommit` (queue or run them; the relay is the safety net).
 */
import type { PrismaClient, Tx } from '../db.js';
import type { Logger } from '../log.js';
import type { Sealer } from '../crypto.js';
import type { Intent } from './intents.js';
import type { Policy } from './policy.js';
import type { Understand, Locate } from './understanding-port.js';
import type { ReplyWindow } from './reach.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** An outbox row as the queue sees it: ids only, never personal data. */
export interface OutboxRef {
  id: bigint;
  kind: OutboxKind;
  /** intake rows stored together (jobs/inbox.ts) are queued as one job */
  batch?: string;
  /** sends: the chat they go to (`platform:chatId`); sends to one chat leave in order, one at a time */
  lane?: string;
}

/**
 * intake: process one stored inbound message;
 * notify: turn an intent into deliveries for its recipients (done in the transaction that notifies);
 * send: deliver one rendered message to one chat.
 */
export type OutboxKind = 'intake' | 'notify' | 'send';

/** Turns notification intents, in order, into Delivery rows and `send` work (jobs/handlers.ts `fanOut`). */
export type FanOut = (w: Work, notes: { intent: Intent; notifyId: bigint }[]) => Promise<void>;

export interface WorkflowDeps {
  db: PrismaClient;
  sealer: Sealer;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  timeZone: string;
  understand: Understand;
  locate?: Locate;
  fanOut: FanOut;
  /** Platforms that allow replies only for a while after the resident's last message (from the adapters, by app.ts). */
  replyWindows?: Partial<Record<string, ReplyWindow>>;
  /** Fast path after commit (queue the rows or run them); the relay re-runs anything this misses. */
  afterCommit?: (rows: OutboxRef[]) => Promise<void>;
}

export interface Work {
  tx: Tx;
  deps: WorkflowDeps;
  now: Date;
  /** Notify recipients of an intent; the key makes the same effect impossible to notify twice. */
  notify(intent: Intent, key: string): Promise<void>;
  /** Queue raw outbox work (intake, and the sends of a fan-out, with their chat as `lane`). */
  emit(kind: OutboxKind, payload: object, key: string, lane?: string): Promise<void>;
  /**
   * Several inbound messages share this transaction (jobs/handlers.ts `runIntakes`). Their steps run
   * without savepoints: a refused step fails the transaction and each message runs again alone.
   */
  batch: boolean;
  /** Where the collected work stands (see `rollbackTo`). */
  mark(): number[];
  /** Forget work collected after `mark`: its savepoint was rolled back. */
  rollbackTo(mark: number[]): void;
}

const TX_TIMEOUT_MS = 15_000;

interface Pending {
  kind: OutboxKind;
  payload: object;
  key: string;
  lane?: string;
}

export async function inTx<T>(deps: WorkflowDeps, fn: (w: Work) => Promise<T>, now = deps.clock.now()): Promise<T> {
  let written: OutboxRef[] = [];
  const result = await deps.db.$transaction(
    async (tx) => {
      const work: Pending[] = [];
      const intents: { intent: Intent; key: string }[] = [];
      const w: Work = {
        tx,
        deps,
        now,
        batch: false,
        emit: async (kind, payload, key, lane) => void work.push({ kind, payload, key, lane }),
        notify: async (intent, key) => void intents.push({ intent, key: `n:${key}` }),
        mark: () => [work.length, intents.length],
        rollbackTo: ([works, notes]) => {
          work.length = works!;
          intents.length = notes!;
        },
      };
      const out = await fn(w);
      if (intents.length) {
        // One done notify row per key not used before (first wins), then the fan-out of each, in order.
        const byKey = new Map<string, Intent>();
        for (const { intent, key } of intents) if (!byKey.has(key)) byKey.set(key, intent);
        const fresh = await tx.$queryRaw<{ id: bigint; dedupeKey: string }[]>`
          INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt", "doneAt")
          SELECT 'notify', p::jsonb, d, ${now}, ${now}, ${now}
          FROM unnest(${[...byKey.values()].map((i) => JSON.stringify(i))}::text[], ${[...byKey.keys()]}::text[]) WITH ORDINALITY AS t(p, d, n) ORDER BY n
          ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id, "dedupeKey"`;
        fresh.sort((a, b) => (a.id < b.id ? -1 : 1));
        await deps.fanOut(w, fresh.map((row) => ({ intent: byKey.get(row.dedupeKey)!, notifyId: row.id })));
      }
      written = await writeOutbox(tx, work, now);
      return out;
    },
    { timeout: TX_TIMEOUT_MS, maxWait: TX_TIMEOUT_MS },
  );
  await handOver(deps, written);
  return result;
}

/** Committed outbox rows to the fast path; a failure is only logged (the relay re-runs them). */
export async function handOver(deps: WorkflowDeps, rows: OutboxRef[]): Promise<void> {
  if (!rows.length || !deps.afterCommit) return;
  await deps.afterCommit(rows).catch((err: unknown) => deps.logger.warn({ err }, 'fast path after commit failed; the relay will retry'));
}

/** All collected work in one statement; a key already used (or repeated) is written once. */
async function writeOutbox(tx: Tx, work: Pending[], now: Date): Promise<OutboxRef[]> {
  const keys = new Set<string>();
  const unique = work.filter((p) => !keys.has(p.key) && !!keys.add(p.key));
  if (!unique.length) return [];
  const rows = await tx.$queryRaw<(OutboxRef & { dedupeKey: string })[]>`
    INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt")
    SELECT k, p::jsonb, d, ${now}, ${now}
    FROM unnest(${unique.map((p) => p.kind)}::text[], ${unique.map((p) => JSON.stringify(p.payload))}::text[], ${unique.map((p) => p.key)}::text[]) AS t(k, p, d)
    ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id, kind, "dedupeKey"`;
  const lanes = new Map(unique.map((p) => [p.key, p.lane]));
  return rows.map(({ id, kind, dedupeKey }) => ({ id, kind, lane: lanes.get(dedupeKey) }));
}
