/**
 * The Telegram sender's failures, as the one SendError of the channel contract
 * (core/errors.ts): permanent (never retried) or transient (the send job retries,
 * after `retryAfterMs` when Telegram said how long to wait).
 *
 * Messages say which Bot API method failed and what Telegram answered, never
 * the token and never the payload (it holds residents' text).
 */
import { SendError } from '../../core/errors.js';

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

/** Do not retry: the same request will fail again. */
export function permanentSendError(reason: PermanentReason, message: string, errorCode?: number): SendError {
  return SendError.permanent(`telegram_${reason}`, reason, message, errorCode);
}

/**
 * Telegram or the network failed this once; a later attempt may succeed. `retryAfterMs`: what a 429
 * asked for (`parameters.retry_after`); unset for 5xx and network errors (the job backs off).
 */
export function transientSendError(message: string, retryAfterMs?: number, errorCode?: number): SendError {
  return SendError.transient('telegram_transient', retryAfterMs !== undefined && errorCode === 429 ? 'rate_limited' : 'unavailable', message, retryAfterMs, errorCode);
}

/** The shared send budget has no slot within the limiter's short wait: try again in `retryAfterMs`. */
export function budgetTimeoutError(chatId: string, retryAfterMs: number): SendError {
  return SendError.transient(
    'telegram_budget_timeout',
    'budget',
    `Send budget for chat ${chatId} not available within the wait bound; next slot in ${retryAfterMs} ms`,
    retryAfterMs,
  );
}

export function isPermanent(err: unknown, reason?: PermanentReason): boolean {
  return err instanceof SendError && err.permanent && (reason === undefined || err.reason === reason);
}
