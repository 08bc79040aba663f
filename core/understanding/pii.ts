/**
 * Personal-data detection and masking for residents' free text.
 *
 * Finds mainland mobile numbers (+86, spaces, dashes), landlines (area code,
 * or 8 digits introduced as a phone), 18-digit ID numbers (checksum and date
 * validated; 15-digit ones when introduced as an ID), bank card numbers
 * (16–19 digits, Luhn, never an ID or phone), e-mail addresses and
 * self-introduced names (我叫张三 / 我姓王 / 联系人：李四 / my name is John Smith).
 *
 * `maskedText` is what departments, logs and the LLM see. `originals` carries the
 * raw values so the caller can encrypt them; it must never be logged.
 * Ten-digit petition numbers (e.g. 2611250001) are not personal data and stay.
 */

export type PersonalDataKind = 'mobile' | 'landline' | 'id_card' | 'bank_card' | 'email' | 'name';

export interface PersonalDataItem {
  kind: PersonalDataKind;
  masked: string;
}

export interface PersonalDataOriginal extends PersonalDataItem {
  original: string;
}

export interface PiiResult {
  maskedText: string;
  personalData: PersonalDataItem[];
  /** Raw values, for encrypted storage only. Never log this. */
  originals: PersonalDataOriginal[];
}

interface Span {
  start: number;
  end: number;
  kind: PersonalDataKind;
  original: string;
  masked: string;
}

// ---------------------------------------------------------------- maskers

/** Keep the first 3 and last 4 digits of a phone number, mask the rest. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^(?:00)?86(?=1\d{10}$)/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

/** Keep the area code and the last 2 digits of a landline: 010-65123456 → 010-******56. */
export function maskLandline(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const area = /^0(?:10|2\d)/.test(digits) ? 3 : digits.startsWith('0') ? 4 : 0;
  const local = digits.slice(area);
  return (area ? digits.slice(0, area) + '-' : '') + '*'.repeat(Math.max(0, local.length - 2)) + local.slice(-2);
}

export function maskIdNumber(id: string): string {
  const clean = id.replace(/\s/g, '');
  if (clean.length <= 7) return '*'.repeat(clean.length);
  return clean.slice(0, 3) + '*'.repeat(clean.length - 7) + clean.slice(-4);
}

export function maskBankCard(card: string): string {
  const digits = card.replace(/\D/g, '');
  return digits.slice(0, 4) + '*'.repeat(Math.max(0, digits.length - 8)) + digits.slice(-4);
}

export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return email[0] + '***' + email.slice(at);
}

/** 张三 → 张*, 欧阳娜娜 → 欧阳**, John Smith → J*** S****. */
export function maskName(name: string): string {
  if (/^[A-Za-z]/.test(name)) {
    return name
      .split(/\s+/)
      .map((w) => (w.length ? w[0] + '*'.repeat(Math.max(1, w.length - 1)) : w))
      .join(' ');
  }
  const chars = [...name];
  const surnameLen = COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, surnameLen).join('') + '*'.repeat(Math.max(1, chars.length - surnameLen));
}

// ---------------------------------------------------------------- validators

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** GB 11643 check digit plus a plausible province and birth date. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const province = Number(id.slice(0, 2));
  if (province < 11 || province > 91) return false;
  const y = Number(id.slice(6, 10));
  if (y < 1900 || y > 2100) return false;
  if (!validDate(y, Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

function validId15(id: string): boolean {
  if (!/^\d{15}$/.test(id)) return false;
  const province = Number(id.slice(0, 2));
  if (province < 11 || province > 91) return false;
  return validDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (dbl) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------- names

const SINGLE_SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const SURNAMES = new Set([...SINGLE_SURNAMES]);
const COMPOUND_SURNAMES = new Set(['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '令狐', '慕容', '尉迟', '长孙', '宇文', '司徒', '夏侯', '公孙', '端木']);

/** Characters that end a name: punctuation, spaces, and words that follow a name in a sentence. */
const STOP_WORD = /^(?:住|在|家|是|的|今|想|要|来|和|与|从|反映|投诉|电话|手机|联系|身份|号|女士|先生|小姐|阿姨|师傅|老师|大爷)/;
/** Words that are not given names even though they start with a surname character. */
const NOT_NAME = /^(?:业主|居民|住户|租户|老人|家长|学生|本人|一名|一个|这里|小区|物业|社区|附近|楼上|楼下|隔壁|外卖|司机|房东|租客|工人|员工|北京|朝阳|海淀)/;
const TITLE = /^(?:先生|女士|小姐|阿姨|大爷|师傅|老师|大妈|大姐|大哥)/;

function readChineseName(text: string, from: number): { name: string; end: number } | null {
  let i = from;
  let surname = '';
  if (COMPOUND_SURNAMES.has(text.slice(i, i + 2))) surname = text.slice(i, i + 2);
  else if (SURNAMES.has(text[i] ?? '')) surname = text[i]!;
  else return null;
  i += surname.length;
  if (NOT_NAME.test(text.slice(from, from + 4))) return null;
  let given = '';
  while (given.length < 2 && i < text.length) {
    const ch = text[i]!;
    if (!/[\u4e00-\u9fff]/.test(ch)) break;
    if (STOP_WORD.test(text.slice(i, i + 2))) break;
    if (TITLE.test(text.slice(i))) break;
    given += ch;
    i++;
  }
  return { name: surname + given, end: i };
}

function findNames(text: string, spans: Span[]): void {
  // 我叫张三 / 本人张三 / 联系人：张三 / 姓名：张三 / 我是张三（when clearly a name）
  const intro = /(我叫|我的名字是|我名字叫|本人叫|本人|联系人[：:\s]*|姓名[：:\s]*|我是)/g;
  let m: RegExpExecArray | null;
  while ((m = intro.exec(text))) {
    const start = m.index + m[0].length;
    const got = readChineseName(text, start);
    if (!got) continue;
    const strict = m[1] === '我是' || m[1] === '本人';
    const after = text[got.end] ?? '';
    const givenLen = [...got.name].length - (COMPOUND_SURNAMES.has(got.name.slice(0, 2)) ? 2 : 1);
    if (givenLen < 1) continue;
    // "我是张三" only when the name ends at punctuation/space/end or a title; otherwise 我是王府井… is a place
    if (strict && after && !/[\s，,。.！!？?；;：:、（(]/.test(after) && !/^(?:住|家|今|想|要|反映|投诉|电话|手机|联系)/.test(text.slice(got.end))) continue;
    spans.push({ start, end: got.end, kind: 'name', original: got.name, masked: maskName(got.name) });
  }
  // 我姓王 / 免贵姓王 → the surname alone
  const surnameIntro = /(?:我|本人|免贵)姓([\u4e00-\u9fff]{1,2})/g;
  while ((m = surnameIntro.exec(text))) {
    const two = m[1]!;
    const surname = COMPOUND_SURNAMES.has(two) ? two : two[0]!;
    if (!SURNAMES.has(surname) && !COMPOUND_SURNAMES.has(surname)) continue;
    const start = m.index + m[0].length - two.length;
    spans.push({ start, end: start + surname.length, kind: 'name', original: surname, masked: surname + '*' });
  }
  // my name is John Smith / I'm called John / name: John Smith (the intro in any case, the name capitalised)
  const en = /\b(?:my name is|my name's|i am called|i'm called|this is|name\s*:)\s+/gi;
  const CAPITALISED = /^[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}/;
  while ((m = en.exec(text))) {
    const start = m.index + m[0].length;
    const got = CAPITALISED.exec(text.slice(start, start + 60));
    if (!got) continue;
    const name = got[0];
    if (/^(?:A|An|The|Not|From|In|At|About|Urgent|Regarding)$/.test(name.split(/[ -]/)[0]!)) continue;
    spans.push({ start, end: start + name.length, kind: 'name', original: name, masked: maskName(name) });
  }
}

// ---------------------------------------------------------------- numbers

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Runs of digits possibly broken by single spaces or dashes (phone and card formatting). */
const DIGIT_RUN = /(?<![\dA-Za-z])(?:\+\s?)?\d(?:[ -]?\d)*[Xx]?(?![\dA-Za-z])/g;
/** Landline with area code in parentheses: (010) 6512 3456 */
const PAREN_LANDLINE = /[（(]0\d{2,3}[)）]\s?\d{3,4}[ -]?\d{4}(?!\d)/g;
const PHONE_CUE = /(?:电话|座机|固话|手机|联系方式|联系|tel|phone|call)[^\d]{0,6}$/i;
const ID_CUE = /(?:身份证|证件号|ID)[^\d]{0,6}$/i;

function classifyDigits(raw: string, before: string): { kind: PersonalDataKind; masked: string } | null {
  const digits = raw.replace(/[^\dXx]/g, '');
  const plain = raw.replace(/[\s+-]/g, '');
  // mobile: optional 86/0086 prefix, 11 digits starting 1[3-9]
  const mobile = /^(?:0086|86)?(1[3-9]\d{9})$/.exec(plain);
  if (mobile) return { kind: 'mobile', masked: maskPhone(mobile[1]!) };
  // landline with area code 0xx / 0xxx
  if (/^0\d{9,11}$/.test(plain) && /^0(?:10|2\d|[3-9]\d{2})/.test(plain)) return { kind: 'landline', masked: maskLandline(plain) };
  // Beijing number without area code, only when introduced as a phone
  if (/^[2-9]\d{7}$/.test(plain) && PHONE_CUE.test(before)) return { kind: 'landline', masked: maskLandline(plain) };
  if (digits.length === 18 && isValidIdNumber(digits)) return { kind: 'id_card', masked: maskIdNumber(digits) };
  if (digits.length === 15 && validId15(digits) && ID_CUE.test(before)) return { kind: 'id_card', masked: maskIdNumber(digits) };
  if (/^\d{16,19}$/.test(plain) && luhnValid(plain)) return { kind: 'bank_card', masked: maskBankCard(plain) };
  return null;
}

function findNumbers(text: string, spans: Span[]): void {
  let m: RegExpExecArray | null;
  PAREN_LANDLINE.lastIndex = 0;
  while ((m = PAREN_LANDLINE.exec(text))) {
    spans.push({ start: m.index, end: m.index + m[0].length, kind: 'landline', original: m[0], masked: maskLandline(m[0]) });
  }
  DIGIT_RUN.lastIndex = 0;
  while ((m = DIGIT_RUN.exec(text))) {
    const raw = m[0];
    const start = m.index;
    const hit = classifyDigits(raw, text.slice(Math.max(0, start - 12), start));
    if (hit) {
      spans.push({ start, end: start + raw.length, kind: hit.kind, original: raw, masked: hit.masked });
      continue;
    }
    // a run may hold several numbers separated by a space ("13812345678 010-65123456"): try the pieces
    const parts = raw.split(' ');
    if (parts.length > 1) {
      let offset = start;
      for (const p of parts) {
        const sub = classifyDigits(p, text.slice(Math.max(0, offset - 12), offset));
        if (sub) spans.push({ start: offset, end: offset + p.length, kind: sub.kind, original: p, masked: sub.masked });
        offset += p.length + 1;
      }
    }
  }
}

/** Find and mask all personal data in `text`. Never throws. */
export function detectPersonalData(text: string): PiiResult {
  const spans: Span[] = [];
  if (/\d/.test(text)) findNumbers(text, spans);
  if (text.includes('@')) {
    let m: RegExpExecArray | null;
    EMAIL.lastIndex = 0;
    while ((m = EMAIL.exec(text))) {
      spans.push({ start: m.index, end: m.index + m[0].length, kind: 'email', original: m[0], masked: maskEmail(m[0]) });
    }
  }
  findNames(text, spans);
  if (spans.length === 0) return { maskedText: text, personalData: [], originals: [] };
  // keep non-overlapping spans, earliest first, longer first on ties
  spans.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Span[] = [];
  let lastEnd = -1;
  for (const s of spans) {
    if (s.start < lastEnd) continue;
    kept.push(s);
    lastEnd = s.end;
  }
  let out = '';
  let pos = 0;
  for (const s of kept) {
    out += text.slice(pos, s.start) + s.masked;
    pos = s.end;
  }
  out += text.slice(pos);
  return {
    maskedText: out,
    personalData: kept.map((s) => ({ kind: s.kind, masked: s.masked })),
    originals: kept.map((s) => ({ kind: s.kind, masked: s.masked, original: s.original })),
  };
}
