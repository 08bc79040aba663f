/**
 * Department staff and coordinators: card buttons, text and slash commands,
 * and the text a button asks for (answer, reason) given by replying to the
 * prompt or to the card. Every handler ends in one workflow call.
 */
import { AppError } from '../core/errors.js';
import { applyTransition } from '../core/petition/lifecycle.js';
import { redeemBindCode } from '../core/org/bind-code.js';
import * as staffFlow from '../core/workflow/staff.js';
import * as coord from '../core/workflow/coordinate.js';
import * as whistleFlow from '../core/workflow/whistle.js';
import * as extFlow from '../core/workflow/extensions.js';
import * as waitFlow from '../core/workflow/waiting.js';
import { loadPetition } from '../core/workflow/dispatch.js';
import { randomBytes } from 'node:crypto';
import type { Button } from '../core/channel.js';
import type { UnitSummary } from '../core/org/units.js';
import { shortNamesNear } from '../core/org/units.js';
import { encodeAction, type Verb } from './actions.js';
import { parseDuration, splitNumber, type ParsedCommand } from './commands.js';
import type { Conversation } from './conversation.js';
import { renderCard, renderRollcall, unitName } from './render.js';
import * as contactFlow from '../core/workflow/contact.js';
import { privateChatOf } from '../core/workflow/recipients.js';
import { fmtDeadline, fmtTime, statusText, t, type Lang } from './texts.js';
import type { RouterOptions } from './router.js';

/** A button that needs text: the staff member's next message in that chat completes it. */
interface Prompt {
  verb: 'progress' | 'resolve' | 'extend' | 'return' | 'refuse_return' | 'decline_reopen' | 'done' | 'refuse_extension';
  /** the petition or whistle number (refuse_extension: the request id) */
  number: string;
  expiresAt: string;
}
const PROMPT_TTL_MS = 15 * 60_000;
const promptKey = (c: Conversation) => `prompt:${c.msg.platform}:${c.msg.chatId}:${c.msg.userId}`;

async function setPrompt(c: Conversation, verb: Prompt['verb'], number: string, question: string) {
  const value: Prompt = { verb, number, expiresAt: new Date(c.w.now.getTime() + PROMPT_TTL_MS).toISOString() };
  await c.w.tx.keyValue.upsert({ where: { key: promptKey(c) }, create: { key: promptKey(c), value: JSON.stringify(value) }, update: { value: JSON.stringify(value) } });
  await c.reply(question, { forceReply: true });
}

async function takePrompt(c: Conversation): Promise<Prompt | null> {
  const row = await c.w.tx.keyValue.findUnique({ where: { key: promptKey(c) } });
  if (!row) return null;
  await c.w.tx.keyValue.delete({ where: { key: promptKey(c) } });
  const p = JSON.parse(row.value) as Prompt;
  return new Date(p.expiresAt) > c.w.now ? p : null;
}

const zhen = (l: Lang, zh: string, en: string) => (l === 'zh' ? zh : en);

/**
 * A corrected command offered as a button ("did you mean 北京市自来水集团?"): stored under a short
 * key for the person it was offered to; pressing it runs the command as if they had typed it.
 */
interface Suggested {
  name: string;
  args: string;
  platform: string;
  userId: string;
  expiresAt: string;
}
const suggestionKey = (id: string) => `cmd:${id}`;

async function suggestButton(c: Conversation, label: string, name: string, args: string): Promise<Button> {
  const id = randomBytes(6).toString('base64url');
  const value: Suggested = { name, args, platform: c.msg.platform, userId: c.msg.userId, expiresAt: new Date(c.w.now.getTime() + PROMPT_TTL_MS).toISOString() };
  await c.w.tx.keyValue.create({ data: { key: suggestionKey(id), value: JSON.stringify(value) } });
  return { label: label.slice(0, 40), data: encodeAction('cmd', id) };
}

async function runSuggested(c: Conversation, id: string, opts: RouterOptions) {
  const row = await c.w.tx.keyValue.findUnique({ where: { key: suggestionKey(id) } });
  const s = row ? (JSON.parse(row.value) as Suggested) : null;
  if (!s || s.platform !== c.msg.platform || s.userId !== c.msg.userId || new Date(s.expiresAt) <= c.w.now) {
    throw new AppError('suggestion_expired', 'suggested command unknown, expired or offered to someone else', zhen(c.lang, '该选项已失效，请重新输入指令。', 'This choice has expired; type the command again.'));
  }
  await c.w.tx.keyValue.delete({ where: { key: suggestionKey(id) } });
  await c.ack();
  await handleStaffCommand(c, { name: s.name, args: s.args, slash: true }, opts);
}

/** "没有找到单位" with the closest units as buttons that re-run the command with the unit meant. */
async function unknownUnitsReply(c: Conversation, command: string, argsWith: (unitId: string) => string, unknown: string[], suggestions: Record<string, UnitSummary[]>) {
  const l = c.lang;
  const first = unknown[0]!;
  const offered = suggestions[first] ?? [];
  const lines = [zhen(l, `没有找到单位：${unknown.join('、')}。`, `No unit named ${unknown.join(', ')}.`)];
  if (offered.length) lines.push(zhen(l, `您是否指：`, 'Did you mean:'));
  else lines.push(zhen(l, '发送“帮助”查看本辖区可用的单位简称。', 'Send /help for the short names of your area.'));
  const buttons = [];
  for (const u of offered) buttons.push([await suggestButton(c, u.name, command, argsWith(u.id))]);
  await c.reply(lines.join('\n'), buttons.length ? { buttons } : undefined);
}

async function runVerb(c: Conversation, verb: Prompt['verb'] | 'accept', number: string, text: string) {
  const l = c.lang;
  switch (verb) {
    case 'accept': {
      const r = await staffFlow.accept(c.w, c.who, number);
      return c.reply(r.unchanged ? zhen(l, `${number} 已签收过。`, `${number} was already accepted.`) : zhen(l, `已签收 ${number}。`, `Accepted ${number}.`));
    }
    case 'progress':
      await staffFlow.progress(c.w, c.who, number, text);
      return c.reply(zhen(l, `已记录 ${number} 的进展并告知市民。`, `Progress on ${number} recorded; the resident is told.`));
    case 'resolve': {
      // 办结 on a whistle number is that unit's 完成
      if (number.startsWith('W')) return runVerb(c, 'done', number, text);
      const r = await staffFlow.resolve(c.w, c.who, number, text);
      if (r.reach === 'closed') {
        return c.reply(zhen(l, `${number} 已办结；市民渠道已关闭，答复无法送达，已转电话回访。`, `${number} resolved; the resident's channel has closed, so the answer cannot reach them: a phone callback is flagged.`));
      }
      if (r.reach === 'no_chat') return c.reply(zhen(l, `${number} 已办结。`, `${number} resolved.`));
      return c.reply(zhen(l, `${number} 已办结，答复将发送市民并请其评价。`, `${number} resolved; the answer is on its way to the resident with a rating request.`));
    }
    case 'extend': {
      const m = /^(\d{1,2})\s*(?:天|days?|d)?\s*([\s\S]*)$/i.exec(text.trim());
      if (!m) throw new AppError('bad_extension', 'extension without days', zhen(l, '格式：延期 单号 天数 理由，例如 延期 2611250001 3 需协调施工队', 'Format: /extend NUMBER DAYS REASON'));
      await extFlow.requestExtension(c.w, c.who, number, Number(m[1]), m[2] ?? '');
      return c.reply(zhen(l, `已提交 ${number} 延期 ${m[1]} 天的申请，等待协调人审批；审批前按原时限办理。`, `Extension of ${number} by ${m[1]} day(s) requested; the coordinator decides. Until then the deadline stands.`));
    }
    case 'refuse_extension': {
      const r = await extFlow.refuseExtension(c.w, c.who, number, text);
      return c.reply(zhen(l, `已驳回 ${r.petition.number} 的延期申请，已告知办理单位。`, `Extension of ${r.petition.number} refused; the unit is told.`));
    }
    case 'return':
      await staffFlow.returnOrder(c.w, c.who, number, text);
      return c.reply(zhen(l, `${number} 已退单，等待协调人审核。`, `${number} returned; a coordinator will review it.`));
    case 'refuse_return':
      await coord.refuseReturn(c.w, c.who, number, text);
      return c.reply(zhen(l, `已驳回 ${number} 的退单，原单位继续办理。`, `Return of ${number} refused; the unit keeps it.`));
    case 'decline_reopen':
      await coord.declineReopen(c.w, c.who, number, text);
      return c.reply(zhen(l, `${number} 不予重办，已结案并告知市民。`, `${number} closed without reopening; the resident is told.`));
    case 'done': {
      const r = await whistleFlow.finishTask(c.w, c.who, number, text);
      if (r.unchanged) return c.reply(zhen(l, '已完成过。', 'Already done.'));
      if (r.petitionResolved) return c.reply(zhen(l, `已记录完成 ${number}。各单位均已完成，诉求已办结，合并答复已发送市民并请其评价。`, `Marked done on ${number}. Every unit has finished: the petition is resolved and the combined answer went to the resident.`));
      if (!r.allDone) return c.reply(zhen(l, `已记录完成 ${number}${r.role === 'lead' ? '，待协办单位完成后一并答复市民' : ''}。`, `Marked done on ${number}${r.role === 'lead' ? '; the resident is answered once the co-handlers finish' : ''}.`));
      return c.reply(zhen(l, `已记录完成 ${number}，吹哨全部完成。`, `Marked done on ${number}; the whistle is complete.`));
    }
  }
}

const PROMPTS: Record<Prompt['verb'], [string, string]> = {
  progress: ['请回复本消息填写进展（单号 %s）', 'Reply with the progress note for %s'],
  resolve: ['请回复本消息填写办结答复（单号 %s）', 'Reply with the answer for %s'],
  extend: ['请回复：天数 理由（单号 %s），例如“3 需协调施工队”', 'Reply: days reason for %s, e.g. "3 waiting for contractor"'],
  return: ['请回复退单理由（单号 %s）', 'Reply with the reason for returning %s'],
  refuse_return: ['请回复驳回理由（单号 %s）', 'Reply with the reason for refusing the return of %s'],
  decline_reopen: ['请回复不予重办的理由（单号 %s）', 'Reply with the reason for closing %s'],
  done: ['请回复完成情况（吹哨 %s）', 'Reply with what was done for %s'],
  refuse_extension: ['请回复驳回延期的理由', 'Reply with the reason for refusing the extension'],
};

export async function handleStaffAction(c: Conversation, action: { verb: Verb; args: string[] }, opts: RouterOptions = {}): Promise<void> {
  const [a0 = '', a1 = ''] = action.args;
  const l = c.lang;
  const ask = async (verb: Prompt['verb']) => {
    // Check the right to act before asking for text.
    if (verb === 'refuse_return' || verb === 'decline_reopen') await coord.requireCoordinator(c.w, c.who, await loadPetition(c.w, a0));
    else if (verb === 'done') await whistleFlow.ownTask(c.w, c.who, a0);
    else if (verb === 'refuse_extension') await extFlow.requireExtensionReviewer(c.w, c.who, a0);
    else await staffFlow.requireAssignment(c.w, c.who, a0);
    await c.ack();
    await setPrompt(c, verb, a0, PROMPTS[verb][l === 'zh' ? 0 : 1].replace('%s', a0));
  };
  switch (action.verb) {
    case 'acc':
      await runVerb(c, 'accept', a0, '');
      return c.ack(zhen(l, '已签收', 'Accepted'));
    case 'prg':
      return ask('progress');
    case 'res':
      return ask('resolve');
    case 'ext':
      return ask('extend');
    case 'ret':
      return ask('return');
    case 'rep': {
      const r = await whistleFlow.report(c.w, c.who, a0);
      await c.ack(r.unchanged ? zhen(l, '已报到过', 'Already reported') : zhen(l, '已报到', 'Reported'));
      return;
    }
    case 'fin':
      return ask('done');
    case 'ra': {
      const r = await coord.approveReturn(c.w, c.who, a0);
      await c.ack();
      const name = await unitName({ tx: c.w.tx, timeZone: c.w.deps.timeZone, client: c.w.deps.db }, r.unitId);
      return c.reply(zhen(l, `已同意退单，${a0} 改派 ${name}。`, `Return approved; ${a0} re-routed to ${name}.`));
    }
    case 'rr':
      return ask('refuse_return');
    case 'oa': {
      await coord.approveReopen(c.w, c.who, a0);
      await c.ack();
      return c.reply(zhen(l, `${a0} 已重办，原单位重新办理。`, `${a0} reopened.`));
    }
    case 'od':
      return ask('decline_reopen');
    case 'mg': {
      await coord.merge(c.w, c.who, a0, a1);
      await c.ack();
      return c.reply(zhen(l, `${a0} 已合并到 ${a1}。`, `${a0} merged into ${a1}.`));
    }
    case 'xa': {
      const r = await extFlow.approveExtension(c.w, c.who, a0);
      await c.ack(zhen(l, '已同意延期', 'Extension approved'));
      return c.reply(zhen(l, `已同意 ${r.petition.number} 延期 ${r.request.days} 天，新时限 ${fmtTime(r.dueAt, c.w.deps.timeZone)}，提醒和督办随之顺延，已告知办理单位和市民。`, `Extension of ${r.petition.number} approved; new deadline ${fmtTime(r.dueAt, c.w.deps.timeZone)}.`));
    }
    case 'xr':
      return ask('refuse_extension');
    case 'wh': {
      // one tap on a cluster offer: summon the departments the petition needs
      await c.ack();
      return whistleOnPetition(c, a0);
    }
    case 'cmd':
      return runSuggested(c, a0, opts);
    case 'ph':
      return callResident(c, a0);
    case 'ct': {
      const r = await contactFlow.markContacted(c.w, c.who, a0);
      return c.ack(r.first ? zhen(l, `已记录联系 ${a0}`, `Contact recorded for ${a0}`) : zhen(l, '已记录过联系', 'Contact already recorded'));
    }
    default:
      await c.ack(t('unknownCommand', l));
  }
}

/**
 * 📞 联系市民: the resident's phone, to the staff member who asked only, in their own private chat
 * (never the group), filled in at send time; audited and limited per day (core/workflow/contact.ts).
 */
async function callResident(c: Conversation, number: string) {
  const l = c.lang;
  const r = await contactFlow.revealPhone(c.w, c.who, number);
  const text = zhen(l, `诉求 ${r.petition.number} 市民电话：{phone}\n请先联系市民再办理。本次查看已记录（单位、人员、时间）。`, `Petition ${r.petition.number}, resident's phone: {phone}\nThis view is recorded (unit, person, time).`);
  await c.w.notify(
    { t: 'reply', platform: c.msg.platform, chatId: privateChatOf(c.msg.platform, c.msg.userId), message: { text, revealPhoneOf: r.residentId } },
    `phone:${c.inboundId}`,
  );
  const toast = zhen(l, '电话已私信发送给您', 'The phone was sent to you privately');
  if (c.msg.action) await c.ack(toast);
  else if (c.msg.chatType === 'group') await c.reply(toast);
}

/** One-tap whistle on a petition: summon the category's handler and the street office. */
async function whistleOnPetition(c: Conversation, number: string) {
  const p = await loadPetition(c.w, number);
  const cat = p.categoryCode ? await c.w.tx.category.findUnique({ where: { code: p.categoryCode } }) : null;
  const area = p.streetCode ?? p.districtCode ?? '';
  const units = await c.w.tx.unit.findMany({
    where: { OR: [{ typeCode: cat?.handler ?? '', areaCode: p.districtCode }, { typeCode: cat?.handler ?? '', areaCode: null }, { id: `${p.streetCode}:street_office` }] },
    select: { id: true },
  });
  await openWhistleAndReply(c, { petitionNumber: number, unitIds: units.map((u) => u.id), areaCode: area });
}

async function openWhistleAndReply(c: Conversation, req: Omit<whistleFlow.WhistleRequest, 'chat'>) {
  const w = await whistleFlow.openWhistle(c.w, c.who, { ...req, chat: { platform: c.msg.platform, chatId: c.msg.chatId } });
  const lead = w.tasks.find((x) => x.role === 'lead');
  const co = w.tasks.filter((x) => x.role !== 'lead');
  await c.reply(
    zhen(
      c.lang,
      `已吹哨 ${w.number}，主办：${lead?.unit.name ?? '-'}${co.length ? `；协办：${co.map((x) => x.unit.name).join('、')}` : ''}。点名表会实时更新。`,
      `Whistle ${w.number} opened. Lead: ${lead?.unit.name ?? '-'}${co.length ? `; co-handlers: ${co.map((x) => x.unit.name).join(', ')}` : ''}. The roll-call updates live.`,
    ),
  );
}

/** Text commands and slash commands of staff and coordinators. Returns false if the command is not theirs. */
export async function handleStaffCommand(c: Conversation, cmd: ParsedCommand, opts: RouterOptions): Promise<boolean> {
  const l = c.lang;
  const { number, rest } = splitNumber(cmd.args);
  const needNumber = () => {
    if (!number) throw new AppError('no_number', 'number missing', zhen(l, '请写明单号，例如：签收 2611250001', 'Give the number, e.g. /accept 2611250001'));
    return number;
  };
  switch (cmd.name) {
    case 'bind': {
      const target = await redeemBindCode(c.w.tx, cmd.args, { platform: c.msg.platform, chatId: c.msg.chatId, userId: c.msg.userId }, c.w.now);
      const name = target.unitId ? (await c.w.tx.unit.findUnique({ where: { id: target.unitId } }))?.name : (await c.w.tx.area.findUnique({ where: { code: target.areaCode! } }))?.name;
      await c.reply(`${t('bound', l)} ${name ?? target.unitId ?? target.areaCode}`, target.areaCode ? { coordinatorMenu: true } : undefined);
      return true;
    }
    case 'accept':
      await runVerb(c, 'accept', needNumber(), '');
      return true;
    case 'progress':
    case 'resolve':
    case 'extend':
    case 'return':
      await runVerb(c, cmd.name, needNumber(), rest);
      return true;
    case 'ask': {
      const no = needNumber();
      await waitFlow.askResident(c.w, c.who, no, rest);
      await c.reply(zhen(l, `已将询问转给 ${no} 的市民（以本单位名义），等待答复期间办理时限暂停计时，最长 ${Math.round(c.w.deps.policy.residentWaitMs / 3_600_000)} 小时。`, `Question sent to the resident of ${no} in your unit's name; the clock is paused until the answer (at most ${Math.round(c.w.deps.policy.residentWaitMs / 3_600_000)} h).`));
      return true;
    }
    case 'report': {
      const r = await whistleFlow.report(c.w, c.who, needNumber());
      await c.reply(r.unchanged ? zhen(l, '已报到过。', 'Already reported.') : zhen(l, `已报到 ${number}${r.late ? '（超时）' : ''}。`, `Reported to ${number}${r.late ? ' (late)' : ''}.`));
      return true;
    }
    case 'done':
      await runVerb(c, 'done', needNumber(), rest);
      return true;
    case 'card': {
      const staff = await staffFlow.requireStaff(c.w, c.who);
      const a = await c.w.tx.assignment.findFirst({ where: { petition: { number: needNumber() }, ...(staff.role === 'admin' ? {} : { unitId: staff.unitId ?? '' }) }, orderBy: { dispatchedAt: 'desc' } });
      if (!a) throw new AppError('not_found', 'no assignment', zhen(l, '本单位没有这张工单。', 'Your unit has no such order.'));
      const card = await renderCard({ tx: c.w.tx, timeZone: c.w.deps.timeZone }, a.id, l);
      if (card) await c.reply(card.message.text, { buttons: card.message.buttons, card: card.message.card });
      return true;
    }
    case 'whistle':
      await whistleCommand(c, cmd.args);
      return true;
    case 'rollcall': {
      const list = await whistleFlow.rollcall(c.w, c.who, number ?? undefined);
      if (!list.length) await c.reply(zhen(l, '没有进行中的吹哨。', 'No open whistles.'));
      for (const w of list) {
        const r = await renderRollcall({ tx: c.w.tx, timeZone: c.w.deps.timeZone }, w.id, l, c.w.now);
        if (r) await c.reply(r.message.text);
      }
      return true;
    }
    case 'dispatch': {
      const no = needNumber();
      const given = rest.split(/\s+/)[0] ?? '';
      const p = await loadPetition(c.w, no);
      if (!given) throw new AppError('no_unit', 'dispatch without a unit', zhen(l, '格式：派单 单号 单位，例如 派单 2611250001 水务', 'Format: /dispatch NUMBER UNIT'));
      await coord.requireCoordinator(c.w, c.who, p);
      const { found, unknown, suggestions } = await whistleFlow.unitsByShortNames(c.w, p.streetCode ?? p.districtCode ?? '', [given]);
      if (!found[0] || unknown.length) {
        await unknownUnitsReply(c, 'dispatch', (id) => `${no} ${id}`, unknown, suggestions);
        return true;
      }
      await coord.reassign(c.w, c.who, no, found[0]);
      const name = await unitName({ tx: c.w.tx, timeZone: c.w.deps.timeZone, client: c.w.deps.db }, found[0]);
      await c.reply(zhen(l, `${no} 已派给 ${name}。`, `${no} dispatched to ${name}.`));
      return true;
    }
    case 'review': {
      const list = await coord.pendingReviews(c.w, c.who);
      if (!list.length) await c.reply(zhen(l, '没有待审核的退单或重办申请。', 'Nothing to review.'));
      for (const p of list) {
        const returnReview = p.status === 'returned';
        await c.reply(`${p.number} ${statusText(p.status, l)}\n${p.summary.slice(0, 60)}`, {
          buttons: [
            returnReview
              ? [{ label: zhen(l, '同意退单', 'Approve'), data: encodeAction('ra', p.number) }, { label: zhen(l, '驳回', 'Refuse'), data: encodeAction('rr', p.number) }]
              : [{ label: zhen(l, '同意重办', 'Reopen'), data: encodeAction('oa', p.number) }, { label: zhen(l, '不予重办', 'Close'), data: encodeAction('od', p.number) }],
          ],
        });
      }
      return true;
    }
    case 'overdue': {
      const list = await coord.overdue(c.w, c.who);
      await c.reply(
        list.length
          ? [zhen(l, `超期工单 ${list.length} 件：`, `${list.length} overdue:`), ...list.map((a) => `${a.petition.number} ${a.unit.name} ${zhen(l, '时限', 'due')} ${fmtDeadline(a.dueAt, c.w.deps.timeZone, l)}`)].join('\n')
          : zhen(l, '辖区内没有超期工单。', 'Nothing overdue in your area.'),
      );
      return true;
    }
    case 'stats':
    case 'hotspots': {
      const staff = await coord.requireCoordinator(c.w, c.who);
      if (!opts.insight) throw new AppError('unavailable', 'insight not wired', zhen(l, '统计功能暂不可用。', 'Statistics are not available.'));
      const report = cmd.name === 'stats' ? await opts.insight.stats(c.w, staff, rest || undefined) : await opts.insight.hotspots(c.w, staff);
      const late = cmd.name === 'stats' ? uncontactedLine(await contactFlow.uncontactedNearDeadline(c.w, staff.role === 'admin' ? null : staff.areaCode), c) : '';
      await c.reply([report.text, late].filter(Boolean).join('\n\n'), report.png ? { photo: { png: report.png, filename: `${cmd.name}.png` } } : undefined);
      return true;
    }
    case 'call':
    case 'contacted': {
      // Staff only: a resident's "已联系…" is ordinary text.
      if (!(await staffFlow.findStaff(c.w, c.who))) return false;
      const no = needNumber();
      if (cmd.name === 'call') await callResident(c, no);
      else {
        const r = await contactFlow.markContacted(c.w, c.who, no);
        await c.reply(r.first ? zhen(l, `已记录：${no} 已联系市民。`, `Recorded: ${no}, resident contacted.`) : zhen(l, `${no} 已记录过联系。`, `${no}: contact was already recorded.`));
      }
      return true;
    }
    case 'contact': {
      // The one place an unmasked phone is shown: to the area's coordinator, in a private chat, for a callback (回访).
      const p = await loadPetition(c.w, needNumber());
      await coord.requireCoordinator(c.w, c.who, p);
      const resident = p.residentId ? await c.w.tx.resident.findUnique({ where: { id: p.residentId } }) : null;
      if (c.msg.chatType !== 'private') throw new AppError('private_only', 'contact asked in a group', zhen(l, '联系方式只在私聊中提供。', 'Contact details are only given in a private chat.'));
      await applyTransition(c.w.tx, { petitionId: p.id, action: 'note', actor: { kind: 'coordinator', id: c.msg.userId }, reason: 'contact_viewed', at: c.w.now });
      // The phone is filled in at send time, so it is never stored unencrypted in the outbox.
      if (resident?.phoneEnc) await c.reply(zhen(l, `${p.number} 联系电话：{phone}`, `${p.number} phone: {phone}`), { revealPhoneOf: resident.id });
      else await c.reply(zhen(l, `${p.number} 的市民未留电话，只能通过原渠道联系。`, `No phone for ${p.number}; use the original channel.`));
      return true;
    }
    case 'help': {
      const staff = await staffFlow.findStaff(c.w, c.who);
      if (c.msg.chatType === 'private' && !staff) return false;
      const area = staff && (staff.role === 'coordinator' || staff.role === 'admin') ? staff.areaCode : null;
      const names = area ? await shortNamesNear(c.w.tx, area) : [];
      await c.reply(names.length ? `${t('staffHelp', l)}\n${zhen(l, '本辖区单位简称', 'Unit short names here')}：${names.join('、')}` : t('staffHelp', l));
      return true;
    }
    default:
      return false;
  }
}

/** /stats: the petitions nobody has contacted yet with half their time or more used (one short line). */
function uncontactedLine(u: { total: number; list: contactFlow.Uncontacted[] }, c: Conversation): string {
  if (!u.total) return '';
  const l = c.lang;
  const items = u.list.map((x) => `${x.number} ${x.unitName} ${zhen(l, '时限', 'due')} ${fmtTime(x.dueAt, c.w.deps.timeZone)}`).join(zhen(l, '；', '; '));
  return zhen(l, `⚠ 未联系市民且临近时限 ${u.total} 件：${items}`, `⚠ ${u.total} not yet contacted and near the deadline: ${items}`);
}

/** `吹哨 <单号|地点> <部门…> [30分钟]` */
async function whistleCommand(c: Conversation, args: string) {
  const l = c.lang;
  const tokens = args.split(/\s+/).filter(Boolean);
  const target = tokens.shift();
  if (!target) throw new AppError('bad_whistle', 'empty whistle', zhen(l, '格式：吹哨 单号或地点 部门… [30分钟]', 'Format: /whistle NUMBER-or-PLACE UNITS… [30]'));
  const last = tokens.at(-1);
  const reportMs = last ? parseDuration(last) : null;
  if (reportMs) tokens.pop();
  const isNumber = /^\d{10,11}$/.test(target);
  let areaCode: string | undefined;
  let place: string | undefined;
  if (isNumber) {
    const p = await c.w.tx.petition.findUnique({ where: { number: target } });
    if (!p) throw new AppError('not_found', 'whistle on an unknown petition', zhen(l, `找不到诉求 ${target}。`, `No petition ${target}.`));
    areaCode = p.streetCode ?? p.districtCode ?? undefined;
  } else {
    const u = await c.w.deps.understand(target, {});
    areaCode = u.place.streetCode ?? u.place.districtCode ?? undefined;
    place = target;
    if (!areaCode) throw new AppError('no_place', 'whistle place unknown', zhen(l, `无法确定地点“${target}”，请写区和街道。`, `Cannot place "${target}"; give the district and street.`));
  }
  // `主办:住建` (or `lead:住建`) names the lead; otherwise the first named unit leads.
  const leadMark = /^(?:主办|lead)[:：]/i;
  const leadToken = tokens.find((x) => leadMark.test(x));
  const names = tokens.map((x) => x.replace(leadMark, '')).filter(Boolean);
  const { found, unknown, suggestions } = await whistleFlow.unitsByShortNames(c.w, areaCode ?? '', names);
  if (unknown.length) {
    // each button: the same whistle with the first unknown name replaced by the unit meant (a 主办: mark kept)
    const swap = (x: string, id: string) => (x.replace(leadMark, '') === unknown[0] ? x.replace(/^((?:主办|lead)[:：])?.*$/i, `$1${id}`) : x);
    const rest = (id: string) => [target, ...tokens.map((x) => swap(x, id)), ...(last && reportMs ? [last] : [])].join(' ');
    return unknownUnitsReply(c, 'whistle', rest, unknown, suggestions);
  }
  const lead = leadToken ? (await whistleFlow.unitsByShortNames(c.w, areaCode ?? '', [leadToken.replace(leadMark, '')])).found[0] : undefined;
  await openWhistleAndReply(c, { petitionNumber: isNumber ? target : undefined, areaCode, place, unitIds: found, leadUnitId: lead, reportWithinMs: reportMs ?? undefined });
}

/**
 * Plain text from staff: completes a pending prompt, or, as a reply to a card,
 * acts on that card's petition (办结/退单/延期 + text, else a progress note).
 */
export async function handleStaffText(c: Conversation): Promise<boolean> {
  const text = (c.msg.text ?? '').trim();
  if (!text) return false;
  const prompt = await takePrompt(c);
  if (prompt) {
    await runVerb(c, prompt.verb, prompt.number, text);
    return true;
  }
  if (!c.msg.replyToMessageId) return false;
  const card = await c.w.tx.delivery.findFirst({ where: { platform: c.msg.platform, chatId: c.msg.chatId, sentMessageId: c.msg.replyToMessageId, petitionId: { not: null } } });
  if (!card?.petitionId) return false;
  const p = await c.w.tx.petition.findUnique({ where: { id: card.petitionId } });
  if (!p) return false;
  const m = /^(办结|退单|延期|进展|签收|resolve|return|extend|progress|accept)\s*([\s\S]*)$/i.exec(text);
  const verbs: Record<string, Prompt['verb'] | 'accept'> = { 办结: 'resolve', resolve: 'resolve', 退单: 'return', return: 'return', 延期: 'extend', extend: 'extend', 进展: 'progress', progress: 'progress', 签收: 'accept', accept: 'accept' };
  await runVerb(c, m ? verbs[m[1]!.toLowerCase()]! : 'progress', p.number, m ? m[2]! : text);
  return true;
}
