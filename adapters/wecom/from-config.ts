/**
 * Wiring from the validated Config (core/config.ts), for main.ts and the
 * outbound worker: one client, the staff and resident senders, and the
 * callback keys. Null when WeCom is not configured.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import type { ChannelSender } from '../types.js';
import { createWecomClient, type WecomClient, type WecomClientOptions } from './client.js';
import { createWecomKfSender, createWecomSender } from './sender.js';

export interface WecomSetup {
  client: WecomClient;
  /** 'wecom' (staff); null without WECOM_AGENT_ID / WECOM_AGENT_SECRET. WECOM_ROBOT_WEBHOOK_URL is `robot:default`. */
  sender: ChannelSender | null;
  /** 'wecom_kf' (residents); null without WECOM_KF_SECRET. */
  kfSender: ChannelSender | null;
  /** For wecomCallbackRoutes (add path, sink, onKfEvent, logger, client). */
  callbackKeys: { token: string; encodingAESKey: string; corpId: string };
}

export function wecomFromConfig(
  config: Config,
  deps: { redis: Redis; logger: Logger } & Pick<WecomClientOptions, 'quota'>,
): WecomSetup | null {
  const corpId = config.WECOM_CORP_ID;
  if (!corpId || !config.WECOM_TOKEN || !config.WECOM_ENCODING_AES_KEY) return null;
  const agent = config.WECOM_AGENT_ID && config.WECOM_AGENT_SECRET ? { agentId: config.WECOM_AGENT_ID, secret: config.WECOM_AGENT_SECRET } : undefined;
  const kf = config.WECOM_KF_SECRET ? { secret: config.WECOM_KF_SECRET } : undefined;
  const client = createWecomClient({
    apiBase: config.WECOM_API_BASE,
    corpId,
    apps: { agent, kf },
    redis: deps.redis,
    keyPrefix: config.REDIS_PREFIX,
    logger: deps.logger,
    quota: deps.quota,
  });
  return {
    client,
    sender: agent
      ? createWecomSender({ client, logger: deps.logger, robots: config.WECOM_ROBOT_WEBHOOK_URL ? { default: config.WECOM_ROBOT_WEBHOOK_URL } : undefined })
      : null,
    kfSender: kf ? createWecomKfSender({ client, logger: deps.logger }) : null,
    callbackKeys: { token: config.WECOM_TOKEN, encodingAESKey: config.WECOM_ENCODING_AES_KEY, corpId },
  };
}
