/**
 * Typed WeCom failures. Each carries a `name` because errors cross process
 * boundaries (job failures); none ever contains an access_token, a secret or
 * a robot webhook key, because all of them end up in logs.
 */
import { AppError } from '../../core/errors.js';

/** WeCom answered (HTTP 200) with a non-zero errcode. */
export class WecomApiError extends AppError {
  override readonly name: string = 'WecomApiError';
  constructor(
    /** API path without host or query, e.g. `message/send`. */
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`wecom_${errcode}`, `WeCom ${api} failed: errcode ${errcode} (${stripHint(errmsg)})`);
  }
}

/**
 * The corp id or an application secret is wrong (40001, 40013) or the
 * application is not configured. Retrying cannot help: an operator must fix
 * the configuration, so this is raised loudly and never retried.
 */
export class WecomConfigError extends AppError {
  override readonly name = 'WecomConfigError';
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super('wecom_config', message);
  }
}

/** The network failed or WeCom answered with a non-200 HTTP status. */
export class WecomHttpError extends AppError {
  override readonly name = 'WecomHttpError';
  constructor(
    readonly api: string,
    readonly status: number | undefined,
    readonly networkCode: string | undefined,
  ) {
    super('wecom_http', `WeCom ${api} failed: ${status ? `HTTP ${status}` : `network error ${networkCode ?? 'unknown'}`}`);
  }
}

/**
 * A per-member (or per-robot) send quota is used up for longer than the
 * caller agreed to wait. `retryAfterMs` says when a slot frees up, so a queue
 * worker can delay the job instead of letting WeCom drop the message silently.
 */
export class WecomQuotaError extends AppError {
  override readonly name = 'WecomQuotaError';
  constructor(
    readonly quota: string,
    readonly retryAfterMs: number,
  ) {
    super('wecom_quota', `WeCom send quota "${quota}" exhausted; next slot in ${retryAfterMs} ms`);
  }
}

/**
 * 微信客服 refused a reply because the resident's 48-hour window is closed
 * (95018, no open session) or its 5 messages are spent (95001). Not retryable
 * until the resident writes again: the workflow surfaces it for a phone callback.
 */
export class WecomKfBudgetError extends WecomApiError {
  override readonly name = 'WecomKfBudgetError';
  constructor(
    errcode: number,
    errmsg: string,
    readonly reason: 'window_closed' | 'budget_spent',
  ) {
    super('kf/send_msg', errcode, errmsg);
  }
}

export type WecomPermanentReason =
  /** 微信客服: the resident has not written within 48 h (95018). Someone must call them back. */
  | 'window_closed'
  /** 微信客服: the 5 messages of this window are spent (95001). */
  | 'budget_spent'
  /** The member, chat or resident does not exist or is outside the application's visibility (81013, 86003…). */
  | 'chat_not_found'
  /** The message itself is wrong (too long, bad card, bad chatId): a bug on our side. */
  | 'invalid_message'
  /** Any other errcode that a retry will not change. */
  | 'bad_request';

/** WeCom appends `, hint: [...]` and `more info at URL`; keep the message short. */
function stripHint(errmsg: string): string {
  return errmsg.replace(/,?\s*hint:.*$/s, '').replace(/,?\s*more info at.*$/s, '').slice(0, 200);
}
