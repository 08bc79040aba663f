/**
 * WeCom errcodes this adapter reacts to (全局错误码). Shared with the local
 * test server so both sides speak the same numbers.
 */
export const ERR = {
  OK: 0,
  /** 系统繁忙: transient. */
  BUSY: -1,
  /** 不合法的secret参数: configuration error. */
  INVALID_SECRET: 40001,
  /** 不合法的corpid: configuration error. */
  INVALID_CORPID: 40013,
  /** 不合法的access_token. */
  INVALID_TOKEN: 40014,
  /** 缺少access_token参数. */
  MISSING_TOKEN: 41001,
  /** access_token已过期. */
  TOKEN_EXPIRED: 42001,
  /** 消息内容大小超过限制 (text > 2048 bytes). */
  CONTENT_TOO_LONG: 45002,
  /** 接口调用超过限制 (minute bans of about 60 s). */
  RATE_LIMITED: 45009,
  /** 接口并发调用超过限制. */
  TOO_MANY_CONCURRENT: 45033,
  /** 不合法的参数 (card fields, task_id, response_code, msgid). */
  INVALID_PARAM: 40058,
  /** UserID、部门ID、标签ID全部非法或无权限: no recipient is valid. */
  NO_VALID_RECIPIENT: 81013,
  /** 应用群聊: chatid 不存在. */
  APPCHAT_NOT_FOUND: 86003,
  /** 微信客服: 给该客户发送的消息数量已达上限 (5 per 48 h window). */
  KF_BUDGET_SPENT: 95001,
  /** 微信客服: 不合法的msgtoken (the callback token for sync_msg; valid 10 min). */
  KF_INVALID_MSG_TOKEN: 95007,
  /** 微信客服: send msg session status invalid (no window open: the resident has not written within 48 h). */
  KF_SESSION_INVALID: 95018,
} as const;

/** The access_token was refused: refresh once, retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([ERR.INVALID_TOKEN, ERR.MISSING_TOKEN, ERR.TOKEN_EXPIRED]);

/** WeCom's minute ban after 45009 lasts about this long: trying sooner only extends it. */
export const RATE_LIMIT_BAN_MS = 60_000;

/** Transient: the send job tries again later (after RATE_LIMIT_BAN_MS for 45009). */
export const BACKOFF_ERRCODES: ReadonlySet<number> = new Set([ERR.BUSY, ERR.RATE_LIMITED, ERR.TOO_MANY_CONCURRENT]);

/** Configuration: fail loudly, never retry. */
export const CONFIG_ERRCODES: ReadonlySet<number> = new Set([ERR.INVALID_SECRET, ERR.INVALID_CORPID]);
