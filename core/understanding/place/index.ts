/**
 * Place resolver: turns the way residents name a place (official names,
 * aliases, communities and villages, landmarks, roads, typos, pinyin and
 * English) into our district and street codes. Embedded, no network, built
 * once at module load. A wrong street is worse than a question: whenever the
 * text supports several streets, the result carries them as candidates and
 * `streetCode` stays null.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pinyin } from 'pinyin-pro';
import { DISTRICTS, STREETS, districtOfStreet, streetLabel, DISTRICT_BY_CODE } from './gazetteer.js';
import { LANDMARKS, type Landmark } from './landmarks.js';
import { chineseNumber, normalizeText, normalizeWithBreaks } from './normalize.js';
import { FuzzyIndex, ShortFuzzy } from './fuzzy.js';
import { Segmenter } from './segment.js';
import { scorePlaces, type PlaceDevLine, type PlaceEvalReport } from './evaluate.js';

export interface PlaceCandidate {
  districtCode: string;
  streetCode: string | null;
  label: string;
}

export type PlaceMethod = 'official' | 'alias' | 'community' | 'landmark' | 'road' | 'fuzzy' | 'pin' | 'geocoder' | 'none';

export interface PlaceResult {
  districtCode: string | null;
  streetCode: string | null;
  /** Community/village name when found. */
  community: string | null;
  communityCode?: string | null;
  /** The free address fragment (building, unit, road, house number). */
  address: string | null;
  method: PlaceMethod;
  confidence: number;
  /** >1 and streetCode null → the caller asks which (offer them as choices). */
  candidates: PlaceCandidate[];
  /** The text spans that were recognised as places (normalised text). */
  matched?: string[];
  /** Set when the text named a place but the resolver could not pin a street; a hint for the question. */
  reason?: 'ambiguous' | 'conflict' | 'district_only' | 'not_found' | 'needs_named_place' | 'quota' | 'geocoder_error';
}


// ---------------------------------------------------------------------------
// Index

type EntryMethod = 'district' | 'official' | 'alias' | 'community' | 'landmark' | 'road';

interface Target {
  d: string;
  s: string | null;
  community?: string;
  communityCode?: string | null;
}

interface Entry {
  method: EntryMethod;
  targets: Target[];
  /** Needs a location cue or a neighbouring place to count. */
  weak?: boolean;
  /** 2-character community stem: only counts when a building number follows. */
  needsBuilding?: boolean;
  /** Universities: "北京大学人民医院" is not the campus. */
  institution?: boolean;
  /** Also an everyday phrase (下水沟, 新房子, 鸟巢, 三间房): counts only with a suffix, building number, neighbouring place or as the whole answer. */
  everyday?: boolean;
  /** The full official name with its suffix (东湖街道, 来广营乡): the most explicit clue there is. */
  explicit?: boolean;
}

const dict = new Map<string, Entry[]>();
const latinDict = new Map<string, Entry[]>();
/** First two UTF-16 units (as a number) → candidate key lengths, longest first. */
const firstLens = new Map<number, number[]>();
const fuzzy = new FuzzyIndex<Entry>();
const shortFuzzy = new ShortFuzzy<Entry>();

const METHOD_RANK: Record<EntryMethod, number> = { district: 0, official: 1, alias: 2, landmark: 3, road: 3, community: 4 };

function addEntry(map: Map<string, Entry[]>, key: string, e: Entry): void {
  if (!key) return;
  const list = map.get(key);
  if (!list) {
    map.set(key, [e]);
    return;
  }
  const i = list.findIndex(
    (x) => x.method === e.method && !!x.weak === !!e.weak && !!x.needsBuilding === !!e.needsBuilding && !!x.everyday === !!e.everyday && !!x.explicit === !!e.explicit,
  );
  if (i < 0) {
    list.push(e);
    return;
  }
  // Entries are shared between keys: merge into a copy, never in place.
  const same = list[i]!;
  const targets = [...same.targets];
  for (const t of e.targets) {
    if (!targets.some((u) => u.s === t.s && u.d === t.d && u.community === t.community)) targets.push(t);
  }
  list[i] = { ...same, targets };
}

function add(key: string, e: Entry): void {
  // Keys in the same normal form as the text (areas.json has a few traditional characters: 东趙村).
  const k = normalizeText(key);
  addEntry(dict, k, e.method !== 'district' && isEverydayName(k) ? { ...e, everyday: true } : e);
}

/**
 * Place names that are also everyday phrases. Found by a scan: every word of the
 * jieba dictionary (frequency ≥ 20, not tagged as a place or name) and every
 * everyday two-character word followed by a generic tail (沟, 房, 地, 口 …) was run
 * through the resolver in a neutral sentence; these gave a street. They need
 * context (see `acceptContext`).
 */
const EVERYDAY_NAMES = new Set([
  '下水沟', '排水沟', '新房子', '三角地', '苹果派', '莲花瓣', '石板房', '鸟巢', '分水岭', '商业街', '发电站', '飞机场',
  '科技园', '航空港', '电信局', '管道局', '桥梁厂', '水泥厂', '玫瑰园', '百草园', '樱花园', '红房子',
]);
/** A numeral, a measure word and a generic noun: 三间房 "three rooms", 两间房, 五间房, 三道沟 "three ditches" (not 五道口, a name). */
const NUMERAL_MEASURE = /^[一二两三四五六七八九十几](?:间房|道沟|间屋)$/;
/** A direction and a gate: 北门口 "at the north gate", 东门外. */
const DIRECTION_GATE = /^[东西南北]门(?:口|外|里)$/;
/** A position word, even with a suffix: 东边小区 "the compound on the east side" (not 延庆's 东边村). */
const POSITION_WORD = /^(?:[东西南北上下前后里外]边|[东西南北]面|旁边|对面)(?:小区|社区|村|家属院|居民区|居委会|村委会)?$/;
/** A direction and a garden: 北花园 "the north garden". */
const DIRECTION_GARDEN = /^[东西南北上下前后中][花公]园$/;
function isEverydayName(k: string): boolean {
  return EVERYDAY_NAMES.has(k) || NUMERAL_MEASURE.test(k) || DIRECTION_GATE.test(k) || POSITION_WORD.test(k) || DIRECTION_GARDEN.test(k);
}
function addLatin(key: string, e: Entry): void {
  addEntry(latinDict, latinKey(key), e);
}
function latinKey(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Bare names that are everyday words as well: they need a location cue. */
const WEAK_NAMES = new Set([
  // Everyday words, names found all over China, or plants/spices/idioms.
  '朝阳', '怀柔', '东升', '曙光', '荣华', '百善', '康庄', '双丰', '礼贤', '高岭', '四季青', '天竺', '梨园', '龙潭', '老山',
  '王平', '金盏', '劲松', '和义', '德胜', '儒林', '兴寿', '延寿', '永顺', '永宁', '长阳', '空港', '星城', '博兴', '文景',
  '通运', '木林', '大台', '迎风', '八角', '石园', '旺泉', '兴丰', '清源', '泉河', '百泉', '上庄', '沙河', '清河', '东湖',
  '马坡', '和平街', '观音寺', '椿树', '学院路', '花园路', '大兴',
]);
const WEAK_LATIN = new Set(['boxing', 'mapo', 'shahe', 'qinghe', 'donghu', 'liyuan']);

/**
 * 2-3 character words that are also community stems; such a community only
 * matches with its suffix (社区/村/小区) or a building number.
 */
const COMMON_STEMS = new Set([
  '科技园', '创新园', '市场街', '开放路', '红房子', '百草园', '樱花园', '太阳园', '中心村', '北新村', '新村', '中心', '阳光',
  '幸福', '和平', '光明', '团结', '胜利', '东风', '向阳', '红星', '友谊', '建设', '民主', '前进', '新华', '工业', '文化',
  '人民', '新城', '花园', '家园', '公园', '学院', '医院', '车站', '机场', '电厂', '铁路', '大学', '体育馆', '博物馆',
  '工人', '农场', '林场', '水库', '电视台', '邮电', '商业', '政法', '首都', '北京', '中国', '东方', '世纪', '国际',
  '未来', '科学城', '高新区', '开发区', '试验区', '新区', '老区', '小区', '东区', '西区', '南区', '北区', '中区',
  '一区', '二区', '三区', '四区', '五区', '东里', '西里', '南里', '北里', '中里', '东院', '西院', '南院', '北院',
  '明珠', '吉祥', '如意', '平安', '长城', '黄河', '长江', '金地', '万科', '首开', '远洋', '星河', '金色', '绿色',
  '温泉', '清水', '河北', '河南', '山东', '安定', '平房', '古城', '城关', '城北', '城南', '城子', '南口', '永安',
  '红旗', '东升', '太平', '康乐', '长安', '复兴', '福田', '银河', '天河', '龙湖', '碧水', '青年', '少年', '老年',
  '太阳', '月亮', '星星', '彩虹', '春天', '夏天', '秋天', '冬天', '朝阳', '希望', '理想', '梦想', '和谐', '文明',
  '友好', '新兴', '兴旺', '繁荣', '富强', '民生', '社会', '人家', '万家', '千家', '百家', '大家', '农业', '商务',
  '金融', '科研', '教育', '卫生', '体育', '军队', '部队', '政府', '法院', '检察院', '公安', '消防', '交通', '环保',
  // Institution types found in every city (东北林业大学 is not 学院路's 林业大学社区).
  '林业大学', '农业大学', '邮电大学', '师范大学', '语言大学', '工商大学', '农学院', '航天', '航天城', '政法大院', '石油大院',
  '政法', '化工', '机场', '飞机场', '车站', '电建', '总装', '总院', '大院', '钢院', '二热',
  // Everyday or nationwide words (jieba dictionary, frequent, not tagged as place names).
  '新华社', '教育部', '卫生部', '科技部', '建设部', '分水岭', '文化路', '航空港', '中科院', '发电站', '水泥厂', '商业街',
  '花果山', '南天门', '农科院', '科学园', '十八里', '十里铺', '人民路', '解放路', '建设路', '中山路', '胜利路', '和平路', '新华街', '光明路',
  // Institution types Beijing has more than one of (北京肿瘤医院 in 海淀, 医科院肿瘤医院 in 朝阳) or any city has.
  '肿瘤医院', '玻璃公司', '保温瓶公司',
]);
/** 3-character stems naming an institution type (XX部, XX厂, XX所…) need their suffix too. */
const INSTITUTION_END = /^.{2}[部局所厂站校]$/;

/** Names residents still use for today's districts: 宣武/崇文 merged in 2010, counties that became districts. */
const OLD_DISTRICT_NAMES: Record<string, string[]> = {
  '110101': ['崇文区', '原崇文区'],
  '110102': ['宣武区', '原宣武区'],
  '110112': ['通县', '通州县'],
  '110113': ['顺义县'],
  '110114': ['昌平县'],
  '110115': ['大兴县'],
  '110116': ['怀柔县'],
  '110117': ['平谷县'],
  '110118': ['密云县'],
  '110119': ['延庆县'],
  '110111': ['房山县'],
};

const EXTRA_LATIN: Record<string, string> = {
  '110102-tianqiao': 'Tianqiao',
  '110101-qianmen': 'Qianmen',
  '110106-taipingqiao': 'Taipingqiao',
  '110105-pingfang': 'Pingfang',
  '110108-wenquan': 'Wenquan',
  '110114-nankou': 'Nankou',
  '110106-beigong': 'Beigong',
};

/** Suffixes that make a community stem explicit. */
const COMMUNITY_SUFFIXES = ['社区', '小区', '居委会', '社区居委会', '村委会', '家属院', '居民区'];

const GENERIC_CHARS = '东西南北中里区院条一二三四五六七八九十第号甲乙丙丁新老前后上下大小';
/** 西里二区, 东里北, 二区: made of direction/ordinal parts only. */
function isGenericStem(stem: string): boolean {
  for (const ch of stem) if (!GENERIC_CHARS.includes(ch)) return false;
  return true;
}

function stemOf(name: string): string {
  if (name.endsWith('社区')) return name.slice(0, -2);
  if (name.endsWith('村')) return name.slice(0, -1);
  return name;
}

function buildIndex(): void {
  // Districts.
  for (const d of DISTRICTS) {
    const e: Entry = { method: 'district', targets: [{ d: d.code, s: null }] };
    add(d.name, e);
    for (const old of OLD_DISTRICT_NAMES[d.code] ?? []) add(old, e);
    add(`北京市${d.name}`, e);
    for (const a of d.aliases) {
      if (/[a-z]/i.test(a)) addLatin(a, e);
      else add(a, WEAK_NAMES.has(a) ? { ...e, weak: true } : e);
    }
  }
  // Streets: official names and aliases.
  for (const s of STREETS.values()) {
    const t: Target = { d: s.districtCode, s: s.code };
    add(s.name, { method: 'official', targets: [t], explicit: true });
    const dname = DISTRICT_BY_CODE.get(s.districtCode)!;
    add(`${dname.name}${s.name}`, { method: 'official', targets: [t], explicit: true });
    const short = s.name.replace(/(街道|地区|回族乡|满族乡|镇|乡)$/, '');
    // "朝阳区三里屯" and "朝阳三里屯" name the street unambiguously even when the bare short name is not an alias.
    if (short.length >= 2 && short !== s.name) {
      add(`${dname.name}${short}`, { method: 'official', targets: [t] });
      for (const da of dname.aliases) if (!/[a-z]/i.test(da)) add(`${da}${short}`, { method: 'official', targets: [t] });
    }
    if (s.name.endsWith('地区')) {
      // 地区 offices are also 乡 governments: residents write 来广营乡, 来广营镇.
      add(`${short}乡`, { method: 'official', targets: [t], explicit: true });
    }
    for (const a of s.aliases) {
      const e: Entry = { method: 'alias', targets: [t] };
      if (/[a-z]/i.test(a)) {
        addLatin(a, WEAK_LATIN.has(latinKey(a)) ? { ...e, weak: true } : e);
        continue;
      }
      add(a, WEAK_NAMES.has(a) ? { ...e, weak: true } : e);
      if (a.length >= 3) fuzzy.add(a, { method: 'alias', targets: [t] });
      else if (!WEAK_NAMES.has(a)) shortFuzzy.add(a, { method: 'alias', targets: [t] });
    }
    // In English text the pinyin of a street whose Chinese short name is a common word is unambiguous (Tianqiao, Qianmen).
    const extra = EXTRA_LATIN[s.code];
    if (extra) addLatin(extra, { method: 'alias', targets: [t] });
    const pinyin = s.aliases.find((a) => /^[A-Za-z]/.test(a)) ?? extra;
    // Half-translated road and street names: Xueyuan Road (学院路), Jinrong Street (金融街).
    if (pinyin && /lu$/i.test(pinyin) && pinyin.length > 4) addLatin(`${pinyin.slice(0, -2)} road`, { method: 'alias', targets: [t] });
    if (pinyin && /jie$/i.test(pinyin) && pinyin.length > 5) addLatin(`${pinyin.slice(0, -3)} street`, { method: 'alias', targets: [t] });
    if (pinyin) {
      for (const suf of ['street', 'subdistrict', 'jiedao', 'town', 'township', 'area', 'zhen', 'xiang']) {
        addLatin(`${pinyin}${suf}`, { method: 'official', targets: [t] });
      }
    }
  }
  // Landmarks.
  for (const lm of LANDMARKS) addLandmark(lm);
  // Street short names (official short form and Chinese aliases) → streets.
  const shortNames = new Map<string, string[]>();
  for (const s of STREETS.values()) {
    const short = s.name.replace(/(街道|地区|回族乡|满族乡|镇|乡)$/, '');
    for (const a of [short, ...s.aliases.filter((x) => !/[a-z]/i.test(x))]) {
      const l = shortNames.get(a);
      if (l) l.push(s.code);
      else shortNames.set(a, [s.code]);
    }
  }
  // Communities and villages.
  for (const s of STREETS.values()) {
    for (const c of s.communities) {
      const t: Target = { d: s.districtCode, s: s.code, community: c.name, communityCode: c.gb_code ?? null };
      const stem = stemOf(c.name);
      // "八里庄社区", "望京村": the community of that name, or the street of that name? Ask, unless the text says.
      const namesake = (shortNames.get(stem) ?? []).filter((code) => code !== s.code);
      const e: Entry = {
        method: 'community',
        targets: [t, ...namesake.map((code) => ({ d: districtOfStreet(code), s: code }))],
      };
      if (stem.length < 2) {
        // 皮村, 一村, 解村: only with a location cue or next to another place (e.g. the town's name).
        add(c.name, { ...e, weak: true });
        continue;
      }
      add(c.name, e);
      const digits = withDigits(c.name);
      if (digits !== c.name) add(digits, e);
      for (const suf of COMMUNITY_SUFFIXES) add(stem + suf, e);
      if (c.full_name) add(c.full_name, e);
      if (c.name.endsWith('村')) add(`${stem}村委会`, e);
      const bare = [stem, ...(c.aliases ?? []), ...stemVariants(stem)];
      for (const b of bare) {
        if (b.length < 2) continue;
        const taken = dict.get(b)?.some((x) => x.method !== 'community');
        if (taken) continue;
        if (isGenericStem(b)) continue; // 二区, 西里二区: only with 社区 (the full name above)
        if (b.length === 2 || COMMON_STEMS.has(b) || (b.length === 3 && (COMMON_STEMS.has(b.slice(0, 2)) || INSTITUTION_END.test(b)))) {
          add(b, { ...e, needsBuilding: true });
        } else {
          add(b, e);
          // Homophone typos only for longer community names: 3-character ones sound like everyday words too often.
          if (b.length >= 4) fuzzy.add(b, e);
        }
      }
    }
  }
  addCommunityPrefixes();
  for (const key of dict.keys()) {
    if (key.length < 2) continue;
    const k2 = key.charCodeAt(0) * 65536 + key.charCodeAt(1);
    let lens = firstLens.get(k2);
    if (!lens) firstLens.set(k2, (lens = []));
    if (!lens.includes(key.length)) lens.push(key.length);
  }
  for (const lens of firstLens.values()) lens.sort((a, b) => b - a);
  fuzzy.freeze((k) => dict.has(k));
}

const ORDINALS = '一二三四五六七八九十';
/** How residents shorten community names: 天通北苑第二 → 天通北苑二区, 望京花园东 → 望京花园东区. */
function stemVariants(stem: string): string[] {
  const out: string[] = [];
  const noDi = stem.replace(/第(?=[一二三四五六七八九十])/, '');
  if (noDi !== stem) out.push(noDi);
  for (const s of [stem, noDi]) {
    const last = s[s.length - 1]!;
    if (ORDINALS.includes(last) || '东西南北中'.includes(last)) out.push(`${s}区`);
  }
  // Residents write numbers as digits: 望京西园四区 → 望京西园4区.
  for (const v of [stem, ...out]) {
    const d = withDigits(v);
    if (d !== v) out.push(d);
  }
  return out.filter((v) => v.length >= 3 && v !== stem);
}

/** 望京西园四区 → 望京西园4区, 西红门十二村 → 西红门12村 (numbers inside a name, not its first character). */
function withDigits(name: string): string {
  return name.replace(/(?<=[^一二三四五六七八九十第])([一二三四五六七八九十]{1,3})(?=[区里期号排条村队])/g, (m) => {
    const n = chineseNumber(m);
    return n === undefined ? m : String(n);
  });
}

const PLACEISH_END = '居园苑里庄村营楼院城湾坊厂屯店桥寺庙门街路巷峪沟台坨河湖山岭家';
const PART_START = '东西南北中一二三四五六七八九十第甲乙丙丁新老前后上下大小';

/**
 * Names residents use for a group of communities: 芍药居 (芍药居一…五社区), 石佛营
 * (石佛营东里/西里/南里). A prefix shared by ≥ 2 community names becomes a
 * name of its own; when the communities lie in several streets it gives
 * candidates. Source: the community lists in areas.json.
 */
function addCommunityPrefixes(): void {
  const byPrefix = new Map<string, { streets: Set<string>; n: number }>();
  for (const s of STREETS.values()) {
    for (const c of s.communities) {
      const stem = stemOf(c.name);
      for (let k = 3; k < stem.length; k++) {
        const p = stem.slice(0, k);
        if (!PLACEISH_END.includes(p[k - 1]!) && !PART_START.includes(stem[k]!)) continue;
        let v = byPrefix.get(p);
        if (!v) byPrefix.set(p, (v = { streets: new Set(), n: 0 }));
        v.streets.add(s.code);
        v.n++;
      }
    }
  }
  for (const [p, v] of byPrefix) {
    if (v.n < 2 || dict.has(p) || COMMON_STEMS.has(p) || COMMON_STEMS.has(p.slice(0, 2)) || /^(?:北京|中国|首都)/.test(p)) continue;
    const targets: Target[] = [...v.streets].map((s) => ({ d: districtOfStreet(s), s }));
    add(p, { method: 'community', targets });
    if (p.length >= 4) fuzzy.add(p, { method: 'community', targets });
  }
}

function addLandmark(lm: Landmark): void {
  const method: EntryMethod = lm.kind === 'road' || lm.kind === 'hutong' || lm.kind === 'bridge' ? 'road' : 'landmark';
  const targets: Target[] = lm.streets.map((s) => ({ d: districtOfStreet(s), s }));
  const e: Entry = { method, targets, ...(lm.weak ? { weak: true } : {}), ...(lm.kind === 'university' ? { institution: true } : {}) };
  for (const n of lm.names) {
    add(n, e);
    if (n.length >= 3 && !lm.weak && targets.length) fuzzy.add(n, { method, targets });
  }
  for (const l of lm.latin ?? []) addLatin(l, e);
}

buildIndex();

// ---------------------------------------------------------------------------
// Matching

interface Match {
  start: number;
  end: number;
  text: string;
  entry: Entry;
  fuzzy?: boolean;
  latin?: boolean;
}

const BUILDING_AFTER = /^(?:\d+|[一二三四五六七八九十两]+)(?:号楼|号院|栋|幢|单元|号|区|期|排|条)/;
/** A short name followed by a name of its own ending in a place word: 劲松华腾园小区, 来广营北苑路 (no function character in between). */
const NAME_THEN_PLACE_WORD = /^[^的了在是有不没就也都还和与或把被给让吗呢吧啊呀个么我你他她这那，。,.!！?？\s]{1,5}(?:小区|社区|家园|花园|村|路|大街|胡同|东里|西里|南里|北里)/;
const CUE_BEFORE = /(?:在|住|于|到|去|是|北京|北京市|回|从|至|来自|位于)$/;
const CUE_AFTER = /^(?:这一片|那一片|这片|那片|这一带|那一带|这一块|那一块|的(?=$|[，。,.!！?？\s])|的(?:小区|社区|村|居民|住户|老楼|胡同)|这边|那边|这儿|那儿|这里|那里|这块|那块|附近|一带|周边|境内|辖区|地界|区域|片区|地铁站|站|路|街|桥|大街|小区|社区|村|镇|乡|地区|街道)/;

const LATIN_DIRECTION: Record<string, string> = { north: 'bei', south: 'nan', east: 'dong', west: 'xi', n: 'bei', s: 'nan', e: 'dong', w: 'xi' };

function scan(text: string): Match[] {
  const out: Match[] = [];
  const n = text.length;
  for (let i = 0; i + 1 < n; i++) {
    const lens = firstLens.get(text.charCodeAt(i) * 65536 + text.charCodeAt(i + 1));
    if (!lens) continue;
    for (const len of lens) {
      if (i + len > n) continue;
      const key = text.substr(i, len);
      const entries = dict.get(key);
      if (!entries) continue;
      for (const entry of entries) out.push({ start: i, end: i + len, text: key, entry });
    }
  }
  // Latin tokens: join up to 4 consecutive words ("hepingli", "he ping li", "Tuanjiehu-li").
  if (/[a-z]/.test(text)) {
    const re = /[a-z0-9]+/g;
    const toks: { s: number; e: number; w: string }[] = [];
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) toks.push({ s: m.index, e: m.index + m[0].length, w: m[0] });
    for (let i = 0; i < toks.length; i++) {
      let key = '';
      for (let j = i; j < Math.min(toks.length, i + 4); j++) {
        const dir = j > i ? LATIN_DIRECTION[toks[j]!.w] : undefined;
        key += toks[j]!.w;
        let entries = latinDict.get(key);
        // "Tiantongyuan North", "Wangjing West": the direction is part of the name's pinyin (天通苑北 → tiantongyuanbei).
        if (!entries && dir) {
          const withDir = key.slice(0, key.length - toks[j]!.w.length) + dir;
          if (latinDict.has(withDir)) {
            entries = latinDict.get(withDir);
            key = withDir;
          }
        }
        let end = toks[j]!.e;
        if (!entries && key.length >= 6) {
          entries = communityLatin().get(key);
          if (entries) {
            // "Wangjing Xiyuan 4 qu", "Fangqunyuan 1st district": the numbered part may lie in another street
            // (望京西园 is in 东湖, 望京西园四区 in 望京). Use the numbered name when it exists, else ask.
            const sub = LATIN_SUBAREA.exec(text.slice(end));
            if (sub) {
              const n = Number(sub[1] ?? sub[2] ?? sub[4]) || PINYIN_ORDINAL.indexOf(sub[3] ?? '') + 1;
              const zh = COMMUNITY_LATIN_ZH.get(key) ?? [];
              const numbered = zh.flatMap((c) => [...(dict.get(`${c}${CN_DIGITS[n] ?? ''}区`) ?? []), ...(dict.get(`${c}${n}区`) ?? [])]);
              entries = numbered.length ? numbered : undefined;
              end += sub[0].length;
            }
          }
        }
        if (!entries) continue;
        for (const entry of entries) out.push({ start: toks[i]!.s, end, text: text.slice(toks[i]!.s, end), entry, latin: true });
      }
    }
  }
  return out;
}

function weight(m: Match): number {
  const len = m.end - m.start;
  // A 2-character community stem or a weak name covers text less convincingly than a full name.
  return (m.entry.needsBuilding || m.entry.weak || m.entry.everyday ? len * 0.6 : len) - 0.01;
}

/**
 * Longest names first, as a best tiling: the non-overlapping set of matches
 * covering the most text (景山 inside 石景山 loses; "西城区牛街东里" reads as
 * 西城区 + 牛街东里, not 西城区牛街 + 东里). Matches on the same span are kept together.
 */
function selectMatches(all: Match[]): Match[] {
  if (all.length <= 1) return all;
  const spans = new Map<string, Match[]>();
  for (const m of all) {
    const k = `${m.start}:${m.end}`;
    const l = spans.get(k);
    if (l) l.push(m);
    else spans.set(k, [m]);
  }
  const groups = [...spans.values()].map((ms) => ({ start: ms[0]!.start, end: ms[0]!.end, ms, w: Math.max(...ms.map(weight)) }));
  groups.sort((a, b) => a.end - b.end || a.start - b.start);
  const n = groups.length;
  // best[i]: best score using groups[0..i-1]; classic weighted interval scheduling.
  const best = new Float64Array(n + 1);
  const take = new Uint8Array(n + 1);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let j = i - 1;
    while (j >= 0 && groups[j]!.end > groups[i]!.start) j--;
    prev[i] = j;
  }
  for (let i = 1; i <= n; i++) {
    const g = groups[i - 1]!;
    const withG = best[prev[i - 1]! + 1]! + g.w;
    if (withG > best[i - 1]! + 1e-9) {
      best[i] = withG;
      take[i] = 1;
    } else best[i] = best[i - 1]!;
  }
  const chosen: Match[] = [];
  for (let i = n; i > 0; ) {
    if (take[i]) {
      chosen.push(...groups[i - 1]!.ms);
      i = prev[i - 1]! + 1;
    } else i--;
  }
  chosen.sort((a, b) => a.start - b.start);
  return chosen;
}

/**
 * Everyday two-character words that sound exactly like a street alias with one
 * character changed (found by running every 2-character word of the jieba
 * dictionary with frequency ≥ 3 through the matcher): never a typo of a place.
 */
const SHORT_FUZZY_STOP = new Set(
  (
    '上帝 中场 中常 关内 关外 大雨 天堂 山地 王平 西路 象山 万六 东势 东寺 东巴 东市 东斯 东施 东石 中产 中藏 中长 中餐 义庄 乔梓 九宫 云冈 京山 仙山 军装 军转 十楼 南园 南缘 南郊 南院 双晶 双泾 四楼 大余 ' +
    '大宇 大禹 大鱼 奖台 安枕 小官 常因 常饮 建台 斋坛 方砖 旧乡 显山 桑地 淮北 率谷 王座 田坛 留村 皇村 监外 看淡 筏头 管内 管外 管状 绿城 罐内 肩台 良相 花县 花巷 花线 花香 荆山 荒村 萧关 西吉 西籍 西陆 西麓 见外 讲台 进山 重仓 金山 银海 陆源 霍县 顺河 饭庄 馆内 馆外 马房 鱼口 鹿城 鹿谷 鹿邑'
  ).split(' '),
);

/**
 * A two-character homophone typo of a street alias inside a longer message, when a location word
 * follows it ("望经这边的下水道赌了"): only at a clause start, and only when the two characters are not
 * a word of their own (学校这边, 我们这边 are words).
 */
function cuedShortFuzzy(text: string): Match | null {
  const re = /(?:^|[\s，。,.!！?？、;；:：~～…])(?:我在|我住|住在|在)?([\u4e00-\u9fff]{2})(?=这边|那边|附近|一带|这块|那块)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const core = m[1]!;
    if (SHORT_FUZZY_STOP.has(core)) continue;
    const hits = shortFuzzy.match(core);
    if (!hits.length) continue;
    const start = m.index + m[0].length - 2;
    const words = segmenter().cut(text.slice(start, start + 4));
    if (words[0] === core) continue; // an everyday word
    return { start, end: start + 2, text: core, entry: { method: hits[0]!.method, targets: hits.flatMap((e) => e.targets) }, fuzzy: true };
  }
  return null;
}

/** The text without punctuation and filler words around a bare answer ("在望经那边吧" → "望经"). */
function shortCore(text: string): string {
  if (text.length > 12) return '';
  return text
    .replace(/[\s，。,.!！?？、;；:：~～…"'“”‘’()（）]/g, '')
    .replace(/^(?:我在|我住|我住在|住在|就在|在|是|位于)/, '')
    .replace(/(?:那边|这边|附近|一带|吧|啊|呀|的)+$/, '');
}

/** The message is little more than the name ("八角", "在八角那边"): an answer to "which street?". */
function isShortAnswer(text: string, m: Match): boolean {
  const rest = (text.slice(0, m.start) + '|' + text.slice(m.end))
    .replace(/[\s，。,.!！?？、;；:：~～…"'“”‘’()（）]/g, '')
    .replace(/^(?:我在|我住|我住在|住在|就在|在|是|位于)/, '')
    .replace(/(?:那边|这边|附近|一带|吧|啊|呀|的)+$/, '');
  return rest === '|';
}

const SEGMENT_PUNCT = /[，。,.!！?？;；:：、\n~～…()（）【】[\]"“”'‘’]/;

/** The name stands alone between punctuation, spaces or the ends of the text ("…似的 亦庄", "水压很小，八角"). */
function isStandalone(text: string, m: Match, breaks?: Uint8Array): boolean {
  let s = m.start;
  const lead = /(?:我在|我住|我住在|住在|就在|在|位于)$/.exec(text.slice(Math.max(0, s - 3), s));
  if (lead && !(breaks?.[s])) s -= lead[0].length;
  const startOk = s === 0 || !!breaks?.[s] || SEGMENT_PUNCT.test(text[s - 1]!);
  if (!startOk) return false;
  let e = m.end;
  const trail = /^(?:这边|那边|附近|一带|这儿|那儿)/.exec(text.slice(e, e + 2));
  if (trail) e += trail[0].length;
  return e === text.length || !!breaks?.[e] || SEGMENT_PUNCT.test(text[e]!);
}

/** What follows a university's name that makes it another place: its hospitals, schools, other campuses. */
const INSTITUTION_OFFSHOOT = /^(?:第[一二三四五六七八九]|[\u4e00-\u9fa5]{0,5}?)(?:医院|医学部|医学院|附属|附中|附小|分校|研究院|研究生院|出版社|幼儿园|实验学校|校区)/;

/** Characters that may stand right before a short community stem: function words, not the rest of a name. */
const STEM_BEFORE_OK = '在住是的到去从于家我们了和与及往向近旁边对那这个咱俺您你他她';
/** Before a longer community name: also position words and verbs that end a phrase (对面, 门口, 回到). */
const GLUE_OK = STEM_BEFORE_OK + '面口旁侧回来叫名说称市京区过离达临靠边找';

/** The name continues a longer unrecognised word to its left (某地科技园, 张家苑南区), not after 我家/在/住. */
function gluedLeft(text: string, m: Match, ends: Set<number> | undefined, ok: string): boolean {
  if (m.latin || m.start === 0 || ends?.has(m.start)) return false;
  const prev = text[m.start - 1]!;
  if (!/[\u4e00-\u9fff]/.test(prev)) return false;
  if (prev === '家') return !(m.start >= 2 && '我你他她咱俺们'.includes(text[m.start - 2]!));
  if (ok.includes(prev)) return false;
  // A word of two or more characters ends right there (今天, 投诉, 楼下): the name starts a new word.
  // A lone character that is not a function word (重文门西大街, 巴鑫家园) is the rest of another name.
  for (const t of tokensAround(text, m.start, m.end)) {
    if (t.b === m.start) return t.b - t.a < 2;
    if (t.a < m.start && t.b > m.start) return true;
  }
  return true;
}

function acceptContext(text: string, m: Match, strong: Match[], breaks?: Uint8Array, ends?: Set<number>): boolean {
  if (m.entry.institution && INSTITUTION_OFFSHOOT.test(text.slice(m.end, m.end + 9))) return false;
  if (m.entry.everyday) {
    if (gluedLeft(text, m, ends, STEM_BEFORE_OK)) return false;
    // 下水沟, 新房子, 鸟巢: a place only as the whole answer, with a building number, a place suffix,
    // "住在…", or right next to another place (延庆下水沟); "排到下水沟里" is a ditch.
    if (isShortAnswer(text, m) || BUILDING_AFTER.test(text.slice(m.end))) return true;
    if (/^(?:小区|社区|村|地铁站|站|街道|地区|镇|乡|[东西南北](?:边|侧|门|面))/.test(text.slice(m.end, m.end + 3))) return true;
    if (/(?:住在|家住|我住|位于)$/.test(text.slice(Math.max(0, m.start - 2), m.start))) return true;
    return strong.some((o) => o !== m && (o.end === m.start || o.start === m.end));
  }
  if (m.entry.needsBuilding) {
    // Right after another name it is that name's sub-part ("花家地西里" + "二区"), not a community of its own.
    if (strong.some((o) => o.end === m.start)) return false;
    // Glued to the end of a longer unrecognised name ("望经西园四区" is not 怀柔's 西园社区 + 四区).
    if (gluedLeft(text, m, ends, STEM_BEFORE_OK)) return false;
    return BUILDING_AFTER.test(text.slice(m.end));
  }
  // A community name glued to the end of a longer, unrecognised name is probably that name's tail
  // with a typo in front ("重文门西大街" is not 平谷's 西大街村): it needs the context a weak name needs.
  const glued = m.entry.method === 'community' && gluedLeft(text, m, ends, GLUE_OK);
  if (!m.entry.weak && !glued) return true;
  if (isShortAnswer(text, m) || isStandalone(text, m, breaks)) return true;
  if (m.latin) {
    if (strong.some((o) => o !== m && (Math.abs(o.end - m.start) <= 2 || Math.abs(m.end - o.start) <= 2))) return true;
    const before = text.slice(Math.max(0, m.start - 8), m.start);
    const after = text.slice(m.end, m.end + 14);
    return /\b(?:in|at|near|from|to|live|around)\s*$/.test(before) || /^\s*(?:district|street|subdistrict|town|area|road)\b/.test(after);
  }
  const before = text.slice(Math.max(0, m.start - 3), m.start);
  const after = text.slice(m.end, m.end + 3);
  if (CUE_AFTER.test(after)) return true;
  if (!m.entry.everyday && m.entry.method === 'alias' && (BUILDING_AFTER.test(text.slice(m.end)) || NAME_THEN_PLACE_WORD.test(text.slice(m.end, m.end + 9)))) return true;
  // Next to another recognised place ("石景山八角", "八角 北路" …).
  for (const o of strong) {
    if (o === m) continue;
    if (Math.abs(o.end - m.start) <= 1 || Math.abs(m.end - o.start) <= 1) return true;
  }
  if (CUE_BEFORE.test(before)) {
    // "朝阳的房间", "朝阳面": sun-facing, not the district.
    if (/^(?:的房|的屋|的卧|的窗|面|向|光|花)/.test(after)) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Address fragment

const ADDRESS_RE =
  /(?:[\u4e00-\u9fa5]{1,10}?(?:大街|路|街|胡同|巷|道|里|条))?(?:\d+|[一二三四五六七八九十百]+)(?:号院|号楼|号|栋|幢|座|区)(?:(?:\d+|[一二三四五六七八九十]+)(?:号楼|号院|单元|门|层|楼|室|号|栋|幢|座))*(?:[-—]?\d{2,4}(?:室|号|房间|户)?)?/;

const ADDRESS_HINT = /[号栋幢座区]/;
/** What follows a place name when that name begins a road's: 路, 南路, 西五街, 北大街, 胡同… */
const DISTRICT_PREFIX = /^(?:北京市?)?(?:东城|西城|朝阳|海淀|丰台|石景山|门头沟|房山|通州|顺义|昌平|大兴|怀柔|平谷|密云|延庆)区/;
const ROAD_CONTINUATION = /^[东西南北中]?[一二三四五六七八九十\d]*(?:大街|大道|辅路|环路|路|街|巷|胡同|条)/;
const FILLER_PREFIX = /^(?:.*?(?:我家在|家住在|我住在|住在|家住|我在|位于|就在|地址是|地址|在))/;

function extractAddress(text: string, places: Match[]): string | null {
  if (!ADDRESS_HINT.test(text)) return null;
  const after = places.length ? text.slice(places[places.length - 1]!.start) : text;
  const m = ADDRESS_RE.exec(after) ?? ADDRESS_RE.exec(text);
  if (!m) return null;
  let frag = m[0].replace(FILLER_PREFIX, '');
  // Keep the road/building part: drop a leading district, street or community name already
  // recognised ("花家地西里3号楼" → "3号楼"), but keep a road's own name ("工体北路8号").
  for (const p of places) {
    const method = p.entry.method;
    if (method === 'road' || method === 'landmark') continue;
    if (!frag.startsWith(p.text) || frag.length <= p.text.length) continue;
    // A name followed by a road word is the start of the road's own name: 三里屯 in 三里屯路19号
    // (only a district written before it goes: 朝阳区三里屯路19号 → 三里屯路19号).
    if (ROAD_CONTINUATION.test(frag.slice(p.text.length))) {
      frag = frag.replace(DISTRICT_PREFIX, '') || frag;
      continue;
    }
    frag = frag.slice(p.text.length);
  }
  return frag || null;
}

// ---------------------------------------------------------------------------
// Resolution

const CONFIDENCE: Record<EntryMethod | 'fuzzy', number> = {
  official: 0.97,
  alias: 0.92,
  district: 0.9,
  community: 0.88,
  landmark: 0.85,
  road: 0.8,
  fuzzy: 0.6,
};

function candidatesFor(streets: Iterable<string>): PlaceCandidate[] {
  return [...streets].map((s) => ({ districtCode: districtOfStreet(s), streetCode: s, label: streetLabel(s) }));
}

function none(address: string | null, reason: PlaceResult['reason'] = 'not_found'): PlaceResult {
  return { districtCode: null, streetCode: null, community: null, communityCode: null, address, method: 'none', confidence: 0, candidates: [], reason };
}

// ---------------------------------------------------------------------------
// Word boundaries: a short name inside a longer word is not that name
// (照常营业 is not 常营, 东北师大 is not 北师大, 西北航空 is not 北航).

let jieba: Segmenter | null = null;
/** jieba's segmentation over its default dictionary (the file ships with @node-rs/jieba), see segment.ts. */
function segmenter(): Segmenter {
  return (jieba ??= new Segmenter(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'))));
}

/** Load the word segmenter now (≈ 0.2–0.4 s) instead of on the first message that needs it. */
export function warmUpPlaceResolver(): void {
  segmenter();
  communityLatin();
}

let COMMUNITY_LATIN: Map<string, Entry[]> | null = null;
/** Pinyin key → the Chinese names it came from. */
const COMMUNITY_LATIN_ZH = new Map<string, string[]>();
const CN_DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const PINYIN_ORDINAL = ['yi', 'er', 'san', 'si', 'wu', 'liu', 'qi', 'ba', 'jiu', 'shi'];
/** A numbered sub-area after a name: " 4 qu", " 1st district", " district 2", " si qu", " phase 3". */
const LATIN_SUBAREA = /^[\s,]*(?:(\d{1,2})(?:st|nd|rd|th)? ?(?:qu|district|area|zone|phase)\b|(?:district|area|zone|phase|qu) ?(\d{1,2})\b|(yi|er|san|si|wu|liu|qi|ba|jiu|shi) ?qu\b|no\.? ?(\d{1,2}) (?:district|area)\b)/;
/**
 * Community and landmark names in pinyin, as expats write them ("Fangqunyuan 1st district",
 * "Huawei Xili"): names of three or more characters that are not generic or everyday, keyed
 * without spaces (curated English names of landmarks come first).
 * Built on the first English message (≈ 0.3 s) or by `warmUpPlaceResolver()`.
 */
function communityLatin(): Map<string, Entry[]> {
  if (COMMUNITY_LATIN) return COMMUNITY_LATIN;
  const map = new Map<string, Entry[]>();
  for (const [key, entries] of dict) {
    if (key.length < 3 || !/^[\u4e00-\u9fff]+$/.test(key) || /(?:社区|小区|居委会|村委会|家属院|居民区|村)$/.test(key)) continue;
    for (const e of entries) {
      if ((e.method !== 'community' && e.method !== 'landmark') || !e.targets.length || e.weak || e.needsBuilding || e.everyday) continue;
      const k = latinKey(pinyin(key, { toneType: 'none', type: 'array' }).join(''));
      if (k.length < 6 || latinDict.has(k)) continue;
      addEntry(map, k, e);
      const zh = COMMUNITY_LATIN_ZH.get(k);
      if (!zh) COMMUNITY_LATIN_ZH.set(k, [key]);
      else if (!zh.includes(key)) zh.push(key);
    }
  }
  COMMUNITY_LATIN = map;
  return map;
}

/** Characters that may extend a place name into a longer word of the same place (双井桥, 金盏乡). */
const PLACE_EXT = '桥路街门村站园里区镇乡口东西南北中道巷胡同楼号院屯营庄店河湖山上下旁边前后内外';
const PLACE_EXT_WORDS = new Set(['脚下', '附近', '旁边', '周边', '边上', '对面', '门口', '里面', '外面', '这边', '那边', '一带', '地区']);

/** Words of the text around [start, end) (a window of a few characters each side is enough and keeps long messages cheap). */
function tokensAround(text: string, start: number, end: number): { a: number; b: number }[] {
  const from = Math.max(0, start - 6);
  const to = Math.min(text.length, end + 6);
  const tokens: { a: number; b: number }[] = [];
  let pos = from;
  for (const w of segmenter().cut(text.slice(from, to))) {
    tokens.push({ a: pos, b: pos + w.length });
    pos += w.length;
  }
  return tokens;
}

/** True when a word of the text runs across the match's edge in a way that makes it another word. */
function crossesWord(text: string, m: { start: number; end: number }, tokens: { a: number; b: number }[]): boolean {
  for (const t of tokens) {
    if (t.b <= m.start) continue;
    if (t.a >= m.end) break;
    if (t.a < m.start && t.b > m.start) return true; // 东北师大, 照常营业
    if (t.a < m.end && t.b > m.end) {
      const ext = text.slice(m.end, t.b);
      if (PLACE_EXT_WORDS.has(ext)) continue;
      for (const ch of ext) if (!PLACE_EXT.includes(ch)) return true; // 常营业, 鸟巢蕨
    }
  }
  return false;
}

function needsWordCheck(m: Match): boolean {
  if (m.latin) return false;
  const method = m.entry.method;
  if (method === 'district' || method === 'official') return false;
  return m.fuzzy === true || m.end - m.start <= 3;
}

function resolveText(text: string, breaks?: Uint8Array): PlaceResult {
  const all = scan(text);
  let chosen = selectMatches(all);
  if (chosen.some(needsWordCheck)) {
    chosen = chosen.filter((m) => !needsWordCheck(m) || !crossesWord(text, m, tokensAround(text, m.start, m.end)));
  }
  const strongFirst = chosen.filter((m) => !m.entry.weak && !m.entry.needsBuilding && !m.entry.everyday);
  // Where a recognised place ends (a name right after it is its part or neighbour, not glued to an unknown word).
  const ends = new Set(chosen.filter((m) => !m.entry.needsBuilding && !m.entry.everyday).map((m) => m.end));
  chosen = chosen.filter((m) => acceptContext(text, m, strongFirst, breaks, ends));
  let usedFuzzy = false;
  if (!chosen.some((m) => m.entry.method !== 'district')) {
    const taken: boolean[] = [];
    for (const m of chosen) for (let k = m.start; k < m.end; k++) taken[k] = true;
    let fz = fuzzy.search(text, taken);
    if (fz.length) {
      fz = fz.filter((f) => {
        const tokens = tokensAround(text, f.start, f.end);
        if (crossesWord(text, f, tokens) || tokens.some((t) => t.a === f.start && t.b === f.end && t.b - t.a >= 3)) return false;
        // Made entirely of everyday words (中心 + 花园 is "the central garden", not 中芯花园): a typo changes a
        // character inside a word and leaves a lone character; correct words are not a misspelt name.
        const inside = tokens.filter((t) => t.a >= f.start && t.b <= f.end);
        const tiled = inside.length >= 2 && inside[0]!.a === f.start && inside[inside.length - 1]!.b === f.end && inside.every((t) => t.b - t.a >= 2);
        return !tiled;
      });
    }
    if (fz.length) {
      usedFuzzy = true;
      for (const f of fz) {
        const targets: Target[] = [];
        for (const e of f.entry) for (const t of e.targets) if (!targets.some((u) => u.s === t.s && u.community === t.community)) targets.push(t);
        chosen.push({ start: f.start, end: f.end, text: text.slice(f.start, f.end), entry: { method: f.entry[0]!.method, targets }, fuzzy: true });
      }
      chosen.sort((a, b) => a.start - b.start);
    }
  }
  if (!chosen.length) {
    // A two-character answer with a homophone typo (望经 → 望京).
    const core = shortCore(text);
    const hits = core.length === 2 && !SHORT_FUZZY_STOP.has(core) ? shortFuzzy.match(core) : [];
    if (hits.length) {
      usedFuzzy = true;
      const targets = hits.flatMap((e) => e.targets);
      const start = text.indexOf(core);
      chosen.push({ start, end: start + 2, text: core, entry: { method: hits[0]!.method, targets }, fuzzy: true });
    } else {
      const cued = cuedShortFuzzy(text);
      if (cued) {
        usedFuzzy = true;
        chosen.push(cued);
      }
    }
  }
  const address = extractAddress(text, chosen);
  if (!chosen.some((m) => m.entry.targets.length)) return none(address);
  const result = decide(chosen, address, usedFuzzy);
  if (result.streetCode || chosen.length < 2) return result;
  // Several places that disagree: where the resident lives or works, or a route, is context;
  // the place mentioned without such a cue is where the problem is ("我家在回龙观，公司楼下在上地…上地这边路灯坏了").
  const ctx = contextMentions(text, chosen);
  if (!ctx.some(Boolean) || ctx.every(Boolean)) return result;
  const problem = chosen.filter((_, i) => !ctx[i]);
  if (!problem.some((m) => m.entry.method !== 'district')) return result;
  const narrowed = decide(problem, address, usedFuzzy);
  if (!narrowed.streetCode) return result;
  return { ...narrowed, matched: result.matched, confidence: Math.round(narrowed.confidence * 0.9 * 100) / 100 };
}

/** Cues that a place is the resident's home, workplace, registration or a route end, not the problem's place. */
const HOME_BEFORE = /(?:家|家里)(?:住|住在|在|就在)$|(?:住在|家住|住的是|住的|户口在|户籍在|户口是|我住|她住|他住|我是|我们是)$/;
const WORK_BEFORE = /(?:公司|单位|办公室|工作单位|学校)(?:在|就在|是)$|(?:上班在|工作在)$/;
const WORK_AFTER = /^(?:上班|工作|上学|读书|打工)/;
const ROUTE_FROM = /从$/;

/** For each match: is it only context (home, work, route)? A name chained to a context name shares its role. */
function contextMentions(text: string, ms: Match[]): boolean[] {
  const out = ms.map(() => false);
  const clauseStart = (i: number) => {
    let k = i;
    while (k > 0 && !SEGMENT_PUNCT.test(text[k - 1]!)) k--;
    return k;
  };
  for (let i = 0; i < ms.length; i++) {
    // The first name of a chain (朝阳区 + 望京 …) carries the cue.
    let first = i;
    while (first > 0 && ms[first - 1]!.end === ms[first]!.start) first--;
    let last = i;
    while (last + 1 < ms.length && ms[last + 1]!.start === ms[last]!.end) last++;
    const before = text.slice(Math.max(0, ms[first]!.start - 5), ms[first]!.start);
    const after = text.slice(ms[last]!.end, ms[last]!.end + 4).replace(/^(?:这边|那边|附近)/, '');
    const cs = clauseStart(ms[first]!.start);
    const clauseBefore = text.slice(cs, ms[first]!.start);
    if (HOME_BEFORE.test(before) || WORK_BEFORE.test(before)) out[i] = true;
    else if (/(?:在|去|到)$/.test(before) && WORK_AFTER.test(after)) out[i] = true;
    else if (/^的$|^的人/.test(after.slice(0, 1)) && /(?:我是|我们是)$/.test(before)) out[i] = true;
    else if (ROUTE_FROM.test(before) || (/(?:到|去|至)$/.test(before) && /从/.test(clauseBefore))) out[i] = true;
  }
  return out;
}

interface Clue {
  m: Match;
  targets: Target[];
  conflict: boolean;
}

const streetsOf = (c: Clue) => new Set(c.targets.map((t) => t.s).filter((s): s is string => !!s));

/**
 * When clues disagree, the more explicit one decides: a full official name
 * ("朝阳区东湖街道") beats a community, landmark or alias ("望京西园三区" lies in
 * 望京街道 by areas.json, but the resident named the street); a community with
 * one street beats a broad area alias of the same district ("回龙观龙泽苑东区":
 * residents call the whole area 回龙观, the community is in 龙泽园街道).
 * Clues that agree with the winner are kept (they carry the community name).
 */
function preferSpecific(usable: Clue[]): Clue[] {
  const keepAgreeing = (s: string) => usable.filter((c) => c.m.entry.explicit || streetsOf(c).has(s) || streetsOf(c).size === 0);
  const explicit = usable.filter((c) => c.m.entry.explicit && !c.m.fuzzy);
  if (explicit.length) {
    let inter: string[] = [...streetsOf(explicit[0]!)];
    for (const c of explicit.slice(1)) {
      const ss = streetsOf(c);
      inter = inter.filter((s) => ss.has(s));
    }
    return inter.length === 1 ? keepAgreeing(inter[0]!) : usable;
  }
  const communities = usable.filter((c) => c.m.entry.method === 'community' && !c.m.fuzzy && !c.m.entry.needsBuilding && !c.m.entry.everyday && streetsOf(c).size === 1);
  const others = usable.filter((c) => !communities.includes(c));
  // The area names residents use loosely: an alias (回龙观) or district + short name (昌平回龙观), never a full official name.
  const broad = (c: Clue) => (c.m.entry.method === 'alias' || c.m.entry.method === 'official') && !c.m.entry.explicit && !c.m.latin && !c.m.fuzzy;
  if (!communities.length || !others.length || !others.every(broad)) return usable;
  // A separate, longer mention ("回龙观" + "龙泽苑东区"), never the same words read two ways (田村 the street, 田村 the village).
  const overlaps = (x: Match, y: Match) => x.start < y.end && y.start < x.end;
  if (communities.some((c) => others.some((o) => overlaps(c.m, o.m)))) return usable;
  const cs = new Set(communities.map((c) => [...streetsOf(c)][0]!));
  if (cs.size !== 1) return usable;
  const s = [...cs][0]!;
  const d = districtOfStreet(s);
  // Only within the alias's own district: a community elsewhere is another place, not a part of it.
  if (!others.every((c) => c.targets.some((t) => t.d === d))) return usable;
  return keepAgreeing(s).filter((c) => c.m.entry.method === 'community' || streetsOf(c).has(s));
}

function decide(chosen: Match[], address: string | null, usedFuzzy: boolean): PlaceResult {

  const districtSet = new Set<string>();
  for (const m of chosen) if (m.entry.method === 'district') districtSet.add(m.entry.targets[0]!.d);

  const clues: Clue[] = [];
  for (const m of chosen) {
    if (m.entry.method === 'district' || !m.entry.targets.length) continue;
    let targets = m.entry.targets;
    let conflict = false;
    if (districtSet.size) {
      const f = targets.filter((t) => districtSet.has(t.d));
      if (f.length) targets = f;
      else conflict = true;
    }
    clues.push({ m, targets, conflict });
  }
  const matched = chosen.map((m) => m.text);

  if (!clues.length) {
    const ds = [...districtSet];
    if (ds.length === 1) {
      const isAlias = chosen.some((m) => m.entry.method === 'district' && !/区$/.test(m.text));
      return {
        districtCode: ds[0]!, streetCode: null, community: null, communityCode: null, address,
        method: isAlias ? 'alias' : 'official', confidence: CONFIDENCE.district, candidates: [], matched, reason: 'district_only',
      };
    }
    return {
      districtCode: null, streetCode: null, community: null, communityCode: null, address, method: 'official', confidence: 0.5,
      candidates: ds.map((d) => ({ districtCode: d, streetCode: null, label: DISTRICT_BY_CODE.get(d)!.name })), matched, reason: 'ambiguous',
    };
  }

  // A clue that conflicts with the named district is kept only when nothing else names a street.
  let usable = clues.some((c) => !c.conflict) ? clues.filter((c) => !c.conflict) : clues;
  const anyConflict = usable.some((c) => c.conflict);
  if (!anyConflict && usable.length > 1) usable = preferSpecific(usable);

  // Intersect the street sets of all clues; when they disagree, ask.
  let inter: Set<string> | null = null;
  for (const c of usable) {
    const ss = new Set(c.targets.map((t) => t.s).filter((s): s is string => !!s));
    if (!ss.size) continue;
    if (!inter) inter = ss;
    else {
      const next: Set<string> = new Set([...inter].filter((s) => ss.has(s)));
      inter = next.size ? next : new Set([...inter, ...ss]).add('\u0000disagree');
      if (next.size === 0) break;
    }
  }
  const disagree = !!inter?.has('\u0000disagree');
  inter?.delete('\u0000disagree');
  const streets = [...(inter ?? [])];

  if (streets.length === 1 && !disagree && !anyConflict) {
    const s = streets[0]!;
    // The most specific clue names the method.
    const byRank = [...usable].sort((a, b) => METHOD_RANK[b.m.entry.method] - METHOD_RANK[a.m.entry.method]);
    const decisive = byRank.find((c) => c.targets.length === 1 && c.targets[0]!.s === s) ?? byRank[0]!;
    const comm = usable.map((c) => c.targets.find((t) => t.s === s && t.community)).find((t) => t);
    const fz = decisive.m.fuzzy;
    let conf = fz ? CONFIDENCE.fuzzy : CONFIDENCE[decisive.m.entry.method];
    if (decisive.m.entry.weak) conf -= 0.1;
    if (districtSet.size && districtSet.has(districtOfStreet(s))) conf = Math.min(0.99, conf + 0.03);
    return {
      districtCode: districtOfStreet(s), streetCode: s,
      community: comm?.community ?? null, communityCode: comm?.communityCode ?? null, address,
      method: fz ? 'fuzzy' : decisive.m.entry.method === 'district' ? 'official' : decisive.m.entry.method,
      confidence: Math.round(conf * 100) / 100, candidates: [], matched,
    };
  }

  // Not one street: district when every candidate (and the named district) agrees.
  const ds = new Set(streets.map(districtOfStreet));
  for (const d of districtSet) ds.add(d);
  const districtCode = ds.size === 1 ? [...ds][0]! : null;
  const method: PlaceMethod = usedFuzzy ? 'fuzzy' : usable[0]!.m.entry.method === 'district' ? 'official' : (usable[0]!.m.entry.method as PlaceMethod);
  return {
    districtCode, streetCode: null, community: null, communityCode: null, address, method,
    confidence: districtCode ? 0.5 : 0.3, candidates: candidatesFor(streets), matched,
    reason: anyConflict ? 'conflict' : 'ambiguous',
  };
}

/**
 * Resolve the place named in a resident's message. `history` holds the
 * resident's earlier turns (oldest first): they fill in a district or street
 * the current message leaves open ("八里庄" after "我在海淀").
 */
export function resolvePlace(text: string, opts: { history?: string[] } = {}): PlaceResult {
  const input = typeof text === 'string' ? (text.length > 4000 ? text.slice(0, 4000) : text) : '';
  const { text: norm, breaks } = normalizeWithBreaks(input);
  const current = resolveText(norm, breaks);
  if (current.streetCode || !opts.history?.length) return current;
  // Earlier turns, most recent first, as context.
  for (let i = opts.history.length - 1; i >= 0; i--) {
    const h = normalizeWithBreaks(String(opts.history[i] ?? '').slice(0, 4000)).text;
    if (!h) continue;
    const combined = resolveText(`${h}，${norm}`);
    if (!combined.streetCode) continue;
    const fromHistoryOnly = resolveText(h);
    const currentNamedNothing = current.method === 'none';
    const consistent =
      (current.candidates.some((c) => c.streetCode === combined.streetCode) ||
        (current.districtCode !== null && current.districtCode === combined.districtCode && current.candidates.length === 0) ||
        currentNamedNothing);
    if (!consistent) continue;
    if (currentNamedNothing && fromHistoryOnly.streetCode !== combined.streetCode) continue;
    return { ...combined, confidence: Math.round(combined.confidence * 0.95 * 100) / 100 };
  }
  return current;
}

export type { PlaceDevLine, PlaceEvalReport, PlaceMiss } from './evaluate.js';
export { resolvePin, resolvePlaceWithGeocoder } from './pin.js';
export { createGeocoder, geocoderFromConfig, toGcj02, mapTowncode, type Geocoder, type GeocoderOptions, type GeocodeAnswer } from './geocoder.js';
export { LANDMARKS, type Landmark } from './landmarks.js';
export { parsePlaceDevSet } from './evaluate.js';

/** Coverage, wrong-street and wrong-district rates of `resolvePlace` on labelled lines. */
export function evaluatePlaces(lines: PlaceDevLine[]): PlaceEvalReport {
  return scorePlaces(lines, resolvePlace);
}
