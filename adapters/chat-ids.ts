/**
 * What a chat id looks like on each platform, for the org import (core/org/import.ts `chatIds`): a binding
 * to an id the platform cannot send to would drop every card quietly. Each adapter owns its rule; this is
 * the registry the CLI (and app.ts) pass on.
 */
import type { ChatIdRule } from '../core/org/import.js';
import { telegramChatIdProblem } from './telegram/chat-id.js';
import { wecomChatIdProblem } from './wecom/chat-id.js';

export const CHAT_ID_RULES: Record<string, ChatIdRule> = {
  telegram: telegramChatIdProblem,
  wecom: wecomChatIdProblem,
};
