/**
 * Where every platform message enters the system: stored once (the unique
 * platform + message id makes a redelivery a no-op), encrypted because it
 * holds personal data, with its intake work. The platform is answered as soon
 * as that commits: queueing the intake is the fast path and is not waited for
 * (the relay queues whatever it misses).
 *
 * Group commit: messages that arrive while two stores are in flight are
 * stored together by the next one, in one statement, and their intake goes to the
 * queue as jobs of up to `intakeBatch` messages (one transaction each, see
 * jobs/handlers.ts `runIntakes`). A lone message is stored at once, as before.
 */
import { randomUUID } from 'node:crypto';
import type { InboundMessage, InboundSink } from '../core/channel.js';
import { groupCommit } from '../core/group-commit.js';
import { handOver, type OutboxRef, type WorkflowDeps } from '../core/workflow/context.js';

export interface SinkOptions {
  /** most messages one intake job (one transaction) takes; 1 when each understanding may be slow (an LLM) */
  intakeBatch?: number;
}

/** Control characters Postgres refuses (NUL) or that only garble text; tab, newline and carriage return stay. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function cleanString(s: string): string {
  // A lone surrogate cannot be encoded as UTF-8: it becomes U+FFFD, as a UTF-8 decoder would show it.
  return s.replace(CONTROLS, '').replace(LONE_SURROGATE, '\ufffd');
}

function clean(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return cleanString(v);
  if (depth > 4 || v === null || typeof v !== 'object' || v instanceof Date || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map((x) => clean(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x, depth + 1)]));
}

/**
 * Every string of a message as Postgres can store it: a NUL (`invalid byte sequence 0x00`) or a lone
 * surrogate from any platform would otherwise fail its intake at every retry, and the resident would
 * never hear back. Ids are cleaned the same way every time, so a redelivery still finds its row.
 */
export function sanitizeInbound(msg: InboundMessage): InboundMessage {
  return clean(msg, 0) as InboundMessage;
}

export function createInboundSink(deps: WorkflowDeps, opts: SinkOptions = {}): InboundSink {
  const intakeBatch = Math.max(1, opts.intakeBatch ?? 32);
  const store = groupCommit(async (group: InboundMessage[]): Promise<boolean[]> => {
    const now = deps.clock.now();
    // One row per platform message: a redelivery inside the same group is answered like one after it.
    const keyOf = (m: { platform: string; messageId: string }) => `${m.platform}\u0000${m.messageId}`;
    const firsts = new Map<string, number>();
    group.forEach((m, i) => firsts.has(keyOf(m)) || firsts.set(keyOf(m), i));
    const unique = [...firsts.values()].map((i) => group[i]!);
    const chunks = unique.map((_, i) => (intakeBatch > 1 && unique.length > 1 ? `${i - (i % intakeBatch)}` : null));
    const groupId = randomUUID();
    const rows = await deps.db.$queryRaw<(OutboxRef & { platform: string; messageId: string })[]>`
      WITH input AS (
        SELECT * FROM unnest(${unique.map((m) => m.platform)}::text[], ${unique.map((m) => m.messageId)}::text[],
                             ${unique.map((m) => Buffer.from(deps.sealer.seal(JSON.stringify(m))).toString('base64'))}::text[],
                             ${chunks}::text[]) WITH ORDINALITY AS t(platform, "messageId", enc, chunk, n)),
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
    void handOver(
      deps,
      rows.map((r) => ({ id: r.id, kind: r.kind, batch: r.batch ?? undefined })),
    );
    const fresh = new Set(rows.map((r) => keyOf(r)));
    return group.map((m, i) => firsts.get(keyOf(m)) === i && fresh.has(keyOf(m)));
  }, 2);
  return (msg) => store(sanitizeInbound(msg));
}
