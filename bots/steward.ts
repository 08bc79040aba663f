/**
 * 小巷管家 in a private chat: the one-tap report (a category button of their area → one of
 * their communities → an optional photo and a line of text → dispatched at once), the open
 * petitions of their area, and their own reports (/my) followed like a resident's.
 */
import { AppError } from '../core/errors.js';
import * as stewardFlow from '../core/workflow/steward.js';
import { encodeAction, type Verb } from './actions.js';
import type { ParsedCommand } from './commands.js';
import type { Conversation } from './conversation.js';
import { handleResident } from './resident.js';
import { fmtTime, statusText, type Lang } from './texts.js';

interface Draft {
  category: string;
  /** index into the steward's places; null: the street as a whole */
  place: number | null;
  expiresAt: string;
}
const DRAFT_TTL_MS = 30 * 60_000;
const draftKey = (c: Conversation) => `steward:${c.msg.platform}:${c.msg.userId}`;
const zhen = (l: Lang, zh: string, en: string) => (l === 'zh' ? zh : en);

async function saveDraft(c: Conversation, draft: Omit<Draft, 'expiresAt'>) {
  const value = JSON.stringify({ ...draft, expiresAt: new Date(c.w.now.getTime() + DRAFT_TTL_MS).toISOString() });
  await c.w.tx.keyValue.upsert({ where: { key: draftKey(c) }, create: { key: draftKey(c), value }, update: { value } });
}

async function takeDraft(c: Conversation): Promise<Draft | null> {
  const row = await c.w.tx.keyValue.findUnique({ where: { key: draftKey(c) } });
  if (!row) return null;
  await c.w.tx.keyValue.delete({ where: { key: draftKey(c) } });
  const d = JSON.parse(row.value) as Draft;
  return new Date(d.expiresAt) > c.w.now ? d : null;
}

/** Step 1: the frequent categories of the steward's area, one button each. */
async function categoryMenu(c: Conversation) {
  const steward = await stewardFlow.requireSteward(c.w, c.who);
  const cats = await stewardFlow.stewardCategories(c.w, steward);
  const l = c.lang;
  const buttons = [];
  for (let i = 0; i < cats.length; i += 2) buttons.push(cats.slice(i, i + 2).map((x) => ({ label: l === 'zh' ? x.nameZh : x.nameEn, data: encodeAction('sc', x.code) })));
  await c.reply(zhen(l, '小巷管家一键上报：请选择问题类别。\n（“片区” 查看辖区未办结诉求，“我的” 查看您上报的诉求）', 'Steward report: choose the kind of problem.\n(/open: open petitions of your area, /my: your reports)'), { buttons });
}

async function file(c: Conversation, draft: Draft, text?: string, photoFileId?: string) {
  const location = c.msg.location;
  const p = await stewardFlow.fileStewardReport(c.w, c.who, { categoryCode: draft.category, placeIndex: draft.place, text, photoFileId, location, inboundId: c.inboundId, chatId: c.msg.chatId });
  await c.reply(zhen(c.lang, `已作为小巷管家上报 ${p.number} 并立即派单，办理进展会通知您。`, `Filed as a steward report, ${p.number}, and dispatched at once; you will get the updates.`));
}

/** A steward's message in their private chat. Resident commands (/my, rating) work as for a resident. */
export async function handleSteward(c: Conversation, command: ParsedCommand | null): Promise<void> {
  const l = c.lang;
  if (command && ['my', 'rate', 'withdraw'].includes(command.name)) return handleResident(c, command);
  if (command?.name === 'area_open') {
    const { petitions } = await stewardFlow.stewardOpenPetitions(c.w, c.who);
    if (!petitions.length) return c.reply(zhen(l, '辖区内没有未办结的诉求。', 'No open petitions in your area.'));
    const lines = petitions.map((p) => `${p.number} ${statusText(p.status, l)}${p.stewardId ? zhen(l, '【管家】', ' [steward]') : ''} ${p.community ?? ''}\n  ${p.summary.slice(0, 40)}（${zhen(l, '时限', 'due')} ${fmtTime(p.feedbackDueAt, c.w.deps.timeZone)}）`);
    return c.reply([zhen(l, `辖区未办结诉求 ${petitions.length} 件：`, `${petitions.length} open petitions:`), ...lines].join('\n'));
  }
  if (!command) {
    const draft = await takeDraft(c);
    const text = (c.msg.text ?? '').trim();
    // a pin answers the community question too (the street as a whole, with the exact point)
    if (draft && (text || c.msg.photo || c.msg.location)) return file(c, draft, text, c.msg.photo?.fileId);
  }
  return categoryMenu(c);
}

/** The steward's buttons; false when the action is not one of theirs. */
export async function handleStewardAction(c: Conversation, action: { verb: Verb; args: string[] }): Promise<boolean> {
  const [a0 = '', a1 = ''] = action.args;
  const l = c.lang;
  switch (action.verb) {
    case 'sc': {
      const steward = await stewardFlow.requireSteward(c.w, c.who);
      await c.ack();
      const places = stewardFlow.stewardPlaces(steward);
      if (!places.length) {
        await saveDraft(c, { category: a0, place: null });
        await askDetails(c);
        return true;
      }
      const buttons = places.map((name, i) => [{ label: name, data: encodeAction('sp', a0, String(i)) }]);
      buttons.push([{ label: zhen(l, '整个街道/其他位置', 'Elsewhere in the street'), data: encodeAction('sp', a0, '-') }]);
      // until a community is chosen, a pin stands for the place (the street, with the exact point)
      await saveDraft(c, { category: a0, place: null });
      await c.reply(zhen(l, '在哪个社区/街巷？也可以直接发送位置。', 'Which community or lane? Or send your location.'), { buttons });
      return true;
    }
    case 'sp': {
      const steward = await stewardFlow.requireSteward(c.w, c.who);
      const index = a1 === '-' ? null : Number(a1);
      if (index !== null && !(Number.isInteger(index) && index >= 0 && index < steward.places.length)) {
        throw new AppError('bad_place', 'steward place out of range', zhen(l, '请从按钮中选择地点。', 'Choose a place from the buttons.'));
      }
      await c.ack();
      await saveDraft(c, { category: a0, place: index });
      await askDetails(c);
      return true;
    }
    case 'sk': {
      await stewardFlow.requireSteward(c.w, c.who);
      const draft = await takeDraft(c);
      await c.ack();
      if (!draft) {
        await categoryMenu(c);
        return true;
      }
      await file(c, draft);
      return true;
    }
    default:
      return false;
  }
}

async function askDetails(c: Conversation) {
  await c.reply(zhen(c.lang, '可以发一张照片和一句话说明（照片可带文字说明），或直接上报：', 'Send a photo and a line of text (a caption works), or file it now:'), {
    buttons: [[{ label: zhen(c.lang, '直接上报', 'File now'), data: encodeAction('sk') }]],
  });
}
