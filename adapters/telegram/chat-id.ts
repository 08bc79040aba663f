/** A Telegram chat id the Bot API can send to: a number (groups negative, -100… supergroups) or a public @channel. */
export function telegramChatIdProblem(chatId: string): string | null {
  if (/^-?\d{1,20}$/.test(chatId) || /^@[A-Za-z][A-Za-z0-9_]{4,31}$/.test(chatId)) return null;
  return `not a Telegram chat id "${chatId.slice(0, 40)}": accepted forms are a number (a group: -1001234567890; a private chat: 123456789) or @channelname`;
}
