/** Shared pieces of the WeCom tests: local server, client on a per-file Redis prefix, a deduplicating sink. */
import { createLogger } from '../../../core/log.js';
import { createWecomClient, type WecomClient, type WecomClientOptions } from '../../../adapters/wecom/client.js';
import type { InboundMessage, InboundSink } from '../../../core/channel.js';
import type { TestRedis } from '../../helpers/redis.js';
import type { WecomServer } from '../../peers/wecom-server.js';

export const silentLogger = createLogger({ level: 'silent' });

export function clientFor(server: WecomServer, r: TestRedis, extra: Partial<WecomClientOptions> = {}): WecomClient {
  return createWecomClient({
    apiBase: server.url,
    corpId: server.corpId,
    apps: { agent: { agentId: server.agentId, secret: server.agentSecret }, kf: { secret: server.kfSecret } },
    redis: r.redis,
    keyPrefix: r.prefix,
    logger: silentLogger,
    quota: { maxWaitMs: 100 },
    ...extra,
  });
}

/** The sink contract: durable once per (platform, messageId); false for a redelivery. */
export function memorySink(opts: { failOn?: (m: InboundMessage) => boolean } = {}) {
  const stored = new Map<string, InboundMessage>();
  const calls: InboundMessage[] = [];
  const sink: InboundSink = async (m) => {
    calls.push(m);
    if (opts.failOn?.(m)) throw new Error('sink crashed');
    const key = `${m.platform}|${m.messageId}`;
    if (stored.has(key)) return false;
    stored.set(key, m);
    return true;
  };
  return { sink, stored, calls, messages: () => [...stored.values()] };
}
