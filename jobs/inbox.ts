/**
 * Where every platform message enters the system: stored once (the unique
 * platform + message id makes a redelivery a no-op), encrypted because it
 * holds personal data, with its intake work, in one statement. The platform is
 * answered as soon as that statement commits: queueing the intake is the fast
 * path and is not waited for (the relay queues whatever it misses).
 */
import type { InboundMessage, InboundSink } from '../adapters/types.js';
import { handOver, type OutboxRef, type WorkflowDeps } from '../core/workflow/context.js';

export function createInboundSink(deps: WorkflowDeps): InboundSink {
  return async (msg: InboundMessage) => {
    const now = deps.clock.now();
    const rows = await deps.db.$queryRaw<OutboxRef[]>`
      WITH stored AS (
        INSERT INTO "InboundMessage" (id, platform, "messageId", "payloadEnc", status, "receivedAt")
        VALUES (gen_random_uuid(), ${msg.platform}, ${msg.messageId}, ${Buffer.from(deps.sealer.seal(JSON.stringify(msg)))}, 'pending', ${now})
        ON CONFLICT (platform, "messageId") DO NOTHING RETURNING id)
      INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt")
      SELECT 'intake', jsonb_build_object('inboundId', id), 'in:' || id, ${now}, ${now} FROM stored
      RETURNING id, kind`;
    void handOver(deps, rows);
    return rows.length > 0;
  };
}
