/**
 * What a worker does with each outbox row. Every handler locks its row and
 * marks it done in the same transaction as its effects, so a job that runs
 * twice (Redis loss, a second worker, a retry) does nothing the second time.
 * Sending is the one effect outside Postgres: the Delivery row's state makes a
 * resend of a delivered message impossible except when a process dies between
 * the platform's answer and the commit (at-least-once in that instant).
 */
import type { ChannelSender, InboundMessage, OutboundMessage } from '../core/channel.js';
import { KF_REPLY_WINDOW } from '../adapters/wecom/window.js';
import { msAsTimestamp, Prisma, type Tx } from '../core/db.js';
import { inTx, type FanOut, type WorkflowDeps, type Work } from '../core/workflow/context.js';
import type { Intent } from '../core/workflow/intents.js';
import { recipientsForAll } from '../core/workflow/recipients.js';
import { flagPhoneCallback } from '../core/workflow/reach.js';
import { alertSendFailed, alertUnreached } from './alerts.js';
import { findStaff, prefetchStaff } from '../core/workflow/staff.js';
import { sideBySide } from '../core/workflow/together.js';
import { forgetPreloaded, preloadRendering, renderIntent } from '../bots/render.js';
import { t } from '../bots/texts.js';
import { groupCommit } from '../core/group-commit.js';
import { AppError, SendError } from '../core/errors.js';

export interface Runtime {
  deps: WorkflowDeps;
  senders: Partial<Record<string, ChannelSender>>;
  /** bots/router: one inbound message inside the intake transaction */
  handleInbound: (w: Work, msg: InboundMessage, inboundId: string) => Promise<void>;
  /** most messages one intake transaction takes (`runIntakes`); unset or 1: only its job's own */
  intakeBatch?: number;
  /** counters for /metrics (send failures, 429s) */
  onSendError?: (platform: string, err: unknown) => void;
}

/** WeCom 微信客服 may answer a resident for 48 h after their last message, at most 5 messages (adapters/wecom KF_REPLY_WINDOW). */
export const KF_WINDOW_MS = KF_REPLY_WINDOW.ms;
export const KF_WINDOW_MESSAGES = KF_REPLY_WINDOW.messages;
/** Messages kept in reserve for the answer and the rating reminder. */
const KF_RESERVE = 2;

interface StoredMessage extends Omit<OutboundMessage, 'chatId'> {
  essential?: boolean;
  ackId?: string;
  rollcall?: boolean;
  /** an alert message (jobs/alerts.ts): if it fails, the failure is listed, not alerted again */
  alert?: boolean;
}

async function lockRow(tx: Tx, id: bigint) {
  const rows = await tx.$queryRaw<{ id: bigint; kind: string; payload: Record<string, unknown>; doneAt: Date | null }[]>`
    SELECT id, kind, payload, "doneAt" FROM "Outbox" WHERE id = ${id} FOR UPDATE`;
  return rows[0] && !rows[0].doneAt ? rows[0] : null;
}

async function markDone(tx: Tx, id: bigint, now: Date) {
  await tx.outbox.update({ where: { id }, data: { doneAt: now, lastError: null } });
}

/**
 * Hands the job back to the queue to run again in `ms` (not counted as an
 * attempt); never returns. Given by the queue worker; without it a send waits
 * in place for its chat's budget.
 */
export type Defer = (ms: number) => Promise<never>;

/** A send that would wait longer than this for its chat is deferred instead of holding a worker. */
const DEFER_OVER_MS = 250;

/**
 * Run one outbox row. `kind` is the job's name (queue workers know it); each
 * handler checks in its own first statement that the row is not done yet.
 */
export async function runOutbox(rt: Runtime, id: bigint, defer?: Defer, kind?: string): Promise<void> {
  kind ??= (await rt.deps.db.outbox.findUnique({ where: { id }, select: { kind: true } }))?.kind;
  if (kind === 'intake') return void (await runIntakes(rt, [id]));
  if (kind === 'notify') return runNotify(rt, id);
  if (kind === 'send') return runSend(rt, id, defer);
  if (kind) throw new Error(`unknown outbox kind ${kind}`);
}

/**
 * Intake of stored messages: one transaction for all of them (one commit, one write of their
 * notifications and work), joined by up to `rt.intakeBatch` other messages still waiting, so a
 * backlog is taken in large batches and a lone message at once. If the transaction fails, each
 * message runs again in its own, so a message that cannot be processed never holds back the others;
 * the job fails (and is retried) only for its own messages that failed alone. A message taken from
 * another job that fails alone is marked (`lastError`: never taken into a batch again) and left to
 * its own job. Returns how many messages it finished.
 */
export async function runIntakes(rt: Runtime, ids: bigint[]): Promise<number> {
  const fill = Math.max(0, (rt.intakeBatch ?? 1) - ids.length);
  const taken: bigint[] = [];
  if (ids.length > 1 || fill > 0) {
    try {
      await intakeTx(rt, ids, fill, taken);
      return taken.length;
    } catch (err) {
      // A refused step (AppError: answered to the user) is expected; anything else is worth a warning.
      const refused = err instanceof AppError;
      rt.deps.logger[refused ? 'info' : 'warn']({ err: refused ? { code: err.code } : err, messages: taken.length || ids.length }, 'intake of a batch failed; taking its messages one at a time');
    }
  }
  let failure: unknown;
  let done = 0;
  const own = new Set(ids.map(String));
  for (const id of taken.length ? taken : ids) {
    await intakeTx(rt, [id]).then(
      () => done++,
      async (err: unknown) => {
        if (own.has(String(id))) return void (failure ??= err);
        await rt.deps.db.outbox.updateMany({ where: { id, doneAt: null }, data: { lastError: String((err as Error)?.message ?? err).slice(0, 500) } }).catch(() => undefined);
      },
    );
  }
  if (failure) throw failure;
  return done;
}

async function intakeTx(rt: Runtime, ids: bigint[], fill = 0, taken: bigint[] = []) {
  await inTx(rt.deps, async (w) => {
    // The outbox rows (locked: one worker at a time), up to `fill` others waiting that no worker holds, and
    // their inbound messages, in one statement.
    const rows = await w.tx.$queryRaw<{ id: bigint; inboundId: string | null; status: string | null; payloadEnc: Uint8Array | null }[]>`
      WITH mine AS (
        SELECT id FROM "Outbox" WHERE id = ANY(${ids.map(String)}::bigint[]) AND "doneAt" IS NULL ORDER BY id FOR UPDATE),
      more AS (
        SELECT id FROM "Outbox" WHERE ${fill}::int > 0 AND "doneAt" IS NULL AND kind = 'intake' AND "lastError" IS NULL AND id <> ALL(${ids.map(String)}::bigint[])
         ORDER BY id LIMIT ${fill}::int FOR UPDATE SKIP LOCKED)
      SELECT o.id, i.id AS "inboundId", i.status::text AS status, i."payloadEnc"
        FROM (SELECT id FROM mine UNION ALL SELECT id FROM more) t JOIN "Outbox" o USING (id)
        LEFT JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId'
       ORDER BY o.id`;
    taken.push(...rows.map((r) => r.id));
    if (!rows.length) return;
    const messages = rows.flatMap((row) => {
      if (!row.inboundId || row.status !== 'pending') return [];
      const msg = JSON.parse(rt.deps.sealer.open(row.payloadEnc!)) as InboundMessage;
      msg.receivedAt = new Date(msg.receivedAt);
      return [{ msg, inboundId: row.inboundId }];
    });
    w.batch = messages.length > 1;
    await prefetchStaff(w, messages.map(({ msg }) => msg));
    // Residents writing in their own chats run side by side (their steps share statements: core/workflow/together.ts),
    // each resident's messages in order; everything else (staff, buttons, groups) runs in one lane, in order.
    const lanes = await Promise.all(
      messages.map(async ({ msg }) =>
        w.batch && msg.chatType === 'private' && !msg.action && !(await findStaff(w, { platform: msg.platform, userId: msg.userId })) ? `${msg.platform}:${msg.userId}` : '',
      ),
    );
    await sideBySide(messages, (_, i) => lanes[i]!, ({ msg, inboundId }) => rt.handleInbound(w, msg, inboundId));
    // Any message of a resident (a command, a rating, a button or menu answer, not only a new petition) opens
    // a new reply window on platforms that have one (WeCom 微信客服: 48 h / 5 messages from the message's time):
    // renewed here, in the statement that marks the messages processed, for every message of the batch.
    const senders = messages.filter(({ msg }) => msg.chatType === 'private');
    await w.tx.$executeRaw`
      WITH processed AS (UPDATE "InboundMessage" SET status = 'processed', "processedAt" = ${w.now}
                          WHERE id = ANY(${rows.flatMap((r) => (r.inboundId ? [r.inboundId] : []))}::text[]) AND status = 'pending'),
      said AS (SELECT platform, uid, max(LEAST(${msAsTimestamp('sent_ms')}, ${w.now})) AS at
                 FROM unnest(${senders.map(({ msg }) => msg.platform)}::text[], ${senders.map(({ msg }) => msg.userId)}::text[],
                             ${senders.map(({ msg }) => (Number.isFinite(msg.receivedAt.getTime()) ? msg.receivedAt.getTime() : w.now.getTime()))}::float8[]) AS t(platform, uid, sent_ms) GROUP BY platform, uid),
      renewed AS (UPDATE "Resident" r SET "lastInboundAt" = GREATEST(r."lastInboundAt", s.at), "windowSent" = 0 FROM said s
                   WHERE r.platform = s.platform AND r."platformUserId" = s.uid)
      UPDATE "Outbox" SET "doneAt" = ${w.now}, "lastError" = NULL WHERE id = ANY(${rows.map((r) => String(r.id))}::bigint[])`;
  });
}

/** A notify row left from before notifications were fanned out in their own transaction. */
async function runNotify(rt: Runtime, id: bigint) {
  await inTx(rt.deps, async (w) => {
    const row = await lockRow(w.tx, id);
    if (!row) return;
    await fanOut(w, [{ intent: row.payload as unknown as Intent, notifyId: id }]);
    await markDone(w.tx, id, w.now);
  });
}

/**
 * Each intent → one Delivery per recipient chat, and its `send` work, inside the
 * transaction that notifies (core/workflow/context.ts), so what a message says is
 * rendered from the state that transaction committed. All the deliveries of the
 * transaction are written by one statement.
 */
export const fanOut: FanOut = async (w, notes) => {
  const rows: { key: string; platform: string; chatId: string; petitionId?: string; assignmentId?: string; whistleId?: string; message: StoredMessage }[] = [];
  const intents = notes.map((x) => x.intent);
  const recipients = await recipientsForAll(w.tx, intents);
  const ctx = { tx: w.tx, timeZone: w.deps.timeZone, client: w.deps.db };
  await preloadRendering(ctx, intents);
  try {
    for (const [i, { intent, notifyId }] of notes.entries()) {
      for (const r of recipients[i]!) {
        const rendered = await renderIntent(ctx, intent, r, w.now);
        if (!rendered) continue;
        // A direct reply keeps the account it was written from (a 微信客服 open_kfid) when the recipient names none.
        const message: StoredMessage = { ...rendered.message, essential: rendered.essential, channelAccount: r.channelAccount ?? rendered.message.channelAccount ?? undefined };
        if (intent.t === 'ack') message.ackId = intent.ackId;
        if (intent.t === 'area' && intent.note === 'alerts') message.alert = true;
        if (intent.t === 'rollcall') {
          // A live roll-call: edit the message the chat already has.
          message.rollcall = true;
          const previous = await w.tx.delivery.findFirst({
            where: { whistleId: intent.whistleId, platform: r.platform, chatId: r.chatId, sentMessageId: { not: null }, message: { path: ['rollcall'], equals: true } },
            orderBy: { createdAt: 'desc' },
          });
          if (previous?.sentMessageId) message.editMessageId = previous.sentMessageId;
        }
        const { petitionId, assignmentId, whistleId } = rendered;
        rows.push({ key: `n${notifyId}:${r.platform}:${r.chatId}`, platform: r.platform, chatId: r.chatId, petitionId, assignmentId, whistleId, message });
      }
    }
  } finally {
    forgetPreloaded(ctx);
  }
  await alertUnreached(w, notes, recipients);
  if (!rows.length) return;
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((d) => d[k] ?? null);
  const stored = await w.tx.$queryRaw<{ id: string; key: string; platform: string; chatId: string }[]>`
    INSERT INTO "Delivery" (id, key, platform, "chatId", "petitionId", "assignmentId", "whistleId", message, status, attempts, "createdAt")
    SELECT gen_random_uuid(), k, pl, c, p, a, wh, m::jsonb, 'pending', 0, ${w.now}
      FROM unnest(${col('key')}::text[], ${col('platform')}::text[], ${col('chatId')}::text[], ${col('petitionId')}::text[], ${col('assignmentId')}::text[],
                  ${col('whistleId')}::text[], ${rows.map((d) => JSON.stringify(d.message))}::text[]) WITH ORDINALITY AS t(k, pl, c, p, a, wh, m, n)
     ORDER BY n
    ON CONFLICT (key) DO NOTHING RETURNING id, key, platform, "chatId"`;
  // Sends in the order the messages were decided (one chat's messages leave in that order).
  const order = new Map(rows.map((d, i) => [d.key, i]));
  stored.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  for (const d of stored) await w.emit('send', { deliveryId: d.id }, `send:${d.id}`, `${d.platform}:${d.chatId}`);
};

/**
 * How long one worker owns a delivery while sending it. Nothing waits in-process for long inside it:
 * adapters make one attempt (their budget waits are bounded at a small part of this), and a send
 * that must wait longer (a 429's retry_after, a WeCom ban) releases the lease and waits in the queue.
 */
export const SEND_LEASE_MS = 120_000;

/**
 * The send policy, in one place: platform attempts per delivery (its `attempts` column, counted at
 * each claim, so it holds across the inline send, the queue's jobs, a relay re-queue and other
 * processes) before a transient failure is recorded as failed for good.
 */
export const SEND_MAX_ATTEMPTS = 10;

/** Wait before the next attempt when the platform did not say: 2 s, 4 s, 8 s … at most 5 min (about 13 min over all attempts), with jitter upwards. */
export function sendRetryDelayMs(attempts: number, retryAfterMs?: number): number {
  const base = retryAfterMs ?? Math.min(300_000, 1000 * 2 ** Math.max(1, attempts));
  return base + Math.floor(Math.random() * Math.min(1000, base * 0.1 + 200));
}

/** The platform accepted a message whose record could not be written within the lease: never release it. */
class SentNotRecorded extends Error {
  constructor(override readonly cause: unknown) {
    super(`sent but not recorded: ${String((cause as Error)?.message ?? cause).slice(0, 200)}`);
  }
}

interface ClaimedDelivery {
  id: string;
  platform: string;
  chatId: string;
  petitionId: string | null;
  message: StoredMessage;
  /** platform attempts so far, this one included */
  attempts: number;
}

/** What a send writes when it ends: its delivery (if it has one), its outbox row done, and what rides along. */
interface SendRecord {
  outboxId: bigint;
  deliveryId: string | null;
  status?: string;
  error?: string;
  sentAt?: Date;
  sentMessageId?: string;
  /** the outbox row's lastError */
  lastError?: string;
  /** a 微信客服 message sent: counts against the resident's window */
  kfChat?: string;
  /** the group became a supergroup: its bindings follow it */
  migrated?: { platform: string; from: string; to: string };
}

/**
 * Claims and records of sends that run at the same time (all the sends of one commit do) are written
 * together: one statement each instead of one per send. Per WorkflowDeps, so per database and clock.
 */
const sendStatements = new WeakMap<WorkflowDeps, { claim: (id: bigint) => Promise<ClaimedDelivery | undefined>; record: (r: SendRecord) => Promise<void> }>();

function sendStatementsOf(deps: WorkflowDeps) {
  let s = sendStatements.get(deps);
  if (s) return s;
  const { db, clock } = deps;
  const ms = (d: Date | undefined) => (d ? d.getTime() : null);
  s = {
    // Claim the deliveries of rows not yet done: exactly one worker sends each; a dead worker's lease runs out.
    // The same row twice in one flush (a job and an inline run) is claimed once.
    claim: groupCommit(async (ids: bigint[]) => {
      const now = clock.now();
      const unique = [...new Set(ids.map(String))];
      const rows = await db.$queryRaw<(ClaimedDelivery & { outboxId: string })[]>`
        UPDATE "Delivery" d SET status = 'sending', "leaseUntil" = ${new Date(now.getTime() + SEND_LEASE_MS)}, attempts = d.attempts + 1
          FROM "Outbox" o
         WHERE o.id = ANY(${unique}::bigint[]) AND o."doneAt" IS NULL AND d.id = o.payload->>'deliveryId'
           AND (d.status = 'pending' OR (d.status = 'sending' AND d."leaseUntil" < ${now}))
        RETURNING o.id::text AS "outboxId", d.id, d.platform, d."chatId", d."petitionId", d.message, d.attempts`;
      const byId = new Map(rows.map(({ outboxId, ...d }) => [outboxId, d]));
      return ids.map((id) => {
        const d = byId.get(String(id));
        byId.delete(String(id));
        return d;
      });
    }),
    // Only the lease holder writes a delivery, so no row lock is needed.
    record: groupCommit(async (records: SendRecord[]) => {
      const col = <T>(f: (r: SendRecord) => T) => records.map((r) => f(r) ?? null);
      // What rides along, only when some record carries it (the statement stays small for the common case).
      const kf = records.some((r) => r.kfChat)
        ? Prisma.sql`,
        kf AS (
          UPDATE "Resident" r SET "windowSent" = r."windowSent" + k.n
            FROM (SELECT kf_chat, count(*)::int AS n FROM f WHERE kf_chat IS NOT NULL GROUP BY kf_chat) k
           WHERE r.platform = 'wecom_kf' AND r."chatId" = k.kf_chat)`
        : Prisma.empty;
      const migrated = records.some((r) => r.migrated)
        ? Prisma.sql`,
        migrated AS (
          UPDATE "ChatBinding" b SET "chatId" = f.m_to FROM f WHERE f.m_to IS NOT NULL AND b.platform = f.m_platform AND b."chatId" = f.m_from)`
        : Prisma.empty;
      await db.$executeRaw`
        WITH f AS (
          SELECT * FROM unnest(${col((r) => String(r.outboxId))}::bigint[], ${col((r) => r.deliveryId)}::text[], ${col((r) => r.status)}::text[],
                               ${col((r) => r.error)}::text[], ${col((r) => ms(r.sentAt))}::float8[], ${col((r) => r.sentMessageId)}::text[],
                               ${col((r) => r.lastError)}::text[], ${col((r) => r.kfChat)}::text[], ${col((r) => r.migrated?.platform)}::text[],
                               ${col((r) => r.migrated?.from)}::text[], ${col((r) => r.migrated?.to)}::text[])
                 AS t(outbox_id, delivery_id, status, error, sent_ms, sent_message_id, last_error, kf_chat, m_platform, m_from, m_to)),
        d AS (
          UPDATE "Delivery" d SET status = COALESCE(f.status, d.status), error = COALESCE(f.error, d.error),
                 "sentAt" = COALESCE(${msAsTimestamp('f.sent_ms')}, d."sentAt"),
                 "sentMessageId" = COALESCE(f.sent_message_id, d."sentMessageId"), "leaseUntil" = NULL
            FROM f WHERE d.id = f.delivery_id)${kf}${migrated}
        UPDATE "Outbox" o SET "doneAt" = ${clock.now()}, "lastError" = f.last_error FROM f WHERE o.id = f.outbox_id AND o."doneAt" IS NULL`;
      return records.map(() => undefined);
    }),
  };
  sendStatements.set(deps, s);
  return s;
}

async function runSend(rt: Runtime, id: bigint, defer?: Defer) {
  const { db } = rt.deps;
  const now = rt.deps.clock.now();
  const statements = sendStatementsOf(rt.deps);
  const delivery = await statements.claim(id);
  // What this process may spend on the delivery before its lease runs out (real time: the lease is
  // written with the injected clock, but the wait for Postgres is real).
  const leaseEnds = Date.now() + SEND_LEASE_MS;
  const finish = (data: Omit<SendRecord, 'outboxId' | 'deliveryId'>) => statements.record({ outboxId: id, deliveryId: delivery?.id ?? null, ...data });
  if (!delivery) {
    const [current] = await db.$queryRaw<{ status: string | null; doneAt: Date | null }[]>`
      SELECT d.status, o."doneAt" FROM "Outbox" o LEFT JOIN "Delivery" d ON d.id = o.payload->>'deliveryId' WHERE o.id = ${id}`;
    if (!current || current.doneAt) return;
    if (current.status === 'sending' || current.status === 'pending') throw new Error('delivery is being sent by another worker; retry later');
    return finish({});
  }
  const sender = rt.senders[delivery.platform];
  if (!sender) {
    rt.deps.logger.warn({ platform: delivery.platform }, 'no sender configured for platform; delivery dropped');
    await alertSendFailed(rt, delivery, 'no sender for platform');
    return finish({ status: 'failed', error: 'no sender for platform', lastError: 'no sender' });
  }
  const message = delivery.message;

  if (message.ackId) {
    try {
      await sender.answerAction?.(message.ackId, message.text || undefined);
    } catch (err) {
      // A press answered twice or too late: nothing a retry changes.
      if (!(err instanceof SendError && err.permanent)) throw err;
      return finish({ status: 'failed', error: err.message.slice(0, 500) });
    }
    return finish({ status: 'sent', sentAt: now });
  }

  if (delivery.platform === 'wecom_kf') {
    const verdict = await kfBudget(rt, delivery.chatId, message, now);
    if (verdict !== 'ok') {
      if (verdict === 'closed' && delivery.petitionId) await flagCallback(rt, delivery.petitionId);
      return finish({ status: verdict === 'closed' ? 'undeliverable' : 'dropped' });
    }
  }

  // A chat out of budget (1 a second, 20 a minute in a group) would hold this worker while
  // every other chat's messages and button answers queue behind it: hand the job back instead
  // (not a platform attempt: the claim's count is taken back).
  const readyIn = defer && sender.readyIn ? await sender.readyIn(delivery.chatId) : 0;
  if (defer && readyIn > DEFER_OVER_MS) {
    await db.delivery.update({ where: { id: delivery.id }, data: { status: 'pending', leaseUntil: null, attempts: { decrement: 1 } } });
    return defer(readyIn + Math.floor(Math.random() * 200));
  }

  let sent = false;
  try {
    // Evidence (files, a pin) cannot be summed up in a digest line: such a message always goes as itself.
    if (sender.remainingBudget && delivery.chatId.startsWith('-') && !message.attachments?.length && (await sendDigest(rt, sender, delivery, id, leaseEnds))) return;
    const { essential: _e, ackId: _a, rollcall: _r, revealPhoneOf, ...out } = message;
    if (revealPhoneOf) out.text = await revealPhone(rt, revealPhoneOf, out.text);
    if (out.photo && typeof out.photo.png === 'string') out.photo = { ...out.photo, png: Buffer.from(out.photo.png, 'base64') };
    const result = await sender.send({ ...out, chatId: delivery.chatId });
    sent = true;
    const sentAt = rt.deps.clock.now();
    // The platform has the message: record that, retrying while Postgres is unreachable. Releasing the lease
    // instead would send it again (found by the chaos suite's Postgres restart).
    await untilRecorded(
      () =>
        finish({
          status: 'sent',
          sentAt,
          sentMessageId: result.messageId,
          kfChat: delivery.platform === 'wecom_kf' ? delivery.chatId : undefined,
          migrated: result.migratedToChatId ? { platform: delivery.platform, from: delivery.chatId, to: result.migratedToChatId } : undefined,
        }),
      leaseEnds,
    );
  } catch (err) {
    // Sent but not recorded within the lease: keep the lease; only after it runs out may a retry send again.
    if (sent || err instanceof SentNotRecorded) throw err;
    rt.onSendError?.(delivery.platform, err);
    const reason = String((err as Error)?.message ?? err).slice(0, 500);
    const spent = err instanceof SendError && !err.permanent && delivery.attempts >= SEND_MAX_ATTEMPTS;
    if ((err instanceof SendError && err.permanent) || spent) {
      const error = spent ? `gave up after ${delivery.attempts} attempts: ${reason}`.slice(0, 500) : reason;
      rt.deps.logger.warn({ err, platform: delivery.platform, attempts: delivery.attempts }, spent ? 'send failed for good after its attempts' : 'permanent send failure');
      await alertSendFailed(rt, delivery, err instanceof SendError ? err.reason : reason);
      return finish({ status: 'failed', error, lastError: error });
    }
    // Release the lease so the retry (or another worker) can send it.
    await db.delivery.update({ where: { id: delivery.id }, data: { status: 'pending', leaseUntil: null, error: reason } });
    // A platform that failed this once (or asked to wait): the one retry is the queue's, after the wait.
    if (defer && err instanceof SendError) return defer(sendRetryDelayMs(delivery.attempts, err.retryAfterMs));
    throw err;
  }
}

/** Margin kept between the last try to record a send and the end of its lease. */
const RECORD_MARGIN_MS = 10_000;

/** Run `write` until it succeeds, while the lease lasts (real time `leaseEnds`, less a margin). */
async function untilRecorded(write: () => Promise<unknown>, leaseEnds: number): Promise<void> {
  const until = leaseEnds - RECORD_MARGIN_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
    try {
      await write();
      return;
    } catch (err) {
      if (Date.now() + wait > until) throw new SentNotRecorded(err);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * A group with more waiting than its budget allows gets one digest message
 * instead of a flood (Telegram: 20 messages a minute per group). The waiting
 * deliveries are claimed first, so two workers never digest the same ones.
 * Once the platform has the digest, every card in it is sent: its record is
 * retried while the lease lasts, exactly like a single send's.
 */
async function sendDigest(rt: Runtime, sender: ChannelSender, first: ClaimedDelivery, outboxId: bigint, leaseEnds: number): Promise<boolean> {
  const { db } = rt.deps;
  const now = rt.deps.clock.now();
  const [waiting, inFlight] = await Promise.all([
    db.delivery.count({ where: { platform: first.platform, chatId: first.chatId, status: 'pending' } }),
    // Claimed by other workers and waiting for this chat's turn: each will take a slot of the budget first.
    db.delivery.count({ where: { platform: first.platform, chatId: first.chatId, status: 'sending', id: { not: first.id }, leaseUntil: { gt: now } } }),
  ]);
  // Send alone only while the budget covers everything ahead plus one spare slot, so a digest
  // never has to wait for the next window behind single messages.
  if (waiting === 0 || inFlight + waiting + 1 < (await sender.remainingBudget!(first.chatId))) return false;
  const others = await db.$queryRaw<ClaimedDelivery[]>`
    UPDATE "Delivery" SET status = 'sending', "leaseUntil" = ${new Date(now.getTime() + SEND_LEASE_MS)}
    WHERE id IN (SELECT id FROM "Delivery" WHERE platform = ${first.platform} AND "chatId" = ${first.chatId} AND status = 'pending' AND NOT (message ? 'attachments')
                 ORDER BY "createdAt" LIMIT 49 FOR UPDATE SKIP LOCKED)
    RETURNING id, platform, "chatId", "petitionId", message, attempts`;
  const batch = [first, ...others];
  const lines = batch.map((d) => `• ${d.message.text.split('\n')[0]!.slice(0, 80)}`);
  const text = [t('digestHeader', 'zh'), ...lines, t('digestFooter', 'zh')].join('\n').slice(0, 4000);
  let result;
  try {
    result = await sender.send({ chatId: first.chatId, text });
  } catch (err) {
    await db.delivery.updateMany({ where: { id: { in: others.map((d) => d.id) } }, data: { status: 'pending', leaseUntil: null } });
    throw err;
  }
  const ids = batch.map((d) => d.id);
  // The platform has every card of the digest: record that, retrying while Postgres is unreachable; releasing
  // the leases instead would send each card again on its own once they ran out.
  await untilRecorded(
    () =>
      inTx(rt.deps, async (w) => {
        await w.tx.delivery.updateMany({ where: { id: { in: ids } }, data: { status: 'digested', sentAt: w.now, sentMessageId: result.messageId, leaseUntil: null } });
        await w.tx.$executeRaw`UPDATE "Outbox" SET "doneAt" = ${w.now} WHERE kind = 'send' AND "doneAt" IS NULL AND (id = ${outboxId} OR payload->>'deliveryId' = ANY(${ids}))`;
      }),
    leaseEnds,
  );
  rt.deps.logger.info({ platform: first.platform, digested: ids.length }, 'sent a digest instead of a flood');
  return true;
}

async function revealPhone(rt: Runtime, residentId: string, text: string): Promise<string> {
  const r = await rt.deps.db.resident.findUnique({ where: { id: residentId }, select: { phoneEnc: true } });
  return text.replace('{phone}', r?.phoneEnc ? rt.deps.sealer.open(r.phoneEnc) : '-');
}

async function kfBudget(rt: Runtime, chatId: string, message: StoredMessage, now: Date): Promise<'ok' | 'closed' | 'skip'> {
  const resident = await rt.deps.db.resident.findFirst({ where: { platform: 'wecom_kf', chatId } });
  if (!resident?.lastInboundAt) return 'closed';
  const open = now.getTime() - resident.lastInboundAt.getTime() < KF_WINDOW_MS;
  if (!open || resident.windowSent >= KF_WINDOW_MESSAGES) return message.essential ? 'closed' : 'skip';
  if (!message.essential && resident.windowSent >= KF_WINDOW_MESSAGES - KF_RESERVE) return 'skip';
  return 'ok';
}

/** The resident cannot be messaged any more: a person must call them back. */
async function flagCallback(rt: Runtime, petitionId: string) {
  await inTx(rt.deps, async (w) => {
    const p = await w.tx.petition.findUnique({ where: { id: petitionId }, select: { id: true, streetCode: true, districtCode: true } });
    if (p) await flagPhoneCallback(w, p, { late: true });
  });
}
