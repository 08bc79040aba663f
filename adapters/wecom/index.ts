/** WeCom platform layer: API client, senders, callback routes, 微信客服 sync. */
export { createWecomClient, type WecomClient, type WecomClientOptions, type WecomApp } from './client.js';
export { createWecomSender, createWecomKfSender, parseWecomChatId, toSendError, type WecomSenderOptions, type WecomKfSenderOptions } from './sender.js';
export { wecomCallbackRoutes, type WecomCallbackOptions } from './callback.js';
export { syncKf, resumePendingKf, kfCursorKey, type SyncKfOptions, type SyncKfResult } from './kf-sync.js';
export { translateCallback, translateKfMessage } from './inbound.js';
export { WecomApiError, WecomConfigError, WecomHttpError, WecomKfBudgetError, WecomQuotaError, type WecomPermanentReason } from './errors.js';
export { ERR as WECOM_ERRCODES } from './codes.js';
export type { ButtonInteractionCard, AppchatMessage, KfOutMessage, KfSyncPage, KfSyncedMessage } from './wire.js';
export { wecomFromConfig, type WecomSetup } from './from-config.js';
export { KF_REPLY_WINDOW } from './window.js';
