/**
 * Words an intent for one recipient: the resident's notes, the dispatch card,
 * reminders, escalations, review requests, whistle tasks and the roll-call.
 * Department chats only ever see masked text and the masked contact.
 */
import type { OutboundMessage, Button } from '../adapters/types.js';
import { Prisma, type Tx } from '../core/db.js';
import type { PetitionStatus } from '../core/petition/lifecycle.js';
import type { Intent } from '../core/workflow/intents.js';
import type { Recipient } from '../core/workflow/recipients.js';
import { encodeAction } from './actions.js';
import { loadTaxonomy } from '../core/org/taxonomy.js';
import { b, fmtTime, langOf, statusText, t, triageText, type Lang } from './texts.js';
import { attachmentsOf, outboundAttachments, type StoredAttachment } from '../core/workflow/evidence.js';
import { contactLine, evidenceLines, mediaProblemText, receivedMediaText } from './evidence-words.js';

export interface Rendered {
  message: Omit<OutboundMessage, 'chatId'>;
  /** false: may be dropped when a channel's message budget is tight (WeCom kf: 5 per 48 h) */
  essential: boolean;
  petitionId?: string;
  assignmentId?: string;
  whistleId?: string;
}

interface Ctx {
  tx: Tx;
  timeZone: string;
  /** the client the transaction belongs to: unit names are cached per client (without it, per transaction) */
  client?: object;
}

const en = (l: Lang, zh: string, english: string) => (l === 'zh' ? zh : english);
/** The head of a 微信客服 菜单消息 holds this much (the question and its buttons fit under it). */
const KF_MENU_HEAD_BYTES = 900;

/** Category and area names are reference data shipped with the product: no query per notice. */
let NAMES: { categories: Map<string, { zh: string; en: string }>; areas: Map<string, string> } | undefined;
function referenceNames() {
  if (!NAMES) {
    const tax = loadTaxonomy();
    NAMES = {
      categories: new Map(tax.categories.map((c) => [c.code, { zh: c.name_zh, en: c.name_en }])),
      areas: new Map(tax.districts.flatMap((d) => [[d.code, d.name] as const, ...d.streets.map((st) => [st.code, st.name] as const)])),
    };
  }
  return NAMES;
}

function names(p: { categoryCode: string | null; districtCode: string | null; streetCode: string | null }, l: Lang) {
  const { categories, areas } = referenceNames();
  const cat = p.categoryCode ? categories.get(p.categoryCode) : undefined;
  return {
    category: cat ? (l === 'zh' ? cat.zh : cat.en) : '-',
    place: [p.districtCode && areas.get(p.districtCode), p.streetCode && areas.get(p.streetCode)].filter(Boolean).join(' '),
  };
}

/**
 * Unit names are reference data too, but they live in the database (org import can rename a
 * unit). A small in-process cache keyed by unit id with a short TTL saves one query per name
 * in every notice; a rename shows after at most UNIT_NAME_TTL_MS. One cache per Prisma client
 * (tests run one client per schema, so they never see each other's units).
 */
const UNIT_NAME_TTL_MS = 60_000;
const UNIT_NAME_MAX = 2_000;
const unitNameCaches = new WeakMap<object, Map<string, { name: string; until: number }>>();

function unitNameCache(ctx: Ctx): Map<string, { name: string; until: number }> {
  const owner = ctx.client ?? ctx.tx;
  let cache = unitNameCaches.get(owner);
  if (!cache) unitNameCaches.set(owner, (cache = new Map()));
  return cache;
}

function rememberUnitName(ctx: Ctx, id: string, name: string) {
  const cache = unitNameCache(ctx);
  if (cache.size >= UNIT_NAME_MAX) cache.clear();
  cache.set(id, { name, until: Date.now() + UNIT_NAME_TTL_MS });
}

function cachedUnitName(ctx: Ctx, id: string): string | undefined {
  const hit = unitNameCache(ctx).get(id);
  return hit && hit.until > Date.now() ? hit.name : undefined;
}

async function unitName(ctx: Ctx, id: string | undefined | null) {
  if (!id) return '-';
  const hit = cachedUnitName(ctx, id);
  if (hit !== undefined) return hit;
  const unit = await ctx.tx.unit.findUnique({ where: { id }, select: { name: true } });
  if (!unit) return id;
  rememberUnitName(ctx, id, unit.name);
  return unit.name;
}

function ratingQuestion(number: string, step: 'contacted' | 'solved' | 'satisfaction', l: Lang): { text: string; buttons: Button[][] } {
  if (step === 'contacted') return { text: t('ratingContacted', l), buttons: [[{ label: b('yes', l), data: encodeAction('rc', number, '1') }, { label: b('no', l), data: encodeAction('rc', number, '0') }]] };
  if (step === 'solved')
    return {
      text: t('ratingSolved', l),
      buttons: [[{ label: b('solved', l), data: encodeAction('rs', number, 's') }, { label: b('partly', l), data: encodeAction('rs', number, 'p') }, { label: b('unsolved', l), data: encodeAction('rs', number, 'u') }]],
    };
  return {
    text: t('ratingSatisfied', l),
    buttons: [[{ label: b('satisfied', l), data: encodeAction('rf', number, 's') }, { label: b('basically', l), data: encodeAction('rf', number, 'b') }, { label: b('dissatisfied', l), data: encodeAction('rf', number, 'd') }]],
  };
}
export { ratingQuestion };

/** Channels without buttons (WeCom kf text) answer all three rating questions in one reply. */
export function compactRatingHelp(number: string, l: Lang) {
  return en(
    l,
    `请回复“评价 ${number} 三位数字”：是否联系(1是 2否)、是否解决(1解决 2部分 3未解决)、是否满意(1满意 2基本满意 3不满意)，例如：评价 ${number} 111`,
    `Reply "rate ${number} XYZ": contacted (1 yes 2 no), solved (1 yes 2 partly 3 no), satisfied (1 yes 2 mostly 3 no), e.g. rate ${number} 111`,
  );
}

export function staffButtons(number: string, l: Lang): Button[][] {
  return [
    [{ label: b('accept', l), data: encodeAction('acc', number) }, { label: b('progress', l), data: encodeAction('prg', number) }, { label: b('resolve', l), data: encodeAction('res', number) }],
    [{ label: b('extend', l), data: encodeAction('ext', number) }, { label: b('return', l), data: encodeAction('ret', number) }],
  ];
}

interface CardRow {
  id: string;
  role: string;
  dueAt: Date | null;
  unitId: string;
  unitName: string;
  petitionId: string;
  number: string;
  categoryCode: string | null;
  districtCode: string | null;
  streetCode: string | null;
  community: string | null;
  address: string | null;
  summary: string;
  urgency: string;
  maskedText: string;
  phoneMasked: string | null;
  attachments: unknown;
  phoneDeclined: boolean;
  dispatchedAt: Date;
  contactedAt: Date | null;
  contactMethod: string | null;
}

const CARD_SELECT = Prisma.sql`
    SELECT a.id, a.role::text AS role, a."dueAt", a."unitId", u.name AS "unitName",
           p.id AS "petitionId", p.number, p."categoryCode", p."districtCode", p."streetCode", p.community, p.address,
           p.summary, p.urgency::text AS urgency, p."maskedText", r."phoneMasked",
           p.attachments, p."phoneDeclined", a."dispatchedAt", a."contactedAt", a."contactMethod"
      FROM "Assignment" a
      JOIN "Unit" u ON u.id = a."unitId"
      JOIN "Petition" p ON p.id = a."petitionId"
      LEFT JOIN "Resident" r ON r.id = p."residentId"`;

export async function renderCard(ctx: Ctx, assignmentId: string, l: Lang, copy = false, now = new Date()): Promise<Rendered | null> {
  // The assignment, its unit, its petition and the resident's masked phone in one statement.
  const a = preloadedRow(ctx, 'cards', assignmentId) ?? (await ctx.tx.$queryRaw<CardRow[]>`${CARD_SELECT} WHERE a.id = ${assignmentId}`)[0];
  if (!a) return null;
  rememberUnitName(ctx, a.unitId, a.unitName);
  const p = { ...a, id: a.petitionId };
  const n = names(p, l);
  const contact = a.phoneDeclined
    ? en(l, '市民要求只在平台沟通（请勿电话联系，可在本单回复）', 'The resident asked not to be called (reply on this card)')
    : (a.phoneMasked ?? en(l, '（平台留言，可在本单回复）', '(via chat; reply on this card)'));
  const role = a.role === 'lead' ? en(l, '主办', 'lead') : en(l, '协办', 'co-handler');
  const urgent = p.urgency === 'emergency' ? en(l, '【紧急】', '[URGENT] ') : '';
  const head = copy ? en(l, `【抄送督办】${a.unitName} 承办`, `[Copy for supervision] handled by ${a.unitName}`) : `${urgent}${en(l, '派单', 'Order')} ${p.number}（${role}）`;
  const fields = [
    { label: en(l, '编号', 'No.'), value: p.number },
    { label: en(l, '类别', 'Category'), value: n.category },
    { label: en(l, '地点', 'Place'), value: [n.place, p.community, p.address].filter(Boolean).join(' ') || '-' },
    { label: en(l, '诉求', 'Summary'), value: p.summary },
    { label: en(l, '联系方式', 'Contact'), value: contact },
    { label: en(l, '办结时限', 'Due'), value: fmtTime(a.dueAt, ctx.timeZone) },
  ];
  // Evidence (files, the pin as a map point, what could not be handed on) and whether the unit has contacted the resident.
  const attachments = attachmentsOf(a);
  const extra = [...evidenceLines(attachments, l), contactLine(a, ctx.timeZone, l, now)].filter((x): x is string => !!x);
  const text = [head, ...fields.map((f) => `${f.label}：${f.value}`), ...extra, en(l, `原文：${p.maskedText.slice(0, 500)}`, `Text: ${p.maskedText.slice(0, 500)}`)].join('\n');
  const files = outboundAttachments(attachments);
  const buttons = copy ? undefined : [...staffButtons(p.number, l), [{ label: b('callResident', l), data: encodeAction('ph', p.number) }, { label: b('contacted', l), data: encodeAction('ct', p.number) }]];
  return {
    message: { text, buttons, card: { title: head, fields, taskId: `a${a.id.replace(/-/g, '').slice(0, 24)}` }, ...(files.length ? { attachments: files } : {}) },
    essential: true,
    petitionId: p.id,
    assignmentId: a.id,
  };
}

/** What a resident's note shows of the petition (and the name of the unit it names). */
interface ResidentNoteRow {
  id: string;
  number: string;
  status: PetitionStatus;
  urgency: string;
  feedbackDueAt: Date | null;
  categoryCode: string | null;
  districtCode: string | null;
  streetCode: string | null;
  unitName: string | null;
  /** the unit whose name this row carries (null: none was asked for) */
  loadedUnit: string | null;
}
/** Resident notes that name the unit in `data.unitId`. */
const UNIT_NOTES = new Set<string>(['ack', 'accepted', 'redispatched']);
/** What a unit or area notice shows of the petition. */
const NOTICE_FIELDS = { id: true, number: true, summary: true } as const;

const NOTE_SELECT = Prisma.sql`
    SELECT p.id, p.number, p.status::text AS status, p.urgency::text AS urgency, p."feedbackDueAt", p."categoryCode", p."districtCode", p."streetCode",
           u.name AS "unitName", x.unit AS "loadedUnit"`;
const NOTE_JOIN = Prisma.sql`JOIN "Petition" p ON p.id = x.pid LEFT JOIN "Unit" u ON u.id = x.unit`;
/** The unit a resident note names and must load (not in the unit-name cache), if any. */
function noteUnitToLoad(ctx: Ctx, intent: Extract<Intent, { t: 'resident' }>): string | null {
  const unitId = UNIT_NOTES.has(intent.note) ? (intent.data?.unitId as string | undefined) : undefined;
  return unitId && cachedUnitName(ctx, unitId) === undefined ? unitId : null;
}

async function renderResident(ctx: Ctx, intent: Extract<Intent, { t: 'resident' }>, r: Recipient): Promise<Rendered | null> {
  const l = langOf(r.language);
  const kf = r.platform === 'wecom_kf';
  if (intent.note === 'need_details') {
    const got = (intent.data?.got as string[] | undefined) ?? [];
    const problems = (intent.data?.problems as { kind: string; problem: string }[] | undefined) ?? [];
    return { message: { text: [receivedMediaText(got, l), mediaProblemText(problems, l), t('needDetails', l)].filter(Boolean).join('\n') }, essential: true };
  }
  const d = intent.data ?? {};
  // The petition and, for the notes that name a unit not in the cache, that unit's name: one statement.
  const unitId = UNIT_NOTES.has(intent.note) ? (d.unitId as string | undefined) : undefined;
  const cached = unitId ? cachedUnitName(ctx, unitId) : undefined;
  const unitToLoad = noteUnitToLoad(ctx, intent);
  const loaded = preloadedRow(ctx, 'notes', intent.petitionId!);
  const p =
    loaded && (unitToLoad === null || loaded.loadedUnit === unitToLoad)
      ? loaded
      : (await ctx.tx.$queryRaw<ResidentNoteRow[]>`${NOTE_SELECT} FROM (SELECT ${intent.petitionId!}::text AS pid, ${unitToLoad}::text AS unit) x ${NOTE_JOIN}`)[0];
  if (!p) return null;
  if (unitId && cached === undefined && p.unitName !== null) rememberUnitName(ctx, unitId, p.unitName);
  /** as unitName(): '-' without a unit, its id when the unit does not exist */
  const unit = !unitId ? '-' : (cached ?? p.unitName ?? unitId);
  const base = { petitionId: p.id };
  const n = names(p, l);
  switch (intent.note) {
    case 'ack':
      return {
        ...base,
        essential: true,
        message: {
          text: en(
            l,
            `已受理，诉求编号 ${p.number}。\n类别：${n.category}\n地点：${n.place || '-'}\n已派${unit}办理，${p.urgency === 'emergency' ? '按紧急诉求处理' : `办理时限至 ${fmtTime(p.feedbackDueAt, ctx.timeZone)}`}。有进展会通知您。`,
            `Received. Petition number ${p.number}.\nCategory: ${n.category}\nPlace: ${n.place || '-'}\nSent to ${unit}; ${p.urgency === 'emergency' ? 'handled as urgent' : `due by ${fmtTime(p.feedbackDueAt, ctx.timeZone)}`}. We will keep you posted.`,
          ),
        },
      };
    case 'question': {
      const choices = (d.choices as { label: string; value: string }[] | undefined) ?? [];
      const buttons = choices.map((c) => [{ label: c.label, data: encodeAction('pl', p.number, c.value) }]);
      // A pin is invited only when a geocoder can place it (data.pinPlaces, decided by intake).
      const ask = choices.length ? t('askPlaceChoices', l) : d.hadPin ? t('askPlacePinKept', l) : d.pinPlaces === false ? t('askPlaceNamed', l) : t('askPlace', l);
      return { ...base, essential: true, message: { text: `${en(l, `诉求编号 ${p.number}。`, `Petition ${p.number}. `)}${ask}`, buttons: buttons.length ? buttons : undefined } };
    }
    case 'redirected':
      return { ...base, essential: true, message: { text: `${triageText(String(d.triage ?? ''), l)}\n${en(l, `记录编号 ${p.number}。`, `Record number ${p.number}.`)}` } };
    case 'repeat':
      return {
        ...base,
        essential: false,
        message: { text: en(l, `您的诉求 ${p.number} 正在办理（${statusText(p.status, l)}），补充内容已转给办理单位，无需重复提交。`, `Your petition ${p.number} is already being handled (${statusText(p.status, l)}); we added your message to it.`) },
      };
    case 'accepted':
      return { ...base, essential: false, message: { text: en(l, `诉求 ${p.number} 已由${unit}签收办理。`, `Petition ${p.number} was accepted by ${unit}.`) } };
    case 'progress':
      return { ...base, essential: false, message: { text: en(l, `诉求 ${p.number} 办理进展：${String(d.note ?? '')}`, `Progress on ${p.number}: ${String(d.note ?? '')}`) } };
    case 'extended':
      return {
        ...base,
        essential: true,
        message: { text: en(l, `诉求 ${p.number} 申请延期至 ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}，理由：${String(d.reason ?? '')}`, `Petition ${p.number} needs more time, until ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}. Reason: ${String(d.reason ?? '')}`) },
      };
    case 'resolved': {
      const head = en(l, `诉求 ${p.number} 已办结。\n答复：${String(d.answer ?? '')}\n`, `Petition ${p.number} is resolved.\nAnswer: ${String(d.answer ?? '')}\n`);
      // 微信客服 shows the buttons as a 菜单消息 (one message, a click per answer); an answer too long for a
      // menu's head goes as text with the typed code instead, so none of it is cut.
      if (kf && Buffer.byteLength(head) > KF_MENU_HEAD_BYTES) return { ...base, essential: true, message: { text: head + compactRatingHelp(p.number, l) } };
      const q = ratingQuestion(p.number, 'contacted', l);
      return { ...base, essential: true, message: { text: `${head}${en(l, '请您评价：', 'Please rate: ')}${q.text}`, buttons: q.buttons } };
    }
    case 'rating_reminder': {
      const rating = await ctx.tx.rating.findFirst({ where: { petitionId: p.id }, orderBy: { round: 'desc' } });
      const step = rating?.contacted === null || !rating ? 'contacted' : rating.solved === null ? 'solved' : 'satisfaction';
      const q = ratingQuestion(p.number, step, l);
      return { ...base, essential: true, message: { text: en(l, `提醒：请评价诉求 ${p.number}。`, `Reminder: please rate ${p.number}. `) + q.text, buttons: q.buttons } };
    }
    case 'reopened':
      return { ...base, essential: true, message: { text: en(l, `诉求 ${p.number} 已重新交办，办理时限至 ${fmtTime(p.feedbackDueAt, ctx.timeZone)}。`, `Petition ${p.number} was reopened; due by ${fmtTime(p.feedbackDueAt, ctx.timeZone)}.`) } };
    case 'closed':
      return { ...base, essential: true, message: { text: en(l, `诉求 ${p.number} 经审核不予重办，已结案。说明：${String(d.reason ?? '')}`, `Petition ${p.number} will not be reopened and is closed. Reason: ${String(d.reason ?? '')}`) } };
    case 'merged':
      return { ...base, essential: true, message: { text: en(l, `诉求 ${p.number} 与同一问题的诉求 ${String(d.into)} 合并办理，进展将一并通知。`, `Petition ${p.number} was merged into ${String(d.into)}, which covers the same problem.`) } };
    case 'redispatched':
      return { ...base, essential: false, message: { text: en(l, `诉求 ${p.number} 已改派${unit}办理。`, `Petition ${p.number} was re-routed to ${unit}.`) } };
    case 'comment_saved':
      return { ...base, essential: false, message: { text: t('commentSaved', l) } };
    case 'media_problem':
      return { ...base, essential: true, message: { text: `${en(l, `诉求 ${p.number}：`, `Petition ${p.number}: `)}${mediaProblemText((d.problems as { kind: string; problem: string }[]) ?? [], l)}` } };
    case 'unanswered':
      // Dispatched: the ack that follows carries the essentials (number, unit, deadline); closed: this is the last word.
      return d.outcome === 'closed'
        ? { ...base, essential: true, message: { text: `${en(l, `诉求 ${p.number}：`, `Petition ${p.number}: `)}${t('unansweredClosed', l)}` } }
        : { ...base, essential: false, message: { text: `${en(l, `诉求 ${p.number}：`, `Petition ${p.number}: `)}${t('unansweredDispatched', l)}` } };
  }
}

/** Later evidence, threaded to the card this chat has of the petition (its last sent card delivery). */
async function renderEvidence(ctx: Ctx, intent: Extract<Intent, { t: 'unit' }>, r: Recipient, l: Lang): Promise<Rendered | null> {
  const p = intent.petitionId ? await ctx.tx.petition.findUnique({ where: { id: intent.petitionId }, select: { id: true, number: true, attachments: true } }) : null;
  if (!p) return null;
  const d = intent.data ?? {};
  const items: StoredAttachment[] = attachmentsOf(p).slice(Number(d.from ?? 0), Number(d.to ?? undefined));
  const card = await ctx.tx.delivery.findFirst({
    where: { petitionId: p.id, platform: r.platform, chatId: r.chatId, assignmentId: { not: null }, sentMessageId: { not: null } },
    orderBy: { createdAt: 'desc' },
    select: { sentMessageId: true },
  });
  const text = [en(l, `【补充材料】诉求 ${p.number}（市民补充）`, `[More evidence] ${p.number} (from the resident)`), ...evidenceLines(items, l)].join('\n');
  const files = outboundAttachments(items);
  return {
    petitionId: p.id,
    essential: true,
    message: { text, ...(files.length ? { attachments: files } : {}), ...(card?.sentMessageId ? { replyToMessageId: card.sentMessageId } : {}) },
  };
}

async function renderUnit(ctx: Ctx, intent: Extract<Intent, { t: 'unit' }>, l: Lang, r?: Recipient): Promise<Rendered | null> {
  if (intent.note === 'evidence') return r ? renderEvidence(ctx, intent, r, l) : null;
  const p = intent.petitionId ? await ctx.tx.petition.findUnique({ where: { id: intent.petitionId }, select: NOTICE_FIELDS }) : null;
  const d = intent.data ?? {};
  const no = p?.number ?? '';
  const base = { petitionId: p?.id, essential: true };
  switch (intent.note) {
    case 'remind':
      return { ...base, message: { text: en(l, `【催办提醒】诉求 ${no} 已用时 ${d.pct}%，办结时限 ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}。`, `[Reminder] ${no}: ${d.pct}% of the time used; due ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}.`), buttons: staffButtons(no, l) } };
    case 'co_report':
      return { ...base, message: { text: en(l, `【协办反馈】${await unitName(ctx, d.from as string)} 对诉求 ${no}：${String(d.step)} ${d.text ?? ''}`, `[Co-handler] ${await unitName(ctx, d.from as string)} on ${no}: ${String(d.step)} ${d.text ?? ''}`) } };
    case 'return_refused':
      return { ...base, message: { text: en(l, `诉求 ${no} 的退单未获同意，请继续办理。说明：${String(d.reason ?? '')}`, `Your return of ${no} was refused; please handle it. ${String(d.reason ?? '')}`), buttons: staffButtons(no, l) } };
    case 'reassigned_away':
      return { ...base, message: { text: d.withdrawn ? en(l, `诉求 ${no} 已被市民撤回，无需继续办理。`, `${no} was withdrawn by the resident.`) : en(l, `诉求 ${no} 已改派其他单位，无需继续办理。`, `${no} was moved to another unit.`) } };
    case 'whistle_remind': {
      const w = intent.whistleId ? await ctx.tx.whistle.findUnique({ where: { id: intent.whistleId } }) : null;
      if (!w) return null;
      return { essential: true, whistleId: w.id, message: { text: en(l, `【报到提醒】吹哨 ${w.number} 已到报到时限，请立即报到：${w.place}`, `[Report now] whistle ${w.number} report time has passed: ${w.place}`), buttons: [[{ label: b('report', l), data: encodeAction('rep', w.number) }]] } };
    }
  }
}

async function renderArea(ctx: Ctx, intent: Extract<Intent, { t: 'area' }>, l: Lang): Promise<Rendered | null> {
  const p = intent.petitionId ? await ctx.tx.petition.findUnique({ where: { id: intent.petitionId }, select: NOTICE_FIELDS }) : null;
  const d = intent.data ?? {};
  const no = p?.number ?? '';
  const base = { petitionId: p?.id, essential: true };
  switch (intent.note) {
    case 'escalate':
      return { ...base, message: { text: en(l, `【督办】诉求 ${no}（${await unitName(ctx, d.unitId as string)}）已超过办结时限${d.level === 'district' ? '三倍' : ''}，请督办。摘要：${p?.summary ?? ''}`, `[Overdue${d.level === 'district' ? ' ×3' : ''}] ${no} at ${await unitName(ctx, d.unitId as string)} is past its deadline. ${p?.summary ?? ''}`) } };
    case 'review_return':
      return {
        ...base,
        message: {
          text: en(l, `【退单审核】${await unitName(ctx, d.unitId as string)} 退回诉求 ${no}，理由：${String(d.reason)}\n摘要：${p?.summary ?? ''}\n改派指定单位：派单 ${no} 单位`, `[Return to review] ${await unitName(ctx, d.unitId as string)} returned ${no}: ${String(d.reason)}\n${p?.summary ?? ''}\nTo name a unit: /dispatch ${no} UNIT`),
          buttons: [[{ label: b('approveReturn', l), data: encodeAction('ra', no) }, { label: b('refuseReturn', l), data: encodeAction('rr', no) }]],
        },
      };
    case 'review_reopen':
      return {
        ...base,
        message: {
          text: en(l, `【重办申请】诉求 ${no} 市民评价：${d.solved === 'unsolved' ? '未解决' : '部分/已解决'}，${d.satisfaction === 'dissatisfied' ? '不满意' : '满意/基本满意'}。摘要：${p?.summary ?? ''}`, `[Reopen request] ${no}: ${String(d.solved)}, ${String(d.satisfaction)}. ${p?.summary ?? ''}`),
          buttons: [[{ label: b('approveReopen', l), data: encodeAction('oa', no) }, { label: b('declineReopen', l), data: encodeAction('od', no) }]],
        },
      };
    case 'cluster': {
      const numbers = (d.numbers as string[]) ?? [];
      return {
        ...base,
        message: {
          text: en(l, `【同类聚集】同一地点同类诉求 ${numbers.length} 件：${numbers.join('、')}。可合并办理或吹哨召集部门。`, `[Cluster] ${numbers.length} petitions of the same kind at one place: ${numbers.join(', ')}. Merge them or summon departments.`),
          buttons: [[{ label: `${b('merge', l)} ${no}→${String(d.into)}`, data: encodeAction('mg', no, String(d.into)) }, { label: b('whistle', l), data: encodeAction('wh', no) }]],
        },
      };
    }
    case 'whistle_escalate': {
      const w = intent.whistleId ? await ctx.tx.whistle.findUnique({ where: { id: intent.whistleId } }) : null;
      return { essential: true, whistleId: w?.id, message: { text: en(l, `【吹哨未报到】${await unitName(ctx, d.unitId as string)} 未按时报到吹哨 ${w?.number ?? ''}（${w?.place ?? ''}）。`, `[No report] ${await unitName(ctx, d.unitId as string)} has not reported to whistle ${w?.number ?? ''}.`) } };
    }
    case 'report':
      return { essential: true, message: d.message as Rendered['message'] };
    case 'callback_needed':
      return { ...base, message: { text: en(l, `【需电话回访】诉求 ${no} 的市民已超出微信客服回复窗口，请电话回访。`, `[Phone callback] the resident of ${no} can no longer be messaged; please call back.`) } };
  }
}

export async function renderWhistleTask(ctx: Ctx, taskId: string, l: Lang): Promise<Rendered | null> {
  const task = await ctx.tx.whistleTask.findUnique({ where: { id: taskId }, include: { whistle: true } });
  if (!task) return null;
  const w = task.whistle;
  return {
    essential: true,
    whistleId: w.id,
    message: {
      text: en(l, `【吹哨报到】${w.number}\n地点：${w.place}\n事项：${w.summary}\n请于 ${fmtTime(task.reportDueAt, ctx.timeZone)} 前报到，办结时限 ${fmtTime(task.dueAt, ctx.timeZone)}。`, `[Whistle] ${w.number}\nPlace: ${w.place}\nMatter: ${w.summary}\nReport by ${fmtTime(task.reportDueAt, ctx.timeZone)}; finish by ${fmtTime(task.dueAt, ctx.timeZone)}.`),
      buttons: [[{ label: b('report', l), data: encodeAction('rep', w.number) }, { label: b('done', l), data: encodeAction('fin', w.number) }]],
    },
  };
}

export async function renderRollcall(ctx: Ctx, whistleId: string, l: Lang, now: Date): Promise<Rendered | null> {
  const w = await ctx.tx.whistle.findUnique({ where: { id: whistleId }, include: { tasks: { include: { unit: true }, orderBy: { unitId: 'asc' } } } });
  if (!w) return null;
  const lines = w.tasks.map((task) => {
    const state = task.resolvedAt
      ? en(l, '✅ 已完成', '✅ done')
      : task.reportedAt
        ? en(l, `🟢 已报到 ${fmtTime(task.reportedAt, ctx.timeZone)}${task.reportedAt > task.reportDueAt ? '（迟到）' : ''}`, `🟢 reported ${fmtTime(task.reportedAt, ctx.timeZone)}${task.reportedAt > task.reportDueAt ? ' (late)' : ''}`)
        : now > task.reportDueAt
          ? en(l, '🔴 超时未报到', '🔴 late, not reported')
          : en(l, '⚪ 未报到', '⚪ not yet');
    return `${task.unit.name}：${state}`;
  });
  const reported = w.tasks.filter((x) => x.reportedAt).length;
  const head = en(l, `【点名】吹哨 ${w.number}（${w.place}）报到 ${reported}/${w.tasks.length}`, `[Roll-call] whistle ${w.number} (${w.place}): ${reported}/${w.tasks.length} reported`);
  return { essential: true, whistleId: w.id, message: { text: [head, ...lines, w.status === 'resolved' ? en(l, '全部办结。', 'All done.') : ''].filter(Boolean).join('\n') } };
}

/**
 * What a fan-out of many notices will read, loaded with one statement per kind (cards, petition notes
 * to residents) before it renders them; each render then takes its row instead of querying. The rows
 * belong to that one fan-out: `forgetPreloaded` drops them when it is done.
 */
const preloaded = new WeakMap<object, { cards: Map<string, CardRow>; notes: Map<string, ResidentNoteRow> }>();

function preloadedRow<K extends 'cards' | 'notes'>(ctx: Ctx, kind: K, key: string) {
  return preloaded.get(ctx.tx)?.[kind].get(key) as (K extends 'cards' ? CardRow : ResidentNoteRow) | undefined;
}

export async function preloadRendering(ctx: Ctx, intents: Intent[]): Promise<void> {
  const cards = [...new Set(intents.flatMap((i) => (i.t === 'card' ? [i.assignmentId] : [])))];
  const notes = intents.flatMap((i) => (i.t === 'resident' && i.petitionId && i.note !== 'need_details' ? [{ pid: i.petitionId, unit: noteUnitToLoad(ctx, i) }] : []));
  const loaded = { cards: new Map<string, CardRow>(), notes: new Map<string, ResidentNoteRow>() };
  if (cards.length > 1) {
    for (const row of await ctx.tx.$queryRaw<CardRow[]>`${CARD_SELECT} WHERE a.id = ANY(${cards}::text[])`) loaded.cards.set(row.id, row);
  }
  if (notes.length > 1) {
    const rows = await ctx.tx.$queryRaw<ResidentNoteRow[]>`
      ${NOTE_SELECT} FROM unnest(${notes.map((n) => n.pid)}::text[], ${notes.map((n) => n.unit)}::text[]) AS x(pid, unit) ${NOTE_JOIN}`;
    for (const row of rows) loaded.notes.set(row.id, row);
  }
  preloaded.set(ctx.tx, loaded);
}

export function forgetPreloaded(ctx: Ctx): void {
  preloaded.delete(ctx.tx);
}

export async function renderIntent(ctx: Ctx, intent: Intent, r: Recipient, now: Date): Promise<Rendered | null> {
  const l = langOf(r.language);
  switch (intent.t) {
    case 'resident':
      return renderResident(ctx, intent, r);
    case 'card':
      return renderCard(ctx, intent.assignmentId, l, !!intent.copyToUnitId, now);
    case 'unit':
      return renderUnit(ctx, intent, l, r);
    case 'area':
      return renderArea(ctx, intent, l);
    case 'whistle_task':
      return renderWhistleTask(ctx, intent.taskId, l);
    case 'rollcall':
      return renderRollcall(ctx, intent.whistleId, l, now);
    case 'reply':
      return { message: intent.message, essential: true };
    case 'ack':
      return { message: { text: intent.text ?? '' }, essential: true };
  }
}
