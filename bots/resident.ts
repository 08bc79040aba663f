/**
 * The resident's side: /start with a language choice, free text / photo /
 * location / contact into intake, /my with withdraw and add-info buttons,
 * place choices, and the rating (buttons, or one compact text reply where the
 * channel has no buttons).
 */
import { chooseRepeat, receiveResidentMessage, upsertResident } from '../core/workflow/intake.js';
import { myPetitions, rate, renewWindow, setLanguage, startAddingInfo, withdraw, residentOf } from '../core/workflow/resident.js';
import { AppError } from '../core/errors.js';
import type { Satisfaction, Solved } from '../prisma/generated/client.js';
import { encodeAction, type Verb } from './actions.js';
import { splitNumber, type ParsedCommand } from './commands.js';
import type { Conversation } from './conversation.js';
import { ratingQuestion } from './render.js';
import { b, langOf, shorten, statusText, t, type Lang } from './texts.js';

const SOLVED: Record<string, Solved> = { s: 'solved', p: 'partly', u: 'unsolved', '1': 'solved', '2': 'partly', '3': 'unsolved' };
const SATISFACTION: Record<string, Satisfaction> = { s: 'satisfied', b: 'basically', d: 'dissatisfied', '1': 'satisfied', '2': 'basically', '3': 'dissatisfied' };

async function residentLang(c: Conversation): Promise<Lang> {
  const r = await residentOf(c.w, c.who);
  return r ? langOf(r.language) : c.lang;
}

export async function handleResident(c: Conversation, command: ParsedCommand | null): Promise<void> {
  const { msg } = c;
  // Plain text goes to intake, which reads the resident itself (and locks it first).
  const l = command ? await residentLang(c) : c.lang;
  if (command?.name === 'start') {
    await upsertResident(c.w, { platform: msg.platform, userId: msg.userId, chatId: msg.chatId, language: msg.language, channelAccount: msg.channelAccount });
    await c.reply(`${t('welcome', l)}\n\n${t('chooseLanguage', l)}`, { buttons: [[{ label: '中文', data: encodeAction('lang', 'zh') }, { label: 'English', data: encodeAction('lang', 'en') }]] });
    return;
  }
  if (command?.name === 'help') return c.reply(t('help', l));
  if (command?.name === 'my') return listMine(c, l);
  if (command?.name === 'withdraw') {
    const { number } = splitNumber(command.args);
    if (!number) return listMine(c, l);
    await withdraw(c.w, c.who, number);
    return c.reply(t('withdrawn', l));
  }
  if (command?.name === 'rate') return compactRating(c, command.args, l);
  if (command?.slash && !['start', 'help', 'my'].includes(command.name)) {
    return c.reply(`${t('unknownCommand', l)}\n${t('help', l)}`);
  }
  await receiveResidentMessage(c.w, {
    resident: { platform: msg.platform, userId: msg.userId, chatId: msg.chatId, language: msg.language, channelAccount: msg.channelAccount },
    inboundId: c.inboundId,
    text: (msg.text ?? '').trim(),
    media: [...(msg.photo ? [{ kind: 'photo' as const, ...msg.photo }] : []), ...(msg.media ?? [])],
    unsupported: msg.unsupported,
    location: msg.location,
    contactPhone: msg.contactPhone,
    categoryCode: msg.categoryCode,
  });
}

async function listMine(c: Conversation, l: Lang) {
  const list = await myPetitions(c.w, c.who);
  if (!list.length) return c.reply(t('noPetitions', l));
  const lines = list.map((p) => `${p.number} ${statusText(p.status, l)}\n  ${shorten(p.summary, 40)}`);
  const open = list.filter((p) => !['closed', 'merged', 'withdrawn', 'redirected', 'rated'].includes(p.status)).slice(0, 5);
  await c.reply(lines.join('\n'), {
    buttons: open.map((p) => [
      { label: `${b('addInfo', l)} ${p.number}`, data: encodeAction('ad', p.number) },
      { label: `${b('withdraw', l)} ${p.number}`, data: encodeAction('wd', p.number) },
    ]),
  });
}

/** `评价 2611250001 111`: contacted, solved, satisfied in one reply (WeCom kf budget). */
async function compactRating(c: Conversation, args: string, l: Lang) {
  const { number, rest } = splitNumber(args);
  const digits = rest.replace(/\s+/g, '');
  if (!number || !/^[12][123][123]$/.test(digits)) {
    throw new AppError('bad_rating', 'bad compact rating', l === 'zh' ? '格式：评价 单号 三位数字，例如 评价 2611250001 111' : 'Format: rate NUMBER XYZ, e.g. rate 2611250001 111');
  }
  await rate(c.w, c.who, number, { contacted: digits[0] === '1' });
  await rate(c.w, c.who, number, { solved: SOLVED[digits[1]!]! });
  const done = await rate(c.w, c.who, number, { satisfaction: SATISFACTION[digits[2]!]! });
  await c.reply(done.outcome === 'reopen_requested' ? t('ratingReopen', l) : t('ratingComment', l));
}

const RESIDENT_VERBS = new Set<Verb>(['lang', 'rc', 'rs', 'rf', 'pl', 'wd', 'ad', 'rp']);

/** Buttons that belong to the resident; false when the action is someone else's. */
export async function handleResidentAction(c: Conversation, action: { verb: Verb; args: string[] }): Promise<boolean> {
  const [a0 = '', a1 = ''] = action.args;
  if (!RESIDENT_VERBS.has(action.verb)) return false;
  await renewWindow(c.w, c.who);
  const l = await residentLang(c);
  switch (action.verb) {
    case 'lang': {
      const lang = a0 === 'en' ? 'en' : 'zh';
      await setLanguage(c.w, { ...c.who, chatId: c.msg.chatId }, lang);
      await c.ack();
      await c.reply(t('welcome', lang));
      return true;
    }
    case 'rc':
    case 'rs':
    case 'rf': {
      const answer = action.verb === 'rc' ? { contacted: a1 === '1' } : action.verb === 'rs' ? { solved: SOLVED[a1] ?? 'unsolved' } : { satisfaction: SATISFACTION[a1] ?? 'dissatisfied' };
      const progress = await rate(c.w, c.who, a0, answer);
      await c.ack();
      if (progress.next === 'comment') {
        await c.reply(progress.outcome === 'reopen_requested' ? t('ratingReopen', l) : t('ratingComment', l));
      } else {
        const q = ratingQuestion(a0, progress.next, l);
        await c.reply(q.text, { buttons: q.buttons });
      }
      return true;
    }
    case 'pl': {
      // A place choice answers the pending question as if typed.
      const resident = await residentOf(c.w, c.who);
      const p = resident ? await c.w.tx.petition.findUnique({ where: { number: a0 } }) : null;
      if (!p || p.residentId !== resident?.id || p.status !== 'needs_info') {
        await c.ack(l === 'zh' ? '该问题已处理' : 'Already answered');
        return true;
      }
      // Say it the unambiguous way: district + street (八里庄 exists in two districts).
      const area = await c.w.tx.area.findUnique({ where: { code: a1 }, include: { parent: true } });
      await c.ack();
      await receiveResidentMessage(c.w, {
        resident: { platform: c.msg.platform, userId: c.msg.userId, chatId: c.msg.chatId, channelAccount: c.msg.channelAccount },
        inboundId: c.inboundId,
        text: area ? `${area.parent?.name ?? ''}${area.name}` : a1,
      });
      return true;
    }
    case 'rp': {
      // Same problem as the open petition, or a new one: the waiting message goes where the resident says.
      const done = await chooseRepeat(c.w, { platform: c.msg.platform, userId: c.msg.userId, chatId: c.msg.chatId, channelAccount: c.msg.channelAccount }, a0, a1 === 's' ? 'same' : 'new');
      await c.ack(done ? undefined : l === 'zh' ? '该问题已处理' : 'Already answered');
      return true;
    }
    case 'wd': {
      await withdraw(c.w, c.who, a0);
      await c.ack(t('withdrawn', l));
      await c.reply(`${a0} ${t('withdrawn', l)}`);
      return true;
    }
    case 'ad': {
      await startAddingInfo(c.w, c.who, a0);
      await c.ack();
      await c.reply(t('addInfoPrompt', l));
      return true;
    }
    default:
      return false;
  }
}

