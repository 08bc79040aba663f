/**
 * The embedded category classifier: one pass over the normalised text finds
 * every lexicon term (terms indexed by their first character), sums weights per
 * category, then boundary rules taken from the taxonomy's `scope_zh` move
 * weight between neighbours (楼内漏水 → property, 主管道 → water_supply,
 * 邻里生活噪声 → public_security, 校外培训退费 → education, …).
 */
import { pinyin } from 'pinyin-pro';
import { LEXICON, type Tag } from './lexicon.js';
import { CATEGORY_CODES, type CategoryCode } from './taxonomy.js';

interface Term {
  id: number;
  text: string;
  target: number; // index into TARGETS
  w: number;
  latin: boolean;
  wholeWord: boolean;
}

const TAGS = [
  '#leak', '#inbuilding', '#mains', '#noise', '#neighbor', '#construction', '#commercial', '#industrial',
  '#squaredance', '#security', '#grouprent', '#training', '#refund', '#praise', '#complaint', '#question',
  '#firelane', '#ebike', '#charging', '#indoors', '#highfloor', '#pressure', '#heatingword', '#vehicle',
  '#compound', '#road', '#greeting', '#water', '#hospitalside', '#restaurant', '#foodhygiene', '#dispute', '#stuff',
] as const satisfies readonly Tag[];

const TARGETS: readonly string[] = [...CATEGORY_CODES, ...TAGS];
const TARGET_INDEX = new Map(TARGETS.map((t, i) => [t, i]));
const NCAT = CATEGORY_CODES.length;

/** Terms of two or more characters, keyed by their first two UTF-16 code units; single-character terms apart. */
interface Bucket {
  single: Term[];
  next: Map<number, Term[]>;
}
/** Indexed by the first UTF-16 code unit (a dense array is faster than a Map here). */
const BUCKETS: (Bucket | undefined)[] = new Array<Bucket | undefined>(65536);
let termCount = 0;
const ALL_TERMS: Term[] = [];

function addTerm(raw: string, target: string, w: number, latin: boolean): void {
  let text = raw.trim().toLowerCase();
  if (!text) return;
  const wholeWord = text.endsWith('$');
  if (wholeWord) text = text.slice(0, -1);
  const idx = TARGET_INDEX.get(target);
  if (idx === undefined) throw new Error(`lexicon: unknown target ${target}`);
  const term: Term = { id: termCount++, text, target: idx, w, latin, wholeWord };
  ALL_TERMS.push(term);
  const c0 = text.charCodeAt(0);
  let bucket = BUCKETS[c0];
  if (!bucket) BUCKETS[c0] = bucket = { single: [], next: new Map() };
  if (text.length === 1) bucket.single.push(term);
  else {
    const c1 = text.charCodeAt(1);
    const list = bucket.next.get(c1);
    if (list) list.push(term);
    else bucket.next.set(c1, [term]);
  }
}

for (const g of LEXICON) {
  for (const t of (g.zh ?? '').split(' ')) addTerm(t, g.c, g.w, /^[a-z]/.test(t.toLowerCase()));
  for (const t of (g.en ?? '').split('|')) addTerm(t, g.c, g.w, true);
}
// Longer terms first inside a bucket so tags and scores see the most specific phrase.
for (const b of BUCKETS) if (b) for (const list of b.next.values()) list.sort((x, y) => y.text.length - x.text.length);

const isLatin = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

export interface Features {
  scores: Float64Array; // per category
  seen: Uint8Array; // per term id: found in the text
  tags: Uint8Array; // per tag: count of hits
  matched: string[]; // matched category terms (for explanations)
}

/** Find every lexicon term in normalised text. A term counts once however often it repeats. */
export function extractFeatures(t: string): Features {
  const scores = new Float64Array(NCAT);
  const tags = new Uint8Array(TAGS.length);
  const matched: string[] = [];
  const seen = new Uint8Array(termCount);
  // A shorter term of the same category inside a longer one already counted (地铁 in 地铁站) adds nothing.
  const coveredUntil = new Int32Array(NCAT);
  let anyCoveredUntil = 0;
  let anyCoveredFrom = 0;
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c0 = t.charCodeAt(i);
    // Latin terms start at a word start only.
    if (c0 >= 97 && c0 <= 122 && i > 0 && isLatin(t[i - 1])) continue;
    const bucket = BUCKETS[c0];
    if (!bucket) continue;
    const list = i + 1 < n ? bucket.next.get(t.charCodeAt(i + 1)) : undefined;
    const single = bucket.single.length ? bucket.single : undefined;
    if (!list && !single) continue;
    for (let pass = 0; pass < 2; pass++) {
      const l = pass === 0 ? list : single;
      if (!l) continue;
      for (const term of l) {
      if (term.text.length > 2 && !t.startsWith(term.text, i)) continue;
      if (term.latin && term.wholeWord && isLatin(t[i + term.text.length])) continue;
      if (seen[term.id]) continue;
      seen[term.id] = 1;
      if (term.target < NCAT) {
        const end = i + term.text.length;
        if (end <= coveredUntil[term.target]!) continue;
        // Inside a longer phrase of another category (供水 in 二次供水, 电梯 in 加装电梯): that phrase is the unit.
        if (end < anyCoveredUntil || (end === anyCoveredUntil && i > anyCoveredFrom)) continue;
        coveredUntil[term.target] = Math.max(coveredUntil[term.target]!, end);
        if (end > anyCoveredUntil) {
          anyCoveredUntil = end;
          anyCoveredFrom = i;
        }
        scores[term.target]! += term.w;
        matched.push(term.text);
      } else {
        const k = term.target - NCAT;
        if (tags[k]! < 255) tags[k]! += 1;
      }
      }
    }
  }
  return { scores, seen, tags, matched };
}

// ---------------------------------------------------------------- homophone fallback

interface PinyinTerm {
  id: number;
  syllables: string[];
  target: number;
  w: number;
}
let PINYIN_INDEX: Map<string, PinyinTerm[]> | null = null;

function pinyinIndex(): Map<string, PinyinTerm[]> {
  if (PINYIN_INDEX) return PINYIN_INDEX;
  const index = new Map<string, PinyinTerm[]>();
  for (const term of ALL_TERMS) {
    // Chinese category terms of two or more characters: shorter ones are too ambiguous by sound.
    if (term.target >= NCAT || term.text.length < 2 || !/^[\u4e00-\u9fff]+$/.test(term.text)) continue;
    const syllables = pinyin(term.text, { toneType: 'none', type: 'array' });
    if (syllables.length !== term.text.length) continue;
    const entry: PinyinTerm = { id: term.id, syllables, target: term.target, w: term.w };
    const list = index.get(syllables[0]!);
    if (list) list.push(entry);
    else index.set(syllables[0]!, [entry]);
  }
  PINYIN_INDEX = index;
  return index;
}

/**
 * Residents' most common typo is a homophone (停店 for 停电, 路等 for 路灯, 下水倒赌 for 下水道堵).
 * When the exact lexicon finds little, match the terms by sound (toneless pinyin) at 0.6 weight,
 * provided at least one character is the term's own.
 * Returns true when something was found.
 */
const FUNCTION_CHARS = '是的了在有不没我你他她它这那就也都还和与或把被给让吗呢吧啊呀个么';

export function addHomophoneFeatures(t: string, f: Features): boolean {
  if (!/[\u4e00-\u9fff]/.test(t)) return false;
  const text = t.length > 300 ? t.slice(0, 300) : t;
  const syl = pinyin(text, { toneType: 'none', type: 'array' });
  if (syl.length !== text.length) return false; // alignment lost (astral characters): skip
  const index = pinyinIndex();
  let found = false;
  for (let i = 0; i < syl.length; i++) {
    const list = index.get(syl[i]!);
    if (!list) continue;
    for (const term of list) {
      if (f.seen[term.id]) continue;
      const n = term.syllables.length;
      if (i + n > syl.length) continue;
      let ok = true;
      for (let k = 1; k < n; k++) {
        if (syl[i + k] !== term.syllables[k]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // A typo changes a character, not the whole word: at least one character must be the term's own
      // (停店 for 停电 counts; 叫到 for 教导 does not).
      const span = text.slice(i, i + n);
      const termText = ALL_TERMS[term.id]!.text;
      let same = 0;
      for (let k = 0; k < n; k++) if (span[k] === termText[k]) same++;
      if (same === 0 || same === n) continue;
      // The correct spelling already counted (垃圾 found, and 拉圾 would match it again by sound).
      if (f.matched.includes(span)) continue;
      // A function word is not a typo of a content character (是垃圾 is not 湿垃圾).
      let fn = false;
      for (let k = 0; k < n; k++) if (span[k] !== termText[k] && FUNCTION_CHARS.includes(span[k]!)) fn = true;
      if (fn) continue;
      f.seen[term.id] = 1;
      f.scores[term.target]! += term.w * 0.6;
      f.matched.push(text.slice(i, i + n));
      found = true;
    }
  }
  return found;
}

/** The best raw (pre-rule) category score. */
export function topScore(f: Features): number {
  let m = 0;
  for (let i = 0; i < NCAT; i++) if (f.scores[i]! > m) m = f.scores[i]!;
  return m;
}

const CAT_INDEX: Record<string, number> = Object.fromEntries(CATEGORY_CODES.map((c, i) => [c, i]));
const TAG_INDEX: Record<string, number> = Object.fromEntries(TAGS.map((t, i) => [t, i]));
const C = (code: CategoryCode) => CAT_INDEX[code]!;
const T = (tag: (typeof TAGS)[number]) => TAG_INDEX[tag]!;

export interface CategoryGuess {
  code: CategoryCode;
  confidence: number;
  runnerUp?: { code: CategoryCode; confidence: number };
  /** The summed evidence for the winner; 0 means no category word at all. */
  score: number;
  matched: string[];
}

/** Boundary rules from scope_zh, applied to the raw lexicon scores. */
function applyRules(f: Features, t: string): void {
  const s = f.scores;
  const has = (tag: (typeof TAGS)[number]) => f.tags[T(tag)]! > 0;
  const add = (code: CategoryCode, w: number) => {
    s[C(code)]! += w;
  };

  // Water inside the building is the property manager's; the street mains are the water group's; radiators are heating.
  if (has('#leak')) {
    if (has('#heatingword')) add('heating', 3);
    else if (has('#mains')) add('water_supply', 3);
    else if (has('#inbuilding')) add('property', 3);
  }
  if (has('#pressure') && has('#highfloor')) add('property', 4);
  // 楼内水压低 is named in property's scope: low pressure in the building or on an upper floor ("住八楼洗澡都没水").
  else if (/水压|水流小|水流很小|水上不来|上不去水|水上不去|水很小|水小/.test(t) && /楼里|楼内|单元里|(?:住|在)(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:楼|层)|(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:楼|层)以上/.test(t)) add('property', 3 + s[C('water_supply')]! * 0.8);

  // Noise: shops, sites, factories and square dancing are `noise`; neighbours' daily life is `public_security`.
  if (has('#noise') || has('#neighbor')) {
    const source = has('#construction') || has('#commercial') || has('#industrial') || has('#squaredance');
    if (has('#neighbor') && !source && (has('#noise') || s[C('noise')]! > 0)) {
      add('public_security', 3 + s[C('noise')]! * 0.6);
      s[C('noise')]! *= 0.3;
    } else if (source && has('#noise') && s[C('noise')]! > 0) {
      add('noise', 2);
    }
  }

  // 群租: the housing authority, unless it is about order or fire safety.
  if (has('#grouprent') && has('#security')) add('public_security', 4);

  // 校外培训退费或跑路 → education, not market.
  if (has('#training') && (has('#refund') || s[C('market')]! > 0)) {
    add('education', 3 + s[C('market')]! * 0.5);
    s[C('market')]! *= 0.4;
  }

  // Cars in (or markings of) the fire lane are a parking matter; stuff piled in it is fire safety.
  if (has('#firelane')) {
    if (has('#stuff') && !has('#vehicle')) add('public_security', 3);
    else add('parking', has('#vehicle') ? 5 : 3);
  }

  // 加装电梯 (retrofitting a lift) is the housing authority's programme, not a lift fault.
  if (/加装电梯|装电梯|安装电梯|加装电梯|elevator retrofit|install (?:an elevator|a lift)|add (?:an elevator|a lift)/.test(t)) {
    add('housing', 3);
    s[C('property')]! *= 0.3;
  }

  // A room temperature in degrees is a heating complaint (供暖季室温不达标).
  if (/(?:屋里|屋内|室内|家里|室温|温度|卧室|客厅).{0,8}(?:只有|才|不到|仅|就)?.{0,3}(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:多|几)?度|only \d{1,2} ?(?:degrees|°c|c\b)|\d{1,2} ?degrees inside/.test(t)) add('heating', 3);

  // Lifts and escalators in a station are the operator's, not a property manager's.
  if (/地铁|车站|站内|站台|轻轨|subway|metro|station/.test(t) && /电梯|扶梯|lift|elevator|escalator/.test(t)) {
    add('public_transport', 3);
    s[C('property')]! *= 0.4;
  }

  // A pure suggestion (建议…) with no problem reported is "other" (表扬与建议).
  // The topic words then name what the suggestion is about, not a problem (as with praise).
  if (/^(?:我|我们)?(?:想|有个|有一个|提个|提一个)?建议|^suggest|^i suggest|^i'd like to suggest|^my suggestion/.test(t) && f.tags[T('#complaint')]! <= 1) {
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('other')) maxOther = Math.max(maxOther, s[i]!);
    add('other', 4 + (/(?:多|增|加)(?:设|建|装|开|配)|增加|设置|开通|建一个|修一个|more /.test(t) ? maxOther * 0.6 : 0));
  }

  // A prepaid card (健身卡, 办了卡, 充了值) with the shop gone is 预付卡跑路 (market), though its boss "ran off": no wages in it.
  if (/(?:健身|美容|美发|理发|洗车|游泳|瑜伽|课程|会员|储值|充值|预付|年|次)卡|卡办了|办了.{0,3}卡|充了.{0,4}(?:钱|卡)/.test(t) && !/工资|工钱|薪|社保|劳动|燃气|煤气|电表|水表|气表|电费|水费|气费|暖气|供暖/.test(t)) {
    add('market', 3);
    s[C('labor')]! *= 0.3;
  }

  // A hydrant that leaks is the water network's, not a fire-safety matter.
  if (/消火栓|消防栓|hydrant/.test(t) && has('#leak')) add('water_supply', 4);

  // "一股…味": a smell, which is pollution unless it is gas, water or food.
  if (/一股.{0,8}味|smells? (?:of|like)/.test(t) && !has('#water') && !/燃气|煤气|天然气|gas/.test(t)) {
    if (s[C('food_safety')]! >= 2) add('food_safety', 3);
    else add('pollution', 3);
  }
  if (s[C('food_safety')]! >= 2 && /怪味|异味|臭味|馊|不新鲜|变质|smells|stinks/.test(t) && !/油烟|fumes|smoke/.test(t)) add('food_safety', 2);

  // Hospital bills and services are health, even when the words sound like a shop's.
  if (has('#hospitalside') && s[C('market')]! > 0) add('health', 2);

  // Stuff blocking a stairwell that would trap people in a fire is a fire-safety hazard (消防隐患).
  if (has('#stuff') && /着火|火灾|消防|逃生|跑不出去|安全通道|fire/.test(t) && !has('#vehicle')) add('public_security', 4);

  // A facility inside the compound that the property manager will not fix is 小区设施维修 (property).
  if (/物业|property management|management company|management office/.test(t) && /小区|院里|院内|compound|estate/.test(t) && s[C('municipal_facility')]! > 0) {
    add('property', s[C('municipal_facility')]! * 0.8 + 1);
  }

  // Dust blown about (扬尘) is pollution even when the dirt is construction spoil.
  if (/[灰尘土]/.test(t) && /风|吹|扬|漫天|到处/.test(t) && s[C('pollution')]! > 0) add('pollution', 2);

  // Burning anything (垃圾, 秸秆, 塑料) is air pollution.
  if (/焚烧|烧.{0,4}(?:垃圾|秸秆|树叶|塑料|轮胎|电线)|burn(?:ing|s)? (?:rubbish|garbage|trash|plastic|waste)/.test(t)) {
    add('pollution', 3);
    s[C('garbage')]! *= 0.5;
  }

  // A water pipe under the street is the water network's (自来水管网).
  if (has('#mains') && /水管|自来水管|供水管|上水管|water pipe|water main/.test(t) && !/下水|污水|暖气|排水|sewer|heating/.test(t)) add('water_supply', 3);

  // Vehicles stopped where they should not be are a parking matter, wherever that is.
  if (/\bpark(?:s|ed|ing)? (?:on|in|at|across|outside)|停在.{0,6}(?:斑马线|人行横道|路口|路上|马路|人行道|盲道|消防)/.test(t)) add('parking', 2);

  // Goods spread over the pavement (no vehicle) is street vending.
  if (/(?:put|placed|spread|occupy|occupied|occupies|block|blocking|cover|covering).{0,30}(?:pavement|sidewalk)/.test(t) && !has('#vehicle') && s[C('street_vending')]! > 0) add('street_vending', 3);

  // Goods or stalls occupying the pavement (no vehicle) is street vending (店外经营).
  if (/(?:占|堵|摆|放|堆|支)(?:了|满|着|在|到)?.{0,6}(?:人行道|便道|马路|路面|路边|门外|门口)/.test(t) && !has('#vehicle') && (s[C('street_vending')]! > 0 || has('#commercial'))) add('street_vending', 3);

  // The manhole cover is the facility, whatever the pipe below carries (unless sewage is overflowing from it).
  if (/井盖|manhole/.test(t) && !/冒|溢|污水|黑水|臭水|overflow|sewage/.test(t)) add('municipal_facility', 2);

  // 二次供水 (the building's own tanks and pumps) is named in property's scope.
  if (/二次供水|泵房|水泵|水箱|加压泵|booster pump|water tank/.test(t)) add('property', 3);

  // A dirty river or lake is water pollution (河道污染), even when the dirt is rubbish.
  if (/河道|河里|河水|河面|河沟|湖里|湖水|(?<![下排阴])水沟|池塘|river|lake|pond|canal/.test(t) && /垃圾|黑|臭|脏|污|死鱼|漂|rubbish|garbage|black|smell|dirty|dead fish/.test(t)) add('pollution', 3);

  // Rubbish lying all over a public place (not in bins, not waiting for collection) is 公共区域脏乱 (sanitation).
  if (/(?:全是|到处是|到处都是|遍地|满地|一地|都是)垃圾|垃圾.{0,3}(?:遍地|满地|到处都是)|litter everywhere|rubbish everywhere/.test(t) && !/垃圾桶|垃圾箱|垃圾站|垃圾房|桶站|清运|收垃圾|垃圾车|bins?\b/.test(t) && s[C('drainage')]! < 3) {
    add('sanitation', 3 + s[C('garbage')]! * 0.5);
  }

  // Fake, expired or spoilt food and medicine are 食品药品安全, not a consumer dispute (假奶粉, 过期药).
  if (/奶粉|食品|食物|零食|饮料|保健品|药品|白酒|月饼|肉|蛋|牛奶|formula|food|medicine/.test(t) && /假的|是假|假冒|山寨|过期|变质|发霉|三无|fake|counterfeit|expired/.test(t)) add('food_safety', 3);

  // A subway station or exit named as the place ("near X subway exit B", "地铁口附近") says where, not what.
  if (/(?:near|outside|at|by) (?:the )?[a-z]+(?: [a-z]+)? (?:subway|metro) (?:station|exit)|(?:subway|metro) exit [a-z0-9]\b|地铁(?:站)?(?:[a-z]|[一二三四五六七八九十\d])?(?:口|出口)(?:附近|旁边|外面|门口|对面|边上)?/.test(t)) {
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('public_transport')) maxOther = Math.max(maxOther, s[i]!);
    if (maxOther >= 2) s[C('public_transport')]! *= 0.3;
  }

  // A bus stop named as where something is ("摊子摆在公交站台上") says where, not what; its own seats and shelters are facilities.
  if (/公交站(?:台|牌)?(?:上|旁|旁边|边上|附近|门口|对面|后面|前面)|(?:在|摆在|堵在|停在|占着)公交站/.test(t)) {
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('public_transport')) maxOther = Math.max(maxOther, s[i]!);
    if (maxOther >= 2) s[C('public_transport')]! *= 0.3;
  }

  // A drain grate that is gone is a hole in the road, like a missing manhole cover (井盖缺失).
  if (/篦子|雨篦|雨水口|drain grate|storm grate/.test(t) && /丢|没了|被偷|偷了|不见|缺失|missing|stolen|gone/.test(t)) {
    add('municipal_facility', 4 + s[C('drainage')]! * 0.5);
    s[C('public_security')]! *= 0.5; // stolen: the hole in the road is the matter, not the theft
  }

  // 房屋租赁纠纷: whatever the landlord does (cuts the power, keeps the deposit), it is a tenancy matter.
  if (/房东|二房东|租客|租户|landlord|tenant/.test(t)) {
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('housing')) maxOther = Math.max(maxOther, s[i]!);
    add('housing', 2 + maxOther * 0.6);
  }

  // Cigarettes (卖烟, 香烟) are goods, not smoke.
  if (/卖烟|买烟|香烟|烟酒|烟草|电子烟|cigarette/.test(t) && !/油烟|浓烟|冒烟|黑烟|烟雾|烟尘|烟囱|烟大|烟很大|呛/.test(t)) s[C('pollution')]! *= 0.2;

  // Digging a basement or under the foundations is illegal construction.
  if (/挖.{0,6}(?:地下室|地基|地下)|地下室.{0,4}挖|dig(?:ging)? (?:a |out a )?basement/.test(t)) add('illegal_construction', 4);

  // A policy question with no problem reported is "other" (政策咨询).
  if (/政策|规定|policy|regulation/.test(t) && has('#question') && f.tags[T('#complaint')]! <= 1) add('other', 3);

  // Fire in electrical equipment is the power company's (电线起火).
  if (/(?:电线|电箱|配电箱|变电箱|变压器|电缆|电表箱|配电室).{0,6}(?:起火|着火|冒火|烧着|冒烟)/.test(t)) add('power', 4);

  // 校园周边安全: strangers, hawkers and junk food at the school gate are the education board's.
  if (/学校|校门|幼儿园|校园|school/.test(t) && /陌生人|可疑|安全隐患|不安全|三无|小贩|黑网吧|游戏厅|转悠|转来转去|徘徊|strangers|unsafe|hawkers|loitering/.test(t)) add('education', 5);

  // A title deed that cannot be issued is title registration, whatever kind of housing it is.
  if (/房本|房产证|产权证|不动产证|不动产权证|办证|过户|title deed|property certificate/.test(t)) add('real_estate_registration', 2);

  // A restaurant's smoke is its fumes: pollution (餐饮油烟), not food safety.
  if (has('#restaurant') && /烟|smoke|fumes|exhaust/.test(t) && !/烟头|烟花|抽烟|吸烟|卖烟|香烟/.test(t)) add('pollution', 3);

  // 渣土车 are named in traffic's scope, even when they are noisy.
  if (/渣土车|土方车|muck truck|dump truck/.test(t) && !/工地|施工|打桩|construction site/.test(t)) add('traffic', 3);

  // Pipes inside the building or flat are the property manager's (楼内管道问题归物业管理).
  if (has('#inbuilding') && /水管|管道|管子|下水管|水龙头/.test(t) && !has('#mains') && !has('#heatingword') && !/堵|反味|返臭|冒/.test(t)) add('property', 2.5);

  // Dog mess is a cleanliness matter, not a dispute with the dog's owner.
  if (/狗|dog/.test(t) && /大小便|拉屎|狗屎|粪|便便|poop|poo\b|mess/.test(t)) add('sanitation', 3);

  // Bulky, renovation and construction waste are named in garbage's scope, wherever they are piled.
  if (/大件垃圾|装修垃圾|建筑垃圾|bulky waste|renovation waste|construction waste/.test(t)) add('garbage', 2);

  // 共享单车乱停放 is named in parking's scope: piles of shared bikes are parking, not clutter.
  if (/共享单车|shared bike|bike-share|bike share/.test(t)) add('parking', 2);

  // 邻里纠纷 → public_security, whatever the dispute is about.
  if (has('#neighbor') && has('#dispute')) {
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('public_security')) maxOther = Math.max(maxOther, s[i]!);
    add('public_security', 3 + maxOther * 0.5);
  }

  // Charging an e-bike indoors is a fire risk (public_security), not an electricity matter.
  if (has('#ebike') && has('#charging')) {
    add('public_security', 4);
    // Charged indoors it is an urgent_when situation (电动车楼内充电起火风险): it outranks the clutter beside it (楼道堆物).
    if (has('#indoors')) add('public_security', s[C('sanitation')]! * 0.8);
    s[C('power')]! *= 0.3;
  }

  // Street lights and paths inside a residential compound are the property manager's facilities.
  if (!has('#road') && s[C('municipal_facility')]! > 0 && /小区里|小区内|院里|院内|楼前|楼后|inside (?:the|our) (?:compound|estate)|in (?:the|our) (?:compound|estate)/.test(t)) {
    add('property', Math.min(3, s[C('municipal_facility')]!) * 0.9);
  }

  // 餐馆卫生 → food_safety: a dirty restaurant kitchen is not street cleanliness.
  if (has('#restaurant') && has('#foodhygiene')) {
    add('food_safety', 2 + s[C('sanitation')]! * 0.5);
    s[C('sanitation')]! *= 0.5;
  }

  // Oily fumes from a restaurant are pollution; the restaurant's hygiene is food safety.
  if (/油烟|排烟|烟道|排风口|烟熏|cooking fumes|kitchen fumes|kitchen exhaust|exhaust fan|exhaust vent|smell of grease/.test(t)) {
    s[C('food_safety')]! *= 0.3;
  }

  // 停车收费 is parking even when the property manager sets the fee (scope_zh: 停车收费 → parking).
  if (/停车费|停车收费|停车管理费|车位费|车位租金|parking fee|parking charge/.test(t)) add('parking', 3);

  // A public toilet that smells is a toilet not cleaned (公厕), not an air-pollution source.
  if (/公厕|公共厕所|public toilet|public restroom/.test(t) && s[C('sanitation')]! > 0 && !/工厂|化工|焚烧|factory/.test(t)) add('sanitation', 2);

  // How to (re)issue a general document is a policy question (政策咨询 → other), not the scope item behind it
  // (社保卡 stays labour, as the first dev set labels it).
  if (has('#question') && /补办|挂失|换领|申领|换证|怎么申请|如何申请|网上申请|在哪(?:里|儿)?(?:办|申请|领)/.test(t) && /营业执照|驾驶证|驾照|身份证|护照|居住证|户口本|港澳通行证/.test(t) && f.tags[T('#complaint')]! <= 1) {
    add('other', 3);
  }

  // Things left in a corridor, told in English, are 楼道堆物 (sanitation), not bulky waste for collection.
  if (/(?:put|puts|pile|piles|piled|leave|leaves|left|store|stores|stored|keep|keeps).{0,60}(?:corridor|hallway|stairwell|staircase)|(?:corridor|hallway|stairwell|staircase).{0,30}(?:full of|blocked by|piled)/.test(t) && !/bins?\b|collect/.test(t)) add('sanitation', 4);

  // Praise and thanks with no complaint are "other".
  if (has('#praise')) {
    const complaint = f.tags[T('#complaint')]!;
    const strongPraise =
      /表扬|点赞|点个赞|赞一个|夸一夸|夸夸|锦旗|致谢|好评|称赞|praise|compliment|great job|well done|辛苦了|非常感谢|特别感谢|十分感谢|thank you to|thanks to|grateful to|thank the|thank (?:all )?(?:the )?(?:staff|team|officer|workers)/.test(t) ||
      /感谢.{0,12}(?:工作人员|师傅|同志|书记|主任|民警|社区|街道|网格员|志愿者|医生|老师|司机)/.test(t);
    let maxOther = 0;
    for (let i = 0; i < NCAT; i++) if (i !== C('other')) maxOther = Math.max(maxOther, s[i]!);
    // A letter's courtesy (各位同志辛苦了 … 谢谢) around a request to fix something is no praise.
    const courtesyAroundRequest =
      !/表扬|点赞|点个赞|锦旗|好评|称赞|praise|compliment/.test(t) &&
      /我想反映|反映一下|反映个|反映一个|恳请|督促|(?:希望|请)(?:有关|相关)?部门|希望.{0,10}(?:处理|解决|疏通|维修|修一修|修理|管一管|清理|查处)/.test(t);
    // When praising, the category words name whom is praised (民警, 医生…), not a problem.
    if (courtesyAroundRequest) { /* a complaint: the category words decide */ }
    else if (strongPraise && complaint <= 3) add('other', 4 + maxOther * 0.6);
    else if (strongPraise) add('other', 3);
  }
}

/** Classify normalised text into a taxonomy category. */
export function classifyCategory(t: string, f: Features = extractFeatures(t)): CategoryGuess {
  applyRules(f, t);
  const s = f.scores;
  let best = -1;
  let second = -1;
  for (let i = 0; i < NCAT; i++) {
    if (best < 0 || s[i]! > s[best]!) {
      second = best;
      best = i;
    } else if (second < 0 || s[i]! > s[second]!) {
      second = i;
    }
  }
  const top = s[best]!;
  if (top <= 0) {
    return { code: 'other', confidence: 0.2, score: 0, matched: f.matched };
  }
  const next = Math.max(0, s[second]!);
  const strength = 1 - Math.exp(-top / 3);
  const margin = top / (top + next);
  const confidence = Math.round(strength * margin * 1000) / 1000;
  const guess: CategoryGuess = {
    code: CATEGORY_CODES[best]!,
    confidence,
    score: top,
    matched: f.matched,
  };
  if (next > 0 && second !== best) {
    const nextStrength = 1 - Math.exp(-next / 3);
    guess.runnerUp = {
      code: CATEGORY_CODES[second]!,
      confidence: Math.round(nextStrength * (next / (top + next)) * 1000) / 1000,
    };
  }
  return guess;
}

/** Add evidence for a category (e.g. an urgent_when situation of that category was recognised). */
export function boostCategory(f: Features, code: CategoryCode, w: number): void {
  f.scores[C(code)]! += w;
}

/** Scale the evidence for a category (e.g. smoke words mean fire, not pollution, when there is a fire). */
export function scaleCategory(f: Features, code: CategoryCode, factor: number): void {
  f.scores[C(code)]! *= factor;
}

export function tagCount(f: Features, tag: (typeof TAGS)[number]): number {
  return f.tags[T(tag)]!;
}
