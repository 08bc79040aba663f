/**
 * Words an intent for one recipient: the resident's notes, the dispatch card,
 * reminders, escalations, review requests, whistle tasks and the roll-call.
 * Department chats only ever see masked text and the masked contact.
 */
import type { OutboundMessage, Button } from '../core/channel.js';
import { Prisma, type Tx } from '../core/db.js';
import type { PetitionStatus } from '../core/petition/lifecycle.js';
import type { Intent } from '../core/workflow/intents.js';
import type { Recipient } from '../core/workflow/recipients.js';
import { encodeAction } from './actions.js';
import { loadTaxonomy } from '../core/org/taxonomy.js';
import { safetyKind, type SafetyKind } from '../core/workflow/safety.js';
import { b, fmtDeadline, fmtTime, langOf, safetyText, statusText, t, triageText, type Lang } from './texts.js';

/** Words for a message that was recorded, not dispatched (issue 19), by what the resident wanted. */
const RECORDED_TEXT: Record<string, 'recordedPraise' | 'recordedSuggestion' | 'recordedConsult' | 'recordedAbuse'> = {
  praise: 'recordedPraise',
  suggestion: 'recordedSuggestion',
  consult: 'recordedConsult',
  abuse: 'recordedAbuse',
};
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

/** A unit's name as people read it (never its internal id), cached per client. */
export async function unitName(ctx: Ctx, id: string | undefined | null) {
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
    { label: en(l, '办结时限', 'Due'), value: fmtDeadline(a.dueAt, ctx.timeZone, l) },
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

/** A card whose unit has no bound chat and no staff, shown to the coordinators instead (no buttons: they cannot act for the unit). */
async function renderUnboundCard(ctx: Ctx, assignmentId: string, l: Lang): Promise<Rendered | null> {
  const a = preloadedRow(ctx, 'cards', assignmentId) ?? (await ctx.tx.$queryRaw<CardRow[]>`${CARD_SELECT} WHERE a.id = ${assignmentId}`)[0];
  if (!a) return null;
  const n = names(a, l);
  const text = en(
    l,
    `【未绑定单位】${a.unitName} 没有绑定的群，也没有登记的工作人员，派单无人接收。\n诉求 ${a.number}（${n.category}，${n.place || '-'}）\n摘要：${a.summary}\n请为该单位绑定群（bind-code ${a.unitId}）或登记人员，或改派：派单 ${a.number} 单位`,
    `[Unit not bound] ${a.unitName} has no bound chat and no staff: nobody receives this order.\nPetition ${a.number} (${n.category}, ${n.place || '-'})\nSummary: ${a.summary}\nBind a chat to the unit (bind-code ${a.unitId}) or register staff, or re-route: /dispatch ${a.number} UNIT`,
  );
  return { message: { text }, essential: true, petitionId: a.petitionId, assignmentId: a.id };
}

const ALERT_LABELS: Record<string, [string, string]> = {
  send_failed: ['消息未送达', 'Message not delivered'],
  intake_failed: ['来信无法处理', 'Message could not be processed'],
  no_recipient: ['通知无人接收', 'Notice with no recipient'],
  unbound_unit: ['未绑定单位', 'Unit not bound'],
};

function renderAlerts(intent: Extract<Intent, { t: 'area' }>, l: Lang): Rendered {
  const d = intent.data ?? {};
  const items = (d.items as { kind: string; number?: string | null; detail: string }[] | undefined) ?? [];
  const more = Number(d.more ?? 0);
  const lines = items.map((x) => {
    const [zh, english] = ALERT_LABELS[x.kind] ?? [x.kind, x.kind];
    const what = x.number ? en(l, `诉求 ${x.number}：`, `petition ${x.number}: `) : '';
    return `• ${en(l, zh, english)} ${what}${x.detail}`;
  });
  const head = en(l, `【未送达提醒】${items.length + more} 件事没有送到人，请处理：`, `[Alert] ${items.length + more} things did not reach anyone:`);
  const tail = more ? [en(l, `……另有 ${more} 件，见看板。`, `…and ${more} more on the dashboard.`)] : [en(l, '看板中可查看全部。', 'All of them are listed on the dashboard.')];
  return { message: { text: [head, ...lines, ...tail].join('\n').slice(0, 3500) }, essential: true };
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
const UNIT_NOTES = new Set<string>(['ack', 'accepted', 'redispatched', 'unit_question', 'answer_relayed']);
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
    case 'ack': {
      const safety = safetyKind({ urgency: p.urgency, categoryCode: p.categoryCode });
      return {
        ...base,
        essential: true,
        message: {
          text: (safety ? `${safetyText(safety, l)}\n\n` : '') + en(
            l,
            `已受理，诉求编号 ${p.number}。\n类别：${n.category}\n地点：${n.place || '-'}\n已派${unit}办理，${p.urgency === 'emergency' ? '按紧急诉求处理' : `办理时限至 ${fmtTime(p.feedbackDueAt, ctx.timeZone)}`}。有进展会通知您。`,
            `Received. Petition number ${p.number}.\nCategory: ${n.category}\nPlace: ${n.place || '-'}\nSent to ${unit}; ${p.urgency === 'emergency' ? 'handled as urgent' : `due by ${fmtTime(p.feedbackDueAt, ctx.timeZone)}`}. We will keep you posted.`,
          ),
        },
      };
    }
    case 'question': {
      const choices = (d.choices as { label: string; value: string }[] | undefined) ?? [];
      const buttons = choices.map((c) => [{ label: c.label, data: encodeAction('pl', p.number, c.value) }]);
      // An emergency: what to do now comes first, and the place is asked for at once.
      const safety = d.safety ? `${safetyText(d.safety as SafetyKind, l)}\n\n` : '';
      // A pin is invited only when a geocoder can place it (data.pinPlaces, decided by intake).
      const ask = choices.length
        ? t('askPlaceChoices', l)
        : d.hadPin
          ? t('askPlacePinKept', l)
          : d.safety
            ? t('askPlaceNow', l)
            : d.pinPlaces === false
              ? t('askPlaceNamed', l)
              : t('askPlace', l);
      return { ...base, essential: true, message: { text: `${safety}${en(l, `诉求编号 ${p.number}。`, `Petition ${p.number}. `)}${ask}`, buttons: buttons.length ? buttons : undefined } };
    }
    case 'redirected':
      return { ...base, essential: true, message: { text: `${triageText(String(d.triage ?? ''), l)}\n${en(l, `记录编号 ${p.number}。`, `Record number ${p.number}.`)}` } };
    case 'repeat':
      return {
        ...base,
        essential: false,
        message: { text: en(l, `您的诉求 ${p.number} 正在办理（${statusText(p.status, l)}），补充内容已转给办理单位，无需重复提交。`, `Your petition ${p.number} is already being handled (${statusText(p.status, l)}); we added your message to it.`) },
      };
    case 'same_or_new':
      return {
        ...base,
        essential: true,
        message: {
          text: en(
            l,
            `您反映过的诉求 ${p.number}（${n.category}，${statusText(p.status, l)}）还在办理。这条新消息说的是同一个问题吗？`,
            `Your petition ${p.number} (${n.category}, ${statusText(p.status, l)}) is still open. Is this new message about the same problem?`,
          ),
          buttons: [[{ label: en(l, `同一问题，补充到 ${p.number}`, `Same problem, add to ${p.number}`), data: encodeAction('rp', p.number, 's') }], [{ label: en(l, '新问题，单独受理', 'A new problem'), data: encodeAction('rp', p.number, 'n') }]],
        },
      };
    case 'accepted':
      return { ...base, essential: false, message: { text: en(l, `诉求 ${p.number} 已由${unit}签收办理。`, `Petition ${p.number} was accepted by ${unit}.`) } };
    case 'progress':
      return { ...base, essential: false, message: { text: en(l, `诉求 ${p.number} 办理进展：${String(d.note ?? '')}`, `Progress on ${p.number}: ${String(d.note ?? '')}`) } };
    case 'extended':
      return {
        ...base,
        essential: true,
        message: { text: en(l, `诉求 ${p.number} 经审批延期至 ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}，理由：${String(d.reason ?? '')}`, `Petition ${p.number} needs more time, until ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}. Reason: ${String(d.reason ?? '')}`) },
      };
    case 'resolved': {
      const parts = d.parts as { unitId: string; role: string; note: string | null }[] | undefined;
      const answer = parts?.length
        ? (await Promise.all(parts.map(async (x) => `\n${x.role === 'lead' ? en(l, '（主办）', '(lead) ') : en(l, '（协办）', '(co-handler) ')}${await unitName(ctx, x.unitId)}：${x.note ?? '-'}`))).join('')
        : String(d.answer ?? '');
      const head = parts?.length
        ? en(l, `诉求 ${p.number} 已办结（多部门联合办理）。\n答复：${answer}\n`, `Petition ${p.number} is resolved by a joint case.\nAnswer:${answer}\n`)
        : en(l, `诉求 ${p.number} 已办结。\n答复：${answer}\n`, `Petition ${p.number} is resolved.\nAnswer: ${answer}\n`);
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
    case 'recorded':
      return { ...base, essential: true, message: { text: `${en(l, `记录编号 ${p.number}。`, `Record number ${p.number}. `)}${t(RECORDED_TEXT[String(d.intent)] ?? 'recordedOther', l)}` } };
    case 'comment_saved':
      return { ...base, essential: false, message: { text: t('commentSaved', l) } };
    case 'unit_question':
      return {
        ...base,
        essential: true,
        message: { text: en(l, `【${unit}询问】诉求 ${p.number}：${String(d.question ?? '')}\n请直接回复本消息，您的答复会转给办理单位。`, `[${unit} asks] petition ${p.number}: ${String(d.question ?? '')}\nReply here; your answer goes to the department.`) },
      };
    case 'answer_relayed':
      return { ...base, essential: false, message: { text: en(l, `您的答复已转给${unit}（诉求 ${p.number}）。`, `Your answer went to ${unit} (petition ${p.number}).`) } };
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
    case 'undeliverable':
      return { ...base, message: { text: en(l, `诉求 ${no} 发给市民的消息未能送达（市民渠道已关闭），已转电话回访。`, `The message to the resident of ${no} did not get through (their channel has closed); a phone callback is flagged.`) } };
    case 'reassigned_away':
      return { ...base, message: { text: d.withdrawn ? en(l, `诉求 ${no} 已被市民撤回，无需继续办理。`, `${no} was withdrawn by the resident.`) : en(l, `诉求 ${no} 已改派其他单位，无需继续办理。`, `${no} was moved to another unit.`) } };
    case 'added_info': {
      // The resident's words as recorded (masked): the nth add_info event of the petition.
      const [e] = p ? await ctx.tx.petitionEvent.findMany({ where: { petitionId: p.id, action: 'add_info' }, orderBy: { id: 'asc' }, skip: Math.max(0, Number(d.nth ?? 1) - 1), take: 1 }) : [];
      const said = String((e?.data as { maskedText?: string } | null)?.maskedText ?? '').slice(0, 500);
      const photos = Number(d.photos ?? 0);
      const extra = photos ? en(l, `（附照片 ${photos} 张，见诉求附件）`, ` (${photos} photo${photos > 1 ? 's' : ''} attached to the petition)`) : '';
      // In the chat that has the card, the notice answers the card (Telegram shows it as a reply).
      const card = p && r ? await ctx.tx.delivery.findFirst({ where: { platform: r.platform, chatId: r.chatId, petitionId: p.id, assignmentId: { not: null }, sentMessageId: { not: null } }, orderBy: { createdAt: 'desc' }, select: { sentMessageId: true } }) : null;
      return { ...base, message: { text: en(l, `【市民补充】诉求 ${no}：${said || '（照片）'}${extra}`, `[Resident added] ${no}: ${said || '(photo)'}${extra}`), ...(card?.sentMessageId ? { replyToMessageId: card.sentMessageId } : {}) } };
    }
    case 'whistle_remind': {
      const w = intent.whistleId ? await ctx.tx.whistle.findUnique({ where: { id: intent.whistleId } }) : null;
      if (!w) return null;
      const by = fmtTime(new Date(String(d.reportDueAt ?? w.reportDueAt.toISOString())), ctx.timeZone);
      return { essential: true, whistleId: w.id, message: { text: en(l, `【报到提醒】吹哨 ${w.number} 请于 ${by} 前报到，逾时将报区级督办：${w.place}`, `[Report now] whistle ${w.number}: report by ${by}, or it goes to the district: ${w.place}`), buttons: [[{ label: b('report', l), data: encodeAction('rep', w.number) }]] } };
    }
    case 'resident_answer':
      return { ...base, message: { text: en(l, `【市民答复】诉求 ${no}：${String(d.text ?? '')}${d.photo ? '（附照片）' : ''}\n办理时限已顺延，继续办理。`, `[Resident's answer] ${no}: ${String(d.text ?? '')}${d.photo ? ' (with a photo)' : ''}\nThe deadline moved by the time waited.`), buttons: staffButtons(no, l) } };
    case 'wait_expired':
      return { ...base, message: { text: en(l, `【市民未答复】诉求 ${no} 的询问已等待 ${Math.round(Number(d.waitedMs) / 3_600_000)} 小时未答复，办理时限恢复计时，新时限 ${fmtDeadline(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone, l)}。请继续办理或电话联系。`, `[No answer] the resident of ${no} did not answer in ${Math.round(Number(d.waitedMs) / 3_600_000)} h; the clock runs again, due ${fmtDeadline(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone, l)}.`), buttons: staffButtons(no, l) } };
    case 'accept_remind':
      return { ...base, message: { text: en(l, `【签收提醒】诉求 ${no} 尚未签收，请于 ${fmtTime(d.acceptDueAt ? new Date(String(d.acceptDueAt)) : null, ctx.timeZone)} 前签收，逾时将报协调人督办。`, `[Accept now] ${no} is not accepted yet; accept by ${fmtTime(d.acceptDueAt ? new Date(String(d.acceptDueAt)) : null, ctx.timeZone)} or it goes to the coordinator.`), buttons: staffButtons(no, l) } };
    case 'extension_decided':
      return d.approved
        ? { ...base, message: { text: en(l, `诉求 ${no} 的延期申请（${d.days} 天）已同意，新的办结时限 ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}，提醒和督办随之顺延。`, `Extension of ${no} (${d.days} days) approved; new deadline ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}.`) } }
        : { ...base, message: { text: en(l, `诉求 ${no} 的延期申请（${d.days} 天）未获同意，请按原时限 ${fmtTime(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone)} 办结。说明：${String(d.reason ?? '')}`, `Extension of ${no} refused; the deadline stays ${fmtTime(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone)}. ${String(d.reason ?? '')}`), buttons: staffButtons(no, l) } };
    case 'whistle_due_remind': {
      const w = intent.whistleId ? await ctx.tx.whistle.findUnique({ where: { id: intent.whistleId } }) : null;
      if (!w) return null;
      const role = d.role === 'lead' ? en(l, '主办', 'lead') : en(l, '协办', 'co-handler');
      return {
        essential: true,
        whistleId: w.id,
        message: {
          text: en(l, `【吹哨催办】吹哨 ${w.number}（${role}）已用时 ${d.pct}%，办结时限 ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}：${w.place}`, `[Whistle reminder] ${w.number} (${role}): ${d.pct}% of the time used; due ${fmtTime(new Date(String(d.dueAt)), ctx.timeZone)}.`),
          buttons: [[{ label: b('done', l), data: encodeAction('fin', w.number) }]],
        },
      };
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
    case 'wait_expired':
      return { ...base, message: { text: en(l, `【市民未答复】${await unitName(ctx, d.unitId as string)} 就诉求 ${no} 询问市民，${Math.round(Number(d.waitedMs) / 3_600_000)} 小时未答复，办理时限已恢复计时（新时限 ${fmtDeadline(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone, l)}）。可安排电话回访。摘要：${p?.summary ?? ''}`, `[No answer] ${await unitName(ctx, d.unitId as string)} asked the resident of ${no}; no answer in ${Math.round(Number(d.waitedMs) / 3_600_000)} h, the clock runs again. ${p?.summary ?? ''}`) } };
    case 'accept_overdue':
      return { ...base, message: { text: en(l, `【超时未签收】诉求 ${no}：${await unitName(ctx, d.unitId as string)} 应于 ${fmtTime(d.acceptDueAt ? new Date(String(d.acceptDueAt)) : null, ctx.timeZone)} 前签收。摘要：${p?.summary ?? ''}\n改派：派单 ${no} 单位`, `[Not accepted] ${no}: ${await unitName(ctx, d.unitId as string)} was to accept it by ${fmtTime(d.acceptDueAt ? new Date(String(d.acceptDueAt)) : null, ctx.timeZone)}. ${p?.summary ?? ''}\nTo move it: /dispatch ${no} UNIT`) } };
    case 'extension_request':
      return {
        ...base,
        message: {
          text: en(
            l,
            `【延期申请】${await unitName(ctx, d.unitId as string)} 申请诉求 ${no} 延期 ${d.days} 天（已延期 ${d.used} 次），现时限 ${fmtTime(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone)}。\n理由：${String(d.reason)}\n摘要：${p?.summary ?? ''}`,
            `[Extension request] ${await unitName(ctx, d.unitId as string)} asks ${d.days} more day(s) for ${no} (extended ${d.used} time(s)); due ${fmtTime(d.dueAt ? new Date(String(d.dueAt)) : null, ctx.timeZone)}.\nReason: ${String(d.reason)}\n${p?.summary ?? ''}`,
          ),
          buttons: [[{ label: b('approveExtension', l), data: encodeAction('xa', String(d.requestId)) }, { label: b('refuseExtension', l), data: encodeAction('xr', String(d.requestId)) }]],
        },
      };
    case 'whistle_overdue': {
      const w = intent.whistleId ? await ctx.tx.whistle.findUnique({ where: { id: intent.whistleId } }) : null;
      const role = d.role === 'lead' ? en(l, '主办', 'lead') : en(l, '协办', 'co-handler');
      const x3 = d.level === 'district' ? en(l, '三倍', ' ×3') : '';
      return {
        essential: true,
        whistleId: w?.id,
        message: {
          text: en(l, `【吹哨督办】${await unitName(ctx, d.unitId as string)}（${role}）在吹哨 ${w?.number ?? ''}（${w?.place ?? ''}）中已超过办结时限${x3}，尚未完成，请督办。`, `[Whistle overdue${x3}] ${await unitName(ctx, d.unitId as string)} (${role}) has not finished its part of ${w?.number ?? ''} (${w?.place ?? ''}).`),
        },
      };
    }
    case 'report':
      return { essential: true, message: d.message as Rendered['message'] };
    case 'alerts':
      return renderAlerts(intent, l);
    case 'emergency_unplaced': {
      const full = p ? await ctx.tx.petition.findUnique({ where: { id: p.id }, select: { maskedText: true, createdAt: true } }) : null;
      return {
        ...base,
        message: {
          text: en(
            l,
            `【紧急·未知地点】诉求 ${no}：市民反映紧急情况，${fmtTime(full?.createdAt ?? null, ctx.timeZone)} 起尚未说明地点，请立即回电核实并处置（私聊发送“联系方式 ${no}”取得电话）。\n原文：${(full?.maskedText ?? '').slice(0, 500)}`,
            `[Emergency, place unknown] ${no}: a resident reported an emergency at ${fmtTime(full?.createdAt ?? null, ctx.timeZone)} and has not said where. Call them back now (send "/contact ${no}" in a private chat for the phone).\nText: ${(full?.maskedText ?? '').slice(0, 500)}`,
          ),
        },
      };
    }
    case 'callback_needed':
      return { ...base, message: { text: en(l, `【需电话回访】诉求 ${no} 的市民已超出微信客服回复窗口，请电话回访。`, `[Phone callback] the resident of ${no} can no longer be messaged; please call back.`) } };
  }
}

/** A lane chief's copy of a petition on their lanes, and their daily digest of the open ones. */
async function renderPerson(ctx: Ctx, intent: Extract<Intent, { t: 'person' }>, l: Lang): Promise<Rendered | null> {
  const d = intent.data ?? {};
  if (intent.note === 'lane_copy') {
    const p = intent.petitionId ? await ctx.tx.petition.findUnique({ where: { id: intent.petitionId }, include: { assignments: { where: { role: 'lead' }, orderBy: { dispatchedAt: 'desc' }, take: 1 } } }) : null;
    if (!p) return null;
    const n = names(p, l);
    const unit = await unitName(ctx, p.assignments[0]?.unitId);
    return {
      essential: false,
      petitionId: p.id,
      message: {
        text: en(
          l,
          `【街巷抄送】您负责的街巷有新诉求 ${p.number}${p.stewardId ? '（小巷管家上报）' : ''}\n类别：${n.category}\n地点：${[n.place, p.community, p.address].filter(Boolean).join(' ')}\n诉求：${p.summary}\n承办：${unit}，时限 ${fmtDeadline(p.feedbackDueAt, ctx.timeZone, l)}`,
          `[Lane copy] new petition ${p.number} on your lanes${p.stewardId ? ' (steward report)' : ''}\nCategory: ${n.category}\nPlace: ${[n.place, p.community, p.address].filter(Boolean).join(' ')}\n${p.summary}\nHandled by ${unit}, due ${fmtDeadline(p.feedbackDueAt, ctx.timeZone, l)}`,
        ),
      },
    };
  }
  const ids = (d.petitionIds as string[] | undefined) ?? [];
  const ps = await ctx.tx.petition.findMany({ where: { id: { in: ids } }, select: { number: true, status: true, summary: true, community: true, feedbackDueAt: true }, orderBy: { createdAt: 'asc' } });
  const lines = ps.map((p) => `${p.number} ${statusText(p.status, l)} ${p.community ?? ''} ${p.summary.slice(0, 30)}（${en(l, '时限', 'due')} ${fmtTime(p.feedbackDueAt, ctx.timeZone)}）`);
  return {
    essential: false,
    message: { text: [en(l, `【街巷日报】${String(d.day ?? '')} 您负责的街巷未办结诉求 ${d.total} 件：`, `[Lane digest] ${String(d.day ?? '')}: ${d.total} open petitions on your lanes:`), ...lines].join('\n') },
  };
}

export async function renderWhistleTask(ctx: Ctx, taskId: string, l: Lang): Promise<Rendered | null> {
  const task = await ctx.tx.whistleTask.findUnique({ where: { id: taskId }, include: { whistle: true } });
  if (!task) return null;
  const w = task.whistle;
  return {
    essential: true,
    whistleId: w.id,
    message: {
      text: en(
        l,
        `【吹哨报到】${w.number}（${task.role === 'lead' ? '主办' : '协办'}）\n地点：${w.place}\n事项：${w.summary}\n请于 ${fmtTime(task.reportDueAt, ctx.timeZone)} 前报到，办结时限 ${fmtTime(task.dueAt, ctx.timeZone)}。${task.role === 'lead' ? '\n主办单位的完成说明是给市民的答复，协办单位完成后一并答复。' : '\n完成后请点“完成”写明本单位办理情况，由主办单位一并答复。'}`,
        `[Whistle] ${w.number} (${task.role === 'lead' ? 'lead' : 'co-handler'})\nPlace: ${w.place}\nMatter: ${w.summary}\nReport by ${fmtTime(task.reportDueAt, ctx.timeZone)}; finish by ${fmtTime(task.dueAt, ctx.timeZone)}.`,
      ),
      buttons: [[{ label: b('report', l), data: encodeAction('rep', w.number) }, { label: b('done', l), data: encodeAction('fin', w.number) }]],
    },
  };
}

export async function renderRollcall(ctx: Ctx, whistleId: string, l: Lang, now: Date): Promise<Rendered | null> {
  const w = await ctx.tx.whistle.findUnique({ where: { id: whistleId }, include: { tasks: { include: { unit: true }, orderBy: [{ role: 'asc' }, { unitId: 'asc' }] } } });
  if (!w) return null;
  const lines = w.tasks.map((task) => {
    const state = task.resolvedAt
      ? en(l, '✅ 已完成', '✅ done')
      : task.reportedAt
        ? en(l, `🟢 已报到 ${fmtTime(task.reportedAt, ctx.timeZone)}${task.reportedAt > task.reportDueAt ? '（迟到）' : ''}`, `🟢 reported ${fmtTime(task.reportedAt, ctx.timeZone)}${task.reportedAt > task.reportDueAt ? ' (late)' : ''}`)
        : now > task.reportDueAt
          ? en(l, '🔴 超时未报到', '🔴 late, not reported')
          : en(l, '⚪ 未报到', '⚪ not yet');
    const role = task.role === 'lead' ? en(l, '【主办】', '[lead] ') : en(l, '【协办】', '[co] ');
    const note = task.resolvedAt && task.note ? en(l, `\n    完成说明：${task.note}`, `\n    note: ${task.note}`) : '';
    return `${role}${task.unit.name}：${state}${note}`;
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
      if (r.unboundUnitId) return renderUnboundCard(ctx, intent.assignmentId, l);
      return renderCard(ctx, intent.assignmentId, l, !!intent.copyToUnitId, now);
    case 'unit':
      return renderUnit(ctx, intent, l, r);
    case 'area':
      return renderArea(ctx, intent, l);
    case 'whistle_task':
      return renderWhistleTask(ctx, intent.taskId, l);
    case 'person':
      return renderPerson(ctx, intent, l);
    case 'rollcall':
      return renderRollcall(ctx, intent.whistleId, l, now);
    case 'reply':
      return { message: intent.message, essential: true };
    case 'ack':
      return { message: { text: intent.text ?? '' }, essential: true };
  }
}
