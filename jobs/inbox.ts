/**
 * Where every platform message enters the system: stored once (the unique
 * platform + message id makes a redelivery a no-op), encrypted because it
 * holds personal data, with its intake job in the same transaction.
 */
import type { InboundMessage, InboundSink } from '../adapters/types.js';
import { inTx, type WorkflowDeps } from '../core/workflow/context.js';

export function createInboundSink(deps: WorkflowDeps): InboundSink {
  return async (msg: InboundMessage) =>
    inTx(deps, async (w) => {
      const rows = await w.tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "InboundMessage" (id, platform, "messageId", "payloadEnc", status, "receivedAt")
        VALUES (gen_random_uuid(), ${msg.platform}, ${msg.messageId}, ${Buffer.from(deps.sealer.seal(JSON.stringify(msg)))}, 'pending', ${w.now})
        ON CONFLICT (platform, "messageId") DO NOTHING RETURNING id`;
      const id = rows[0]?.id;
      if (!id) return false;
      await w.emit('intake', { inboundId: id }, `in:${id}`);
      return true;
    });
}
