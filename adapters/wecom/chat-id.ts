/**
 * A WeCom chat id the application can send to (the forms adapters/wecom/sender.ts parses). A customer-group
 * id (`wr…`, what the WeCom client shows for 客户群) or a bare id is not one: the application cannot send there.
 */
export function wecomChatIdProblem(chatId: string): string | null {
  if (/^(user|chat|robot):\S+$/.test(chatId)) return null;
  const hint = /^wr[\w-]+$/.test(chatId) ? ' ("wr…" is a customer-group id, which the application cannot send to; bind a group the application created, or use /bind CODE in the group)' : '';
  return `not a WeCom chat id "${chatId.slice(0, 40)}": accepted forms are chat:<chatid> (an application group chat, appchat/create), user:<userid> (a member's own chat) or robot:<name> (a group robot)${hint}`;
}
