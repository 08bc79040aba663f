/**
 * Webhook mode: a Fastify route that accepts an update only with the right
 * `X-Telegram-Bot-Api-Secret-Token` (wrong or missing → 401 and the update
 * never reaches the bot or the sink), and answers 200 once the sink has
 * stored it. grammY's webhookCallback does the secret check
 * (constant-time) and the timeout; a sink failure or timeout answers 500,
 * so Telegram delivers the update again (the sink deduplicates).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  const secret = createHash('sha256').update(opts.secret).digest();
  const rightSecret = (presented: unknown) => typeof presented === 'string' && timingSafeEqual(createHash('sha256').update(presented).digest(), secret);
  fastify.post(opts.path, async (req: FastifyRequest, reply: FastifyReply) => {
    // Not an update (null, a number, a list, no update_id): 400, which Telegram does not redeliver.
    // grammY would throw on it, answering 500, and Telegram would send it again and again.
    const body = req.body as { update_id?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Number.isSafeInteger(body.update_id)) {
      if (!rightSecret(req.headers['x-telegram-bot-api-secret-token'])) return reply.code(401).send('secret token is wrong');
      return reply.code(400).send('not a Telegram update');
    }
    return handle(req, reply);
  });
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
