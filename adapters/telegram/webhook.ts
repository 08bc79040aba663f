/**
 * Webhook mode: a Fastify route that accepts an update only with the right
 * `X-Telegram-Bot-Api-Secret-Token` (wrong or missing → 401 and the update
 * never reaches the bot or the sink), and answers 200 once the sink has
 * stored it. grammY's webhookCallback does the secret check
 * (constant-time) and the timeout; a sink failure or timeout answers 500,
 * so Telegram delivers the update again (the sink deduplicates).
 */
import type { FastifyInstance } from 'fastify';
import { Api, webhookCallback, type Bot } from 'grammy';
import { ALLOWED_UPDATES } from './bot.js';

export interface WebhookRouteOptions {
  /** e.g. `/telegram/webhook`; keep it unguessable too if you like, the secret is what counts. */
  path: string;
  /** config.TELEGRAM_WEBHOOK_SECRET: 1–256 of A–Z a–z 0–9 _ -. Required: without it anyone could post updates. */
  secret: string;
  bot: Bot;
  /**
   * How long the sink may take before the request fails with 500 (Telegram
   * then redelivers). Default 8 s: Telegram gives up on a webhook after
   * about 10 s and sends the update again anyway.
   */
  timeoutMs?: number;
}

const SECRET_FORMAT = /^[A-Za-z0-9_-]{1,256}$/;

export function telegramWebhookRoute(fastify: FastifyInstance, opts: WebhookRouteOptions): void {
  if (!SECRET_FORMAT.test(opts.secret)) {
    throw new Error('telegramWebhookRoute: secret must be 1–256 characters of A-Z a-z 0-9 _ -');
  }
  const handle = webhookCallback(opts.bot, 'fastify', {
    secretToken: opts.secret,
    onTimeout: 'throw',
    timeoutMilliseconds: opts.timeoutMs ?? 8_000,
  });
  fastify.post(opts.path, handle);
}

/**
 * Tell Telegram where to post updates (call once at start-up in webhook
 * mode). Uses its own Api client so it works before the bot is initialised.
 */
export async function setWebhook(opts: { token: string; apiRoot: string; url: string; secret: string; dropPendingUpdates?: boolean }): Promise<void> {
  const api = new Api(opts.token, { apiRoot: opts.apiRoot });
  await api.setWebhook(opts.url, {
    secret_token: opts.secret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: opts.dropPendingUpdates ?? false,
  });
}

/** Back to polling: Telegram refuses getUpdates (409) while a webhook is set. */
export async function deleteWebhook(opts: { token: string; apiRoot: string }): Promise<void> {
  await new Api(opts.token, { apiRoot: opts.apiRoot }).deleteWebhook();
}
