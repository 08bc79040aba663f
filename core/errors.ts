/**
 * One application error type. `code` is for machines (and crosses process
 * boundaries in job failures), `message` is for developers, `userMessage`
 * (optional) is safe to show to a resident or staff member.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly userMessage?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super('config_invalid', `Configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

export class IllegalTransitionError extends AppError {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly from: string,
    readonly action: string,
  ) {
    super('illegal_transition', `Action "${action}" is not allowed from state "${from}"`);
  }
}

export class NotAuthorizedError extends AppError {
  override readonly name = 'NotAuthorizedError';
  constructor(message: string, userMessage = '您不是该单位登记的工作人员，无法操作。/ You are not registered staff of this unit.') {
    super('not_authorized', message, userMessage);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string, userMessage?: string) {
    super('not_found', `${what} not found`, userMessage);
  }
}

/**
 * The one error a channel sender throws when a send did not go out (core/channel contract:
 * adapters make one attempt per send and leave waiting and retrying to the send job).
 * - permanent: the same send will fail again (chat gone, bot blocked, message invalid, window closed);
 *   the delivery is recorded failed and never retried.
 * - transient: a later attempt may succeed; `retryAfterMs` is how long the platform asked to wait
 *   (429 retry_after, a rate-limit ban, a budget slot), unset when it did not say (5xx, network).
 * It crosses process boundaries only as its `code`; within a process decide with `instanceof`.
 */
export class SendError extends AppError {
  override readonly name = 'SendError';
  private constructor(
    code: string,
    message: string,
    readonly permanent: boolean,
    /** why, in the platform's terms reduced to a few words: 'chat_not_found', 'blocked', 'rate_limited', … */
    readonly reason: string,
    /** transient only: how long to wait before the next attempt, when the platform said */
    readonly retryAfterMs?: number,
    /** the platform's own error code (Bot API error_code, WeCom errcode), when it answered */
    readonly platformCode?: number,
  ) {
    super(code, message);
  }

  static permanent(code: string, reason: string, message: string, platformCode?: number): SendError {
    return new SendError(code, message, true, reason, undefined, platformCode);
  }

  static transient(code: string, reason: string, message: string, retryAfterMs?: number, platformCode?: number): SendError {
    return new SendError(code, message, false, reason, retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil(retryAfterMs)), platformCode);
  }
}
