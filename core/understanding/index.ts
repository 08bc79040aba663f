/**
 * Understanding a resident's message: category, place, urgency, triage,
 * personal data, and the question to ask when something is missing.
 * Embedded, synchronous, deterministic, no network. Never throws.
 */
import type { GeoPoint } from '../channel.js';
import { addHomophoneFeatures, boostCategory, classifyCategory, extractFeatures, scaleCategory, tagCount, topScore, type Features } from './classify.js';
import { hasWords, normalize, wellFormed } from './normalize.js';
import { detectPersonalData, type PersonalDataItem, type PersonalDataOriginal } from './pii.js';
import { resolvePlace, type PlaceResult } from './place/index.js';
import { streetLabel } from './place/gazetteer.js';
import { CATEGORY_BY_CODE, isCategoryCode, type CategoryCode } from './taxonomy.js';
import { intentFor, type Intent } from './intent.js';
import { shippedModel, predict, type Compiled } from './model/index.js';
import { triageFor, urgencyFor, urgentSituations, type Triage, type Urgency, type UrgentRule } from './urgency.js';

export type { PlaceResult, PlaceCandidate } from './place/index.js';
export type { Triage, TriageKind, Urgency, UrgencyClass } from './urgency.js';
export type { PersonalDataItem, PersonalDataKind, PersonalDataOriginal } from './pii.js';
export type { CategoryCode } from './taxonomy.js';
export type { Intent } from './intent.js';
export { CATEGORY_CODES, CATEGORIES, isCategoryCode } from './taxonomy.js';
export { detectPersonalData } from './pii.js';

export interface Choice {
  label: string;
  value: string;
}

export interface Question {
  field: 'place' | 'details' | 'category';
  text_zh: string;
  text_en: string;
  choices: Choice[];
}

export interface CategoryResult {
  code: CategoryCode;
  confidence: number;
  runnerUp?: { code: CategoryCode; confidence: number };
}

export interface Understanding {
  category: CategoryResult;
  place: PlaceResult;
  urgency: Urgency;
  triage: Triage;
  /** One line, masked. */
  summary: string;
  maskedText: string;
  personalData: PersonalDataItem[];
  /** Raw personal data for encrypted storage. Never log. */
  originals: PersonalDataOriginal[];
  /** Only when the message is a problem to dispatch and no district is known (issue 19: a known district is dispatched at once). */
  needsLocation: boolean;
  needsMoreInfo: boolean;
  /** problem, or no problem at all: praise, a suggestion about the service, a policy question (咨询), abuse. */
  intent: Intent;
  question?: Question;
  source: 'embedded' | 'llm' | 'embedded_fallback';
  lang: 'zh' | 'en';
}

export interface UnderstandOptions {
  /** The resident's earlier messages in this conversation, oldest first. */
  history?: string[];
  lang?: 'zh' | 'en';
  /** A location pin. Without a geocoder it cannot name a street: it is kept and the resident is asked for a named place. */
  location?: GeoPoint;
  /** The learned model beside the lexicon: the shipped one by default; null for the lexicon alone (leave-one-set-out in npm run eval passes each fold's model). */
  learned?: Compiled | null;
}

/**
 * The learned model decides where the lexicon is unsure: lexicon confidence below this and the model's
 * probability above LEARNED_MIN_P. Both chosen by leave-one-set-out on the dev sets (never on a held-out set).
 */
export const LEARNED_MAX_LEXICON_CONFIDENCE = 0.45;
export const LEARNED_MIN_P = 0.8;

const NO_PLACE: PlaceResult = {
  districtCode: null,
  streetCode: null,
  community: null,
  address: null,
  method: 'none',
  confidence: 0,
  candidates: [],
};

const GREETING_ONLY = /^(?:你好|您好|在吗|在不在|有人吗|喂|哈喽|嗨|hi|hello|hey|test|testing|测试|\?|？|ok|好的|嗯|谢谢|thanks|thank you)[\s!！。.,，~?？]*$/;

function detectLang(raw: string): 'zh' | 'en' {
  let cjk = 0;
  let latin = 0;
  const n = Math.min(raw.length, 500);
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fff) cjk++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
  }
  return cjk === 0 && latin > 0 ? 'en' : cjk * 3 >= latin ? 'zh' : 'en';
}

function summarise(masked: string, code: CategoryCode, place: PlaceResult): string {
  const name = CATEGORY_BY_CODE.get(code)?.name_zh ?? code;
  let where: string | null = null;
  if (place.streetCode) {
    try {
      where = streetLabel(place.streetCode);
    } catch {
      where = place.streetCode;
    }
  }
  let body = (masked.length > 400 ? masked.slice(0, 400) : masked).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  if (body.length > 60) {
    const chars = Array.from(body);
    if (chars.length > 60) body = chars.slice(0, 60).join('') + '…';
  }
  return [name, where, body].filter(Boolean).join('｜');
}

function placeQuestion(place: PlaceResult, location: GeoPoint | undefined): Question {
  if (place.candidates.length > 1 && !place.streetCode) {
    return {
      field: 'place',
      text_zh: '您说的地点对应多个街道，请问是哪一个？',
      text_en: 'That place name matches several areas. Which one do you mean?',
      choices: place.candidates.slice(0, 8).map((c) => ({ label: c.label, value: c.streetCode ?? c.districtCode })),
    };
  }
  if (location) {
    return {
      field: 'place',
      text_zh: '已收到您的位置。请再告诉我们所在的小区、街道或附近的地标，以便准确派单。',
      text_en: 'We have your location pin. Please also name the residential compound, street or a nearby landmark so we can route this correctly.',
      choices: [],
    };
  }
  return {
    field: 'place',
    text_zh: '请问问题发生在哪里？请告诉我们区、街道或小区名称，或直接发送位置。',
    text_en: 'Where is this? Please name the district, street or residential compound, or send a location pin.',
    choices: [],
  };
}

const DETAILS_QUESTION: Question = {
  field: 'details',
  text_zh: '请用文字描述您遇到的问题以及发生的地点，例如：“朝阳区望京街道某小区3号楼电梯坏了”。',
  text_en: 'Please describe the problem and where it is, e.g. "The lift in building 3 of X compound, Wangjing, Chaoyang is broken".',
  choices: [],
};

function categoryQuestion(guess: CategoryResult): Question {
  const codes = [guess.code, guess.runnerUp?.code].filter((c): c is CategoryCode => !!c);
  return {
    field: 'category',
    text_zh: '请问您反映的问题属于哪一类？',
    text_en: 'Which kind of problem is this?',
    choices: [...codes, 'other' as const]
      .filter((c, i, a) => a.indexOf(c) === i)
      .map((c) => ({ label: `${CATEGORY_BY_CODE.get(c)!.name_zh} / ${CATEGORY_BY_CODE.get(c)!.name_en}`, value: c })),
  };
}

function safePlace(text: string, history: string[] | undefined): PlaceResult {
  try {
    return resolvePlace(text, history && history.length ? { history } : {});
  } catch {
    return NO_PLACE;
  }
}

interface Analysis {
  guess: ReturnType<typeof classifyCategory>;
  situations: UrgentRule[];
  features: Features;
}

/** Lexicon, homophones, urgent_when situations and boundary rules on one normalised text. */
function analyse(t: string): Analysis {
  const features = extractFeatures(t);
  // Little exact evidence: try the terms by sound (homophone typos).
  if (t && topScore(features) < 3) addHomophoneFeatures(t, features);
  // An urgent_when situation is evidence for the category it belongs to (电梯困人 → property).
  const situations = t ? urgentSituations(t) : [];
  for (const sit of situations) boostCategory(features, sit.category, 3);
  // Smoke and burning smells during a fire are the fire, not air pollution.
  if (situations.some((sit) => sit.situation === '火情')) scaleCategory(features, 'pollution', 0.3);
  return { guess: classifyCategory(t, features), situations, features };
}

/** Understand one message (plus earlier turns). Synchronous, embedded, never throws. */
export function understand(text: string, opts: UnderstandOptions = {}): Understanding {
  const raw = wellFormed(text);
  const history = (opts.history ?? []).map(wellFormed).filter((h) => h.length > 0).slice(-5);
  const pii = detectPersonalData(raw);
  const t = normalize(pii.maskedText);
  const lang = opts.lang ?? detectLang(raw);
  const meaningful = hasWords(t) && !GREETING_ONLY.test(t.trim());

  // Category and urgency are decided on this message; earlier turns count only when this one says little
  // (the resident answered a question: "在朝阳区望京街道" after "路灯坏了").
  let analysis = meaningful ? analyse(t) : analyse('');
  let tt = t;
  if (analysis.guess.score < 2 && history.length) {
    const ht = normalize(detectPersonalData(history.join('。')).maskedText + '。' + pii.maskedText);
    const withHistory = analyse(ht);
    if (withHistory.guess.score > analysis.guess.score) {
      analysis = withHistory;
      tt = ht;
    }
  }
  const { guess, situations, features } = analysis;
  const place = meaningful || history.length ? safePlace(pii.maskedText, history) : NO_PLACE;
  const triage = meaningful || tt !== t ? triageFor(tt) : { kind: 'none' as const, message_zh: '', message_en: '' };

  let code = guess.code;
  // Emergencies with no other category words: fire and fights are public_security, accidents traffic, medical health.
  if (guess.score < 3) {
    if (triage.kind === '119' || triage.kind === '110') code = 'public_security';
    else if (triage.kind === '122') code = 'traffic';
    else if (triage.kind === '120') code = 'health';
    else if (triage.kind === 'xinfang' || triage.kind === 'court') code = 'other';
  }
  // Nothing to act on: no words, or no category word and no emergency (a place alone says where, not what; a question with some substance is a policy question).
  const hasContent = meaningful || tt !== t;
  // Not every message is a problem: thanks, suggestions about the service and abuse are "other" (表扬与建议);
  // a policy question keeps its category (社保 → labour) but needs no place. Recognised, they need no more details.
  const intent: Intent = hasContent ? intentFor({ t: tt, danger: situations.length > 0 || triage.kind !== 'none', topScore: guess.code === 'other' ? 0 : guess.score }) : 'problem';
  const needsMoreInfo =
    !hasContent ||
    (intent === 'problem' && guess.score === 0 && triage.kind === 'none' && !(tagCount(features, '#question') > 0 && t.length >= 8));
  if (!hasContent) code = 'other';
  if (intent === 'praise' || intent === 'suggestion' || intent === 'abuse') code = 'other';
  let learnedP = 0;
  const learned = opts.learned === undefined ? shippedModel() : opts.learned;
  if (learned && hasContent && intent === 'problem' && (code === guess.code ? guess.confidence : 0.6) < LEARNED_MAX_LEXICON_CONFIDENCE) {
    const p = predict(learned, tt);
    let b = 0;
    for (let j = 1; j < p.length; j++) if (p[j]! > p[b]!) b = j;
    const c = learned.classes[b]!;
    if (p[b]! > LEARNED_MIN_P && c !== code && isCategoryCode(c)) {
      code = c;
      learnedP = p[b]!;
    }
  }
  const category: CategoryResult = {
    code,
    confidence: learnedP ? Math.round(learnedP * 1000) / 1000 : code === guess.code ? guess.confidence : 0.6,
    ...(guess.runnerUp && guess.runnerUp.code !== code ? { runnerUp: guess.runnerUp } : {}),
  };
  if (!hasContent) category.confidence = 0;

  const urgency = hasContent ? urgencyFor(tt, code, triage, situations) : { class: 'ordinary' as const, urgent: false, reason: 'no content' };
  const needsLocation = !place.districtCode && intent === 'problem' && !needsMoreInfo;

  let question: Question | undefined;
  if (needsMoreInfo) question = DETAILS_QUESTION;
  else if (needsLocation && (code !== 'other' || place.candidates.length > 1)) question = placeQuestion(place, opts.location);
  else if (category.confidence < 0.35 && code !== 'other') question = categoryQuestion(category);

  return {
    category,
    place,
    urgency,
    triage,
    summary: needsMoreInfo ? '（内容不足）' : summarise(pii.maskedText, code, place),
    maskedText: pii.maskedText,
    personalData: pii.personalData,
    originals: pii.originals,
    needsLocation,
    needsMoreInfo,
    intent,
    ...(question ? { question } : {}),
    source: 'embedded',
    lang,
  };
}
