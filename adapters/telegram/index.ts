/** The Telegram adapter's public surface; main.ts and the outbound worker import from here. */
export { createTelegramBot, startPolling, ALLOWED_UPDATES, type TelegramBotOptions, type PollingOptions, type PollingHandle } from './bot.js';
export { toInboundMessage, parseCommand } from './inbound.js';
export { telegramWebhookRoute, setWebhook, deleteWebhook, type WebhookRouteOptions } from './webhook.js';
export {
  createTelegramSender,
  buildReplyMarkup,
  CALLBACK_DATA_MAX_BYTES,
  TEXT_MAX_CHARS,
  CAPTION_MAX_CHARS,
  type TelegramSender,
  type TelegramSenderOptions,
} from './sender.js';
export { createSendLimiter, isGroupChatId, TELEGRAM_LIMITS, type SendLimiter, type SendLimits, type Budget } from './limiter.js';
export { permanentSendError, transientSendError, budgetTimeoutError, type PermanentReason } from './errors.js';
export { registerCommands, type RegisterCommandsOptions } from './commands.js';
export { startSandbox, findFreePort, SANDBOX_TOKEN, SANDBOX_BOT_INFO, SANDBOX_USERS, type Sandbox, type SandboxRole } from './sandbox.js';
