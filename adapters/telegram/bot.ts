/**
 * The inbound side: a grammY Bot whose only job is to translate each update
 * (inbound.ts) and hand it to the InboundSink, which stores and enqueues it.
 * Conversations live in bots/ and run from the queue, not in this middleware,
 * so a slow conversation never holds up Telegram's delivery.
 *
 * The sink resolving means "durable": in webhook mode the 200 goes out only
 * then. A failing sink is retried a few times (it deduplicates by messageId,
 * so a retry is safe), which rides out a database or Redis blip. If it still
 * fails: in webhook mode the request answers 500 and Telegram redelivers; in
 * polling mode the runner has already moved the offset on, so the failure is
 * logged at error level and that update is lost.
 */
import { Bot, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import type { Logger } from '../../core/log.js';
import type { InboundMessage, InboundSink } from '../types.js';
import { toInboundMessage } from './inbound.js';

export interface TelegramBotOptions {
  token: string;
  /** Bot API server: config.TELEGRAM_API_ROOT, or the sandbox's apiRoot. */
  apiRoot: string;
  logger: Logger;
  sink: InboundSink;
  /** Known bot identity: skips the getMe call at start (tests, and webhook processes that start often). */
  botInfo?: UserFromGetMe;
  /**
   * Pauses before retrying a failed sink call; one retry per entry. Default
   * [250, 1000]: about a second of grace, well inside the webhook timeout.
   */
  sinkRetryDelaysMs?: number[];
}

/** The update types the service handles; polling asks Telegram for these only. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Updates of one chat are handled in order; different chats run concurrently. */
function chatKey(ctx: Context): string | undefined {
  return ctx.chat?.id !== undefined ? String(ctx.chat.id) : ctx.from?.id !== undefined ? `u${ctx.from.id}` : undefined;
}

export function createTelegramBot(opts: TelegramBotOptions): Bot {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot }, botInfo: opts.botInfo });
  const log = opts.logger.child({ component: 'telegram-inbound' });
  const retryDelays = opts.sinkRetryDelaysMs ?? [250, 1000];

  async function storeWithRetry(msg: InboundMessage): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await opts.sink(msg);
      } catch (err) {
        const delay = retryDelays[attempt];
        if (delay === undefined) throw err;
        log.warn({ attempt: attempt + 1, err: { message: err instanceof Error ? err.message : String(err) } }, 'sink failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  bot.use(sequentialize(chatKey));
  bot.use(async (ctx) => {
    const kind = Object.keys(ctx.update).find((k) => k !== 'update_id');
    let msg: InboundMessage | undefined;
    try {
      msg = toInboundMessage(ctx.update, ctx.me.username);
    } catch (err) {
      // A malformed update (a message without a chat, say) is nobody's words: answered 200 and
      // dropped, so Telegram does not deliver it again and again. Only the sink's failures are retried.
      log.warn({ updateId: ctx.update.update_id, kind, err: { type: err instanceof Error ? err.name : 'unknown' } }, 'malformed update ignored');
      return;
    }
    if (!msg) {
      log.debug({ updateId: ctx.update.update_id, kind }, 'update ignored');
      return;
    }
    const fresh = await storeWithRetry(msg);
    log.debug({ updateId: ctx.update.update_id, kind, chatType: msg.chatType, fresh }, 'update stored');
  });
  bot.catch((err) => {
    // Only ids and the error's own message: never the update (it holds residents' text).
    const e = err.error instanceof Error ? err.error : new Error(String(err.error));
    log.error({ updateId: err.ctx.update.update_id, err: { type: e.name, message: e.message } }, 'inbound update not stored');
  });
  return bot;
}

export interface PollingOptions {
  /**
   * Pause after a getUpdates that returned nothing. The official server
   * long-polls (it holds the request up to 30 s), so 0 is right there; an
   * emulator without long polling (telegram-test-api) answers at once and
   * would be polled in a tight loop, so the sandbox passes ~300 ms.
   */
  idleDelayMs?: number;
  logger?: Logger;
}

export interface PollingHandle {
  /** Stops fetching and resolves when the updates in flight are handled. */
  stop(): Promise<void>;
  readonly runner: RunnerHandle;
}

/**
 * Long polling with @grammyjs/runner (concurrent across chats, ordered within
 * a chat). A webhook still set from a webhook-mode run is deleted on the
 * first 409 from getUpdates.
 */
export function startPolling(bot: Bot, opts: PollingOptions = {}): PollingHandle {
  const idleDelayMs = opts.idleDelayMs ?? 0;
  const log = opts.logger?.child({ component: 'telegram-polling' });
  let stopping = false;
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    try {
      let res = await prev(method, payload, signal);
      if (!res.ok && res.error_code === 409 && /webhook/i.test(res.description) && !stopping) {
        // A webhook left from an earlier webhook-mode run blocks getUpdates: polling is what this process was told to do.
        log?.warn('a webhook is set; deleting it to poll');
        await prev('deleteWebhook', { drop_pending_updates: false }, signal);
        res = await prev(method, payload, signal);
      }
      if (idleDelayMs > 0 && res.ok && Array.isArray(res.result) && res.result.length === 0 && !stopping) {
        await new Promise((r) => setTimeout(r, idleDelayMs));
      }
      return res;
    } catch (err) {
      if (!stopping) log?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'getUpdates failed; the runner retries');
      throw err;
    }
  });
  const runner = run(bot, {
    runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] }, silent: true, retryInterval: 'exponential' },
  });
  return {
    runner,
    async stop() {
      stopping = true;
      if (runner.isRunning()) await runner.stop();
    },
  };
}
