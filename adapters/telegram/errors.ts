/**
 * Errors the Telegram sender throws. Each carries a `name` because it crosses
 * process boundaries (a BullMQ job failure keeps only name and message): the
 * outbound worker decides by name whether to retry.
 *
 * Messages say which Bot API method failed and what Telegram answered, never
 * the token and never the payload (it holds residents' text).
 */
import { AppError } from '../../core/errors.js';

/** Why a send can never succeed as it is. */
export type PermanentReason =
  /** The chat does not exist or the bot was never in it (400 chat not found). */
  | 'chat_not_found'
  /** The user blocked the bot, or the bot was removed from the group (403). */
  | 'blocked'
  /** The message itself is wrong (button data too long, empty text…): a bug on our side. */
  | 'invalid_message'
  /** The Bot API server does not implement the method (telegram-test-api, old local servers). */
  | 'unsupported'
  /** Any other 4xx answer. */
  | 'bad_request';

/** Do not retry: the same request will fail again. The worker should drop the job and, for chat_not_found/blocked, flag the binding. */
export class PermanentSendError extends AppError {
  override readonly name = 'PermanentSendError';
  constructor(
    readonly reason: PermanentReason,
    message: string,
    /** Bot API error_code when Telegram answered (400, 403…). */
    readonly errorCode?: number,
  ) {
    super(`telegram_${reason}`, message);
  }
}

/** Telegram or the network kept failing within our bounded retries; retrying the job later may succeed. */
export class TransientSendError extends AppError {
  override readonly name = 'TransientSendError';
  constructor(
    message: string,
    /** When Telegram said how long to wait (429 retry_after beyond our in-process bound). */
    readonly retryAfterMs?: number,
  ) {
    super('telegram_transient', message);
  }
}

/** The shared send budget did not free up within the sender's bounded wait. Retry the job after `retryAfterMs`. */
export class SendBudgetTimeoutError extends AppError {
  override readonly name = 'SendBudgetTimeoutError';
  constructor(
    readonly chatId: string,
    readonly retryAfterMs: number,
  ) {
    super('telegram_budget_timeout', `Send budget for chat ${chatId} not available within the wait bound; next slot in ${retryAfterMs} ms`);
  }
}
