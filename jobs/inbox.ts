/**
 * Where every platform message enters the system: stored once (the unique
 * platform + message id makes a redelivery a no-op), encrypted because it
 * holds personal data, with its intake work. The platform is answered as soon
 * as that commits: queueing the intake is the fast path and is not waited for
 * (the relay queues whatever it misses).
 *
 * Group commit: messages that arrive while a store is in flight are stored
 * together by the next one, in one statement, and their intake goes to the
 * queue as jobs of up to `intakeBatch` messages (one transaction each, see
 * jobs/handlers.ts `runIntakes`). A lone message is stored at once, as before.
 */
import { randomUUID } from 'node:crypto';
import type { InboundMessage, InboundSink } from '../adapters/types.js';
import { handOver, type OutboxRef, type WorkflowDeps } from '../core/workflow/context.js';

export interface SinkOptions {
  /** most messages one intake job (one transaction) takes; 1 when each understanding may be slow (an LLM) */
  intakeBatch?: number;
  /** most messages one store statement takes */
  maxStore?: number;
}

interface Waiting {
  msg: InboundMessage;
  resolve: (stored: boolean) => void;
  reject: (err: unknown) => void;
}

export function createInboundSink(deps: WorkflowDeps, opts: SinkOptions = {}): InboundSink {
  const intakeBatch = Math.max(1, opts.intakeBatch ?? 32);
  const maxStore = Math.max(1, opts.maxStore ?? 256);
  let queue: Waiting[] = [];
  let storing = false;

  async function store(group: Waiting[]) {
    const now = deps.clock.now();
    // One row per platform message: a redelivery inside the same group is answered like one after it.
    const firsts = new Map<string, Waiting>();
    for (const g of group) firsts.set(`${g.msg.platform}\u0000${g.msg.messageId}`, firsts.get(`${g.msg.platform}\u0000${g.msg.messageId}`) ?? g);
    const unique = [...firsts.values()];
    const batches = unique.map((_, i) => (intakeBatch > 1 && unique.length > 1 ? `${i - (i % intakeBatch)}` : null));
    const groupId = randomUUID();
    const rows = await deps.db.$queryRaw<(OutboxRef & { platform: string; messageId: string })[]>`
      WITH input AS (
        SELECT * FROM unnest(${unique.map((g) => g.msg.platform)}::text[], ${unique.map((g) => g.msg.messageId)}::text[],
                             ${unique.map((g) => Buffer.from(deps.sealer.seal(JSON.stringify(g.msg))).toString('base64'))}::text[],
                             ${batches}::text[]) WITH ORDINALITY AS t(platform, "messageId", enc, chunk, n)),
      stored AS (
        INSERT INTO "InboundMessage" (id, platform, "messageId", "payloadEnc", status, "receivedAt")
        SELECT gen_random_uuid(), platform, "messageId", decode(enc, 'base64'), 'pending', ${now} FROM input ORDER BY n
        ON CONFLICT (platform, "messageId") DO NOTHING RETURNING id, platform, "messageId"),
      intake AS (
        INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt")
        SELECT 'intake', jsonb_strip_nulls(jsonb_build_object('inboundId', s.id, 'batch', ${groupId} || '-' || i.chunk)), 'in:' || s.id, ${now}, ${now}
          FROM stored s JOIN input i USING (platform, "messageId")
        RETURNING id, kind, payload->>'inboundId' AS "inboundId", payload->>'batch' AS batch)
      SELECT o.id, o.kind, o.batch, s.platform, s."messageId" FROM intake o JOIN stored s ON s.id = o."inboundId"`;
    const fresh = new Set(rows.map((r) => `${r.platform}\u0000${r.messageId}`));
    for (const g of group) {
      const key = `${g.msg.platform}\u0000${g.msg.messageId}`;
      g.resolve(firsts.get(key) === g && fresh.has(key));
    }
    void handOver(
      deps,
      rows.map((r) => ({ id: r.id, kind: r.kind, batch: r.batch ?? undefined })),
    );
  }

  async function drain() {
    storing = true;
    while (queue.length) {
      const group = queue.slice(0, maxStore);
      queue = queue.slice(group.length);
      await store(group).catch((err: unknown) => group.forEach((g) => g.reject(err)));
    }
    storing = false;
  }

  return (msg: InboundMessage) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ msg, resolve, reject });
      if (!storing) void drain();
    });
}
