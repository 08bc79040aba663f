/**
 * Where a stored inbound message is turned into a conversation step. Decides
 * who is speaking (registered staff or coordinator, a bound group, or a
 * resident) and hands the message to that role's handlers. A refusal or a
 * user mistake (AppError with a user message) is rolled back to a savepoint
 * and answered; anything else fails the job so it is retried.
 */
import type { InboundMessage, PlatformEvent } from '../core/channel.js';
import { AppError } from '../core/errors.js';
import type { Work } from '../core/workflow/context.js';
import { unknownNumber } from '../core/workflow/numbers.js';
import { findStaff } from '../core/workflow/staff.js';
import { decodeAction, type Verb } from './actions.js';
import { parseCommand, splitNumber, type ParsedCommand } from './commands.js';
import { conversation, type Conversation } from './conversation.js';
import { handleResident, handleResidentAction } from './resident.js';
import { handleStaffAction, handleStaffCommand, handleStaffText } from './staff.js';
import { handleSteward, handleStewardAction } from './steward.js';
import { langOf, t } from './texts.js';
import type { Insight } from './insight-port.js';

export interface RouterOptions {
  insight?: Insight;
}

/**
 * Run `fn`; a user-facing AppError rolls back its writes and is answered instead. In a batch
 * (no savepoint, two statements fewer) it fails the batch, and the message runs again alone.
 */
export async function attempt(c: Conversation, fn: () => Promise<void>): Promise<void> {
  if (c.w.batch) return fn();
  await c.w.tx.$executeRawUnsafe('SAVEPOINT step');
  const mark = c.w.mark();
  try {
    await fn();
    await c.w.tx.$executeRawUnsafe('RELEASE SAVEPOINT step');
  } catch (err) {
    if (!(err instanceof AppError) || !err.userMessage) throw err;
    await c.w.tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT step');
    c.w.rollbackTo(mark);
    c.w.deps.logger.info({ code: err.code }, 'refused a user step');
    await c.ack(err.userMessage.slice(0, 180));
    await c.reply(err.userMessage);
  }
}

/**
 * Platform events that are not anybody speaking (the adapter sets `event` only from the
 * platform's own update fields): a group that became a supergroup keeps its binding under
 * the new id; membership changes are only logged.
 */
async function platformEvent(w: Work, msg: InboundMessage, event: PlatformEvent) {
  if (event.kind === 'migrated') {
    const moved = await w.tx.chatBinding.updateMany({ where: { platform: msg.platform, chatId: msg.chatId }, data: { chatId: event.toChatId } });
    w.deps.logger.info({ platform: msg.platform, moved: moved.count }, 'group migrated; bindings follow it');
    return;
  }
  w.deps.logger.info({ platform: msg.platform, status: event.status }, 'chat membership changed');
}

export function createRouter(opts: RouterOptions = {}) {
  return async function handleInbound(w: Work, msg: InboundMessage, inboundId: string): Promise<void> {
    if (msg.event) return platformEvent(w, msg, msg.event);
    const staff = msg.platform === 'wecom_kf' || msg.platform === 'open311' ? null : await findStaff(w, { platform: msg.platform, userId: msg.userId });
    const c = conversation(w, msg, inboundId, langOf(staff?.language ?? msg.language?.slice(0, 2)));
    const command = parseCommand(msg, { staff: !!staff || msg.chatType === 'group' || msg.platform === 'wecom' });

    // A number that names nothing is answered before any step runs (or writes): in a batch a refusal
    // would otherwise fail the whole transaction and send every message of it round again alone.
    const missing = await unknownNumber(w, numbersNamed(msg, command));
    if (missing) {
      const words = t(/^W\d/.test(missing) ? 'noSuchWhistle' : 'noSuchPetition', c.lang).replace('%s', missing);
      await c.ack(words);
      await c.reply(words);
      return;
    }

    await attempt(c, async () => {
      if (msg.action) {
        const action = decodeAction(msg.action.data);
        if (!action) {
          await c.ack(t('unknownCommand', c.lang));
          return;
        }
        if (await handleResidentAction(c, action)) return;
        if (await handleStewardAction(c, action)) return;
        await handleStaffAction(c, action, opts);
        return;
      }
      // 小巷管家 in their private chat: the one-tap report
      if (staff?.role === 'steward' && msg.chatType === 'private') return handleSteward(c, command);
      if (command && (await handleStaffCommand(c, command, opts))) return;
      if (staff || msg.chatType === 'group' || msg.platform === 'wecom') {
        if (await handleStaffText(c)) return;
        // WeCom application chats and private staff chats answer anything else with help;
        // Telegram groups stay quiet (they see replies meant for other people too).
        if (msg.chatType === 'private' || msg.platform === 'wecom') {
          if (!staff && msg.platform === 'wecom') await c.reply(t('notStaff', c.lang));
          else if (staff && msg.platform === 'wecom') await c.reply(`${t('unknownCommand', c.lang)}\n${t('staffHelp', c.lang)}`);
          else await handleResident(c, command);
        }
        return;
      }
      await handleResident(c, command);
    });
  };
}

/** Buttons whose arguments are all petition or whistle numbers (`lang` and `pl`'s place are not). */
const NUMBER_ARGS: Partial<Record<Verb, number>> = { acc: 1, prg: 1, res: 1, ext: 1, ret: 1, rep: 1, fin: 1, ra: 1, rr: 1, oa: 1, od: 1, mg: 2, wh: 1, rc: 1, rs: 1, rf: 1, pl: 1, wd: 1, ad: 1, rp: 1 };
const NUMBER = /^W?\d{10,11}$/;

/** The petition and whistle numbers a button or a command names. */
function numbersNamed(msg: InboundMessage, command: ParsedCommand | null): string[] {
  if (msg.action) {
    const action = decodeAction(msg.action.data);
    if (!action) return [];
    const args = action.args.slice(0, NUMBER_ARGS[action.verb] ?? 0);
    // Forged data is answered like a wrong number: anything in a number's place that is not one is named too.
    return args.filter((a) => a !== '');
  }
  if (!command || command.name.startsWith('_')) return [];
  const { number } = splitNumber(command.args);
  if (number) return [number];
  // `吹哨 单号 …` names a petition; `吹哨 三里屯 …` a place.
  const first = command.args.split(/\s+/)[0] ?? '';
  return command.name === 'whistle' && NUMBER.test(first) ? [first] : [];
}
