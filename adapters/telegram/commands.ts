/**
 * The command menu each role sees, registered with setMyCommands per scope
 * and language. Telegram picks the most specific scope: a coordinator chat
 * (scope `chat`) shows the coordinator menu, group admins see /bind, other
 * group members the staff menu, private chats the resident menu. Each list is
 * registered for `zh`, `en` and without a language (the fallback, Chinese).
 *
 * The menu is a convenience: a server without setMyCommands (the emulator)
 * or a temporary failure is logged and ignored, never fatal.
 */
import type { Api, Bot } from 'grammy';
import type { BotCommand, BotCommandScope } from 'grammy/types';
import type { Logger } from '../../core/log.js';

type Lang = 'zh' | 'en';
type Menu = Record<string, Record<Lang, string>>;

const RESIDENT: Menu = {
  start: { zh: '开始 / 选择语言', en: 'Start / choose language' },
  my: { zh: '我的诉求', en: 'My petitions' },
  help: { zh: '使用说明', en: 'Help' },
};
const STAFF: Menu = {
  help: { zh: '使用说明', en: 'Help' },
};
const GROUP_ADMIN: Menu = {
  ...STAFF,
  bind: { zh: '绑定本群到单位（绑定码）', en: 'Bind this group to a unit (code)' },
};
const COORDINATOR: Menu = {
  ...STAFF,
  whistle: { zh: '吹哨：<诉求号或地点> <部门…> [分钟]', en: 'Whistle: <petition|place> <departments…> [minutes]' },
  rollcall: { zh: '报到情况', en: 'Roll call' },
  dispatch: { zh: '派单：<诉求号> <单位>', en: 'Dispatch: <petition> <unit>' },
  review: { zh: '退单与重办审核', en: 'Review returns and reopen requests' },
  overdue: { zh: '超期工单', en: 'Overdue petitions' },
  stats: { zh: '三率统计 [月份]', en: 'Rates [month]' },
  hotspots: { zh: '热点问题', en: 'Hotspots' },
};

function commandsOf(menu: Menu, lang: Lang): BotCommand[] {
  return Object.entries(menu).map(([command, d]) => ({ command, description: d[lang] }));
}

export interface RegisterCommandsOptions {
  logger: Logger;
  /** Group chats bound to coordinators (street/district centres): they get the coordinator menu. */
  coordinatorChatIds?: string[];
}

/** Returns how many setMyCommands calls succeeded (0 on the emulator). */
export async function registerCommands(bot: Bot, opts: RegisterCommandsOptions): Promise<number> {
  const plan: [BotCommandScope, Menu][] = [
    [{ type: 'all_private_chats' }, RESIDENT],
    [{ type: 'all_group_chats' }, STAFF],
    [{ type: 'all_chat_administrators' }, GROUP_ADMIN],
    ...(opts.coordinatorChatIds ?? []).map((id): [BotCommandScope, Menu] => [{ type: 'chat', chat_id: Number(id) }, COORDINATOR]),
  ];
  return setMenus(bot.api, plan, opts.logger);
}

/** A chat just bound to a coordinator's area gets the coordinator menu (no restart needed). */
export async function setCoordinatorMenu(api: Api, chatId: string, logger: Logger): Promise<number> {
  return setMenus(api, [[{ type: 'chat', chat_id: Number(chatId) }, COORDINATOR]], logger);
}

async function setMenus(api: Api, plan: [BotCommandScope, Menu][], logger: Logger): Promise<number> {
  const log = logger.child({ component: 'telegram-commands' });
  let ok = 0;
  for (const [scope, menu] of plan) {
    for (const lang of ['zh', 'en', undefined] as const) {
      try {
        await api.setMyCommands(commandsOf(menu, lang ?? 'zh'), { scope, language_code: lang });
        ok++;
      } catch (err) {
        log.warn({ scope: scope.type, lang, err: { message: err instanceof Error ? err.message : String(err) } }, 'setMyCommands failed (menu not updated)');
        if (ok === 0) return 0; // the server lacks the method: one warning is enough
      }
    }
  }
  return ok;
}
