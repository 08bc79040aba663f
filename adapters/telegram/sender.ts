/**
 * ChannelSender for Telegram: plain OutboundMessage → Bot API calls, within
 * the budgets shared across processes (limiter.ts).
 *
 * One attempt per send (the send job in jobs/ is the one place that waits and retries):
 * - 429: SendError transient with `retryAfterMs` = `parameters.retry_after` seconds;
 * - 5xx and network errors: SendError transient without a wait (the job backs off);
 * - 400 with `migrate_to_chat_id`: sent once to the new chat (the first went nowhere) and
 *   `migratedToChatId` reported so the caller updates the binding;
 * - other 4xx: SendError permanent, never retried.
 * A network error after Telegram accepted a message can make the job's retry send it
 * twice; that is the price of at-least-once delivery.
 *
 * Text goes out without parse_mode (plain text): nothing to escape, nothing to break.
 */
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { InlineKeyboardMarkup, ForceReply } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/log.js';
import { SendError } from '../../core/errors.js';
import type { ChannelSender, OutboundAttachment, OutboundMessage, SendResult } from '../types.js';
import { isPermanent, permanentSendError, transientSendError, type PermanentReason } from './errors.js';
import { createSendLimiter, type SendLimiter, type SendLimits } from './limiter.js';
import { setCoordinatorMenu } from './commands.js';

/** Bot API limits on what one message may carry. */
export const TEXT_MAX_CHARS = 4096;
export const CAPTION_MAX_CHARS = 1024;
export const CALLBACK_DATA_MAX_BYTES = 64;

export interface TelegramSenderOptions {
  token: string;
  /** Bot API server, e.g. config.TELEGRAM_API_ROOT or the sandbox's apiRoot. */
  apiRoot: string;
  redis: Redis;
  /** Redis key prefix (config.REDIS_PREFIX). */
  keyPrefix: string;
  logger: Logger;
  /** Override the Telegram budgets (tests shorten windows). */
  limits?: Partial<SendLimits>;
  /** Longest in-process wait for a budget slot before a transient SendError with its wait (limiter.ts default: 10 s). */
  maxBudgetWaitMs?: number;
  /** Per HTTP call to the Bot API. Default 30 s. */
  timeoutSeconds?: number;
}

export interface TelegramSender extends ChannelSender {
  readonly platform: 'telegram';
  send(msg: OutboundMessage): Promise<SendResult>;
  answerAction(ackId: string, text?: string): Promise<void>;
  /** See SendLimiter.remainingGroupBudget: group messages that can go out now; Infinity for private chats. */
  remainingGroupBudget(chatId: string): Promise<number>;
  readonly limiter: SendLimiter;
}

type Markup = InlineKeyboardMarkup | ForceReply | undefined;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Numeric ids as numbers (the Bot API's integer chat ids), anything else as given. */
function chatRef(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

/** Build reply_markup, rejecting what Telegram would reject (with a message that says which button). */
export function buildReplyMarkup(msg: OutboundMessage): Markup {
  if (msg.buttons?.length && msg.forceReply) {
    throw permanentSendError('invalid_message', 'OutboundMessage has both buttons and forceReply; Telegram allows one reply_markup');
  }
  if (msg.forceReply) return { force_reply: true };
  if (!msg.buttons?.length) return undefined;
  const inline_keyboard = msg.buttons.map((row, r) =>
    row.map((b, c) => {
      const bytes = Buffer.byteLength(b.data, 'utf8');
      if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) {
        throw permanentSendError(
          'invalid_message',
          `Button row ${r + 1} column ${c + 1}: callback data is ${bytes} bytes; Telegram allows 1–${CALLBACK_DATA_MAX_BYTES}`,
        );
      }
      if (!b.label.trim()) throw permanentSendError('invalid_message', `Button row ${r + 1} column ${c + 1} has an empty label`);
      return { text: b.label, callback_data: b.data };
    }),
  );
  return { inline_keyboard };
}

type Verdict =
  | { kind: 'retry_after'; ms: number; what: string }
  | { kind: 'transient'; what: string; code?: number }
  | { kind: 'migrate'; chatId: string }
  | { kind: 'not_modified' }
  | { kind: 'permanent'; reason: PermanentReason; what: string; code?: number };

/** Sort a failed call into what to do next. Messages carry method, code and Telegram's description only. */
function judge(err: unknown, token: string): Verdict {
  if (err instanceof GrammyError) {
    const code = err.error_code as number | undefined;
    const what = `Telegram ${err.method} failed: ${code ?? 'non-Bot-API answer'} ${err.description ?? ''}`.trim();
    const migrateTo = err.parameters?.migrate_to_chat_id;
    if (migrateTo !== undefined) return { kind: 'migrate', chatId: String(migrateTo) };
    if (code === 429) return { kind: 'retry_after', ms: (err.parameters?.retry_after ?? 1) * 1000, what };
    if (code !== undefined && code >= 500) return { kind: 'transient', what, code };
    // Unknown methods: telegram-test-api answers a bare `{message}` (no error_code); the official server answers 404.
    if (code === undefined || code === 404) return { kind: 'permanent', reason: 'unsupported', what, code };
    if (code === 403) return { kind: 'permanent', reason: 'blocked', what, code };
    const desc = (err.description ?? '').toLowerCase();
    if (code === 400 && desc.includes('message is not modified')) return { kind: 'not_modified' };
    if (code === 400 && /chat not found|user not found|peer_id_invalid|chat_id_invalid|group chat was deactivated/.test(desc)) {
      return { kind: 'permanent', reason: 'chat_not_found', what, code };
    }
    if (code === 401) return { kind: 'permanent', reason: 'bad_request', what: `${what} (is the bot token right?)`, code };
    return { kind: 'permanent', reason: 'bad_request', what, code };
  }
  if (err instanceof HttpError) {
    const inner = err.error instanceof Error ? `: ${err.error.message}` : '';
    return { kind: 'transient', what: `${err.message}${inner}`.split(token).join('<token>') };
  }
  throw err;
}

export function createTelegramSender(opts: TelegramSenderOptions): TelegramSender {
  const api = new Api(opts.token, { apiRoot: opts.apiRoot, timeoutSeconds: opts.timeoutSeconds ?? 30 });
  const botId = opts.token.split(':')[0] ?? 'bot';
  const limiter = createSendLimiter({
    redis: opts.redis,
    keyPrefix: opts.keyPrefix,
    botId,
    limits: opts.limits,
    maxWaitMs: opts.maxBudgetWaitMs,
  });
  const log = opts.logger.child({ component: 'telegram-sender' });
  let photoUnsupportedLogged = false;

  /**
   * One Bot API call for a chat within budget: no retry here (the send job retries). `call`
   * receives the chat id to use (it changes once if the group migrated: the first call went nowhere).
   */
  async function deliver<T>(
    chatId: string,
    method: string,
    call: (chat: number | string) => Promise<T>,
    /** false for edits: the message does not exist in the new chat, so report the migration instead of sending there. */
    followMigration = true,
  ): Promise<{ result: T | 'not_modified' | 'migrated'; chatId: string; migratedToChatId?: string }> {
    let target = chatId;
    let migratedToChatId: string | undefined;
    for (;;) {
      await limiter.acquire(target);
      try {
        return { result: await call(chatRef(target)), chatId: target, migratedToChatId };
      } catch (err) {
        const v = judge(err, opts.token);
        if (v.kind === 'not_modified') return { result: 'not_modified', chatId: target, migratedToChatId };
        if (v.kind === 'permanent') throw permanentSendError(v.reason, v.what, v.code);
        if (v.kind === 'migrate') {
          if (migratedToChatId !== undefined) {
            throw permanentSendError('bad_request', `Telegram ${method}: chat migrated twice (${chatId} → ${migratedToChatId} → ${v.chatId})`, 400);
          }
          log.info({ method, chatId, migratedToChatId: v.chatId }, 'group migrated to a supergroup');
          migratedToChatId = target = v.chatId;
          if (!followMigration) return { result: 'migrated', chatId: target, migratedToChatId };
          continue;
        }
        log.warn({ method, chatId: target, kind: v.kind, retryAfterMs: v.kind === 'retry_after' ? v.ms : undefined }, 'telegram call failed; the send job retries');
        if (v.kind === 'retry_after') throw transientSendError(v.what, v.ms, 429);
        throw transientSendError(v.what, undefined, v.code);
      }
    }
  }

  /** Threaded to an earlier message of the chat; sent anyway if that one was deleted. */
  const replyTo = (id: string | undefined) => (id && /^\d+$/.test(id) ? { reply_parameters: { message_id: Number(id), allow_sending_without_reply: true } } : {});

  async function sendText(msg: OutboundMessage, markup: Markup) {
    const text = truncate(msg.text, TEXT_MAX_CHARS);
    return deliver(msg.chatId, 'sendMessage', (chat) =>
      api.sendMessage(chat, text, {
        reply_markup: markup,
        message_thread_id: msg.threadId ? Number(msg.threadId) : undefined,
        ...replyTo(msg.replyToMessageId),
      }),
    );
  }

  /**
   * Evidence after the message it belongs to, each threaded to it: re-sent by file_id (a file id of
   * another platform cannot be re-sent here and is skipped), a pin with sendLocation. Best effort: the
   * message itself is out, so a file that fails is logged, never a reason to send the message again.
   */
  async function sendAttachments(chatId: string, threadTo: string, list: OutboundAttachment[], threadId?: string) {
    const common = { ...replyTo(threadTo), message_thread_id: threadId ? Number(threadId) : undefined };
    for (const a of list) {
      if (a.kind !== 'location' && a.platform !== 'telegram') continue;
      const method = a.kind === 'location' ? 'sendLocation' : a.kind === 'photo' ? 'sendPhoto' : a.kind === 'voice' ? 'sendVoice' : a.kind === 'video' ? 'sendVideo' : 'sendDocument';
      try {
        await deliver<unknown>(chatId, method, (chat) => {
          if (a.kind === 'location') return api.sendLocation(chat, a.lat, a.lng, common);
          if (a.kind === 'photo') return api.sendPhoto(chat, a.fileId, common);
          if (a.kind === 'voice') return api.sendVoice(chat, a.fileId, common);
          if (a.kind === 'video') return api.sendVideo(chat, a.fileId, common);
          return api.sendDocument(chat, a.fileId, common);
        });
      } catch (err) {
        if (!(err instanceof SendError)) throw err;
        log.warn({ method, err: err.message }, 'an attachment could not be re-sent; the message it belongs to is out');
      }
    }
  }

  async function sendPhoto(msg: OutboundMessage & { photo: NonNullable<OutboundMessage['photo']> }, markup: Markup) {
    const fitsCaption = msg.text.length <= CAPTION_MAX_CHARS;
    const sent = await deliver(msg.chatId, 'sendPhoto', (chat) =>
      api.sendPhoto(chat, new InputFile(msg.photo.png, msg.photo.filename), {
        caption: fitsCaption ? msg.text : undefined,
        reply_markup: fitsCaption ? markup : undefined,
        message_thread_id: msg.threadId ? Number(msg.threadId) : undefined,
      }),
    );
    if (fitsCaption) return sent;
    // A long text follows the chart as its own message (and carries the buttons).
    const text = await sendText({ ...msg, chatId: sent.chatId }, markup);
    return { ...text, migratedToChatId: sent.migratedToChatId ?? text.migratedToChatId };
  }

  return {
    platform: 'telegram',
    limiter,
    remainingGroupBudget: (chatId) => limiter.remainingGroupBudget(chatId),
    remainingBudget: (chatId) => limiter.remainingGroupBudget(chatId),
    readyIn: (chatId) => limiter.readyIn(chatId),

    async send(msg) {
      if (!msg.text.trim() && !msg.photo) throw permanentSendError('invalid_message', 'OutboundMessage text is empty');
      const markup = buildReplyMarkup(msg);
      // The menu is a convenience: failures are logged, never fatal (and never retried with the message).
      if (msg.coordinatorMenu) await setCoordinatorMenu(api, msg.chatId, opts.logger);

      if (msg.editMessageId) {
        if (markup && 'force_reply' in markup) {
          throw permanentSendError('invalid_message', 'forceReply cannot be added by an edit');
        }
        const text = truncate(msg.text, TEXT_MAX_CHARS);
        const edited = await deliver(msg.chatId, 'editMessageText', (chat) =>
          api.editMessageText(chat, Number(msg.editMessageId), text, { reply_markup: markup }),
          false,
        );
        if (edited.migratedToChatId) {
          // Message ids do not carry over to the supergroup: post the new version there instead.
          const fresh = await sendText({ ...msg, chatId: edited.migratedToChatId, editMessageId: undefined }, markup);
          return { messageId: messageIdOf(fresh.result, msg.editMessageId), migratedToChatId: edited.migratedToChatId };
        }
        return { messageId: msg.editMessageId };
      }

      let sent: { result: unknown; migratedToChatId?: string } | undefined;
      if (msg.photo) {
        try {
          sent = await sendPhoto({ ...msg, photo: msg.photo }, markup);
        } catch (err) {
          if (!isPermanent(err, 'unsupported')) throw err;
          if (!photoUnsupportedLogged) log.info('sendPhoto not supported by this Bot API server (an emulator?); photos go out as their text');
          photoUnsupportedLogged = true;
        }
      }
      sent ??= await sendText(msg, markup);
      const result: SendResult = { messageId: messageIdOf(sent.result) };
      if (sent.migratedToChatId) result.migratedToChatId = sent.migratedToChatId;
      if (msg.attachments?.length) await sendAttachments(result.migratedToChatId ?? msg.chatId, result.messageId, msg.attachments, msg.threadId);
      return result;
    },

    async answerAction(ackId, text) {
      try {
        await api.answerCallbackQuery(ackId, text ? { text: truncate(text, 200) } : undefined);
      } catch (err) {
        // A press older than ~15 minutes or answered twice fails; the user only sees a spinner stop.
        const what = err instanceof GrammyError ? `${err.error_code} ${err.description}` : err instanceof HttpError ? err.message : String(err);
        log.warn({ err: what.split(opts.token).join('<token>') }, 'answerCallbackQuery failed (ignored)');
      }
    },
  };
}

function messageIdOf(result: unknown, fallback?: string): string {
  if (result && typeof result === 'object' && 'message_id' in result) return String((result as { message_id: number }).message_id);
  if (fallback !== undefined) return fallback;
  throw transientSendError('Telegram answered without a message_id');
}
