/** WeCom 微信客服 may answer a resident for 48 h after their last message, at most 5 messages in that time. */
export const KF_REPLY_WINDOW = { ms: 48 * 3_600_000, messages: 5 } as const;
