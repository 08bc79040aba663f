/**
 * Personal-data masking used by the logger and anything that must not carry
 * raw personal data (job payloads, department chats, LLM prompts).
 * Full detection (names, bank cards, checksums) lives in
 * core/understanding/pii.ts; `maskText` runs it and then applies a blunt
 * floor (any 18-digit number, any mobile-looking number) so that a mistyped
 * ID number still never reaches a log line.
 */
import { detectPersonalData, maskIdNumber, maskPhone } from './understanding/pii.js';

export { maskIdNumber, maskPhone, detectPersonalData };

const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
const LANDLINE = /(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/g;
const ID_CARD = /(?<!\d)\d{17}[\dXx](?!\d)/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Mask every phone, ID number, bank card, e-mail address and self-introduced name found in free text. */
export function maskText(text: string): string {
  return detectPersonalData(text)
    .maskedText.replace(ID_CARD, (m) => maskIdNumber(m))
    .replace(MOBILE, (m) => maskPhone(m))
    .replace(LANDLINE, (m) => maskPhone(m))
    .replace(EMAIL, (m) => m[0] + '***@' + m.split('@')[1]);
}

/** Words just before a number that say it belongs to someone else (the property office, a shop, a neighbour…). */
const THIRD_PARTY_CUE = /(?:物业|商家|商户|店|老板|公司|房东|中介|司机|师傅|邻居|对方|他的|她的|他们|开发商|施工|工地|保安|经理|客服|负责人|\b(?:landlord|shop|company|driver|neighbou?r|manager|his|her|their)\b)[^\d]{0,6}$/i;

/**
 * The resident's own mainland mobile number in free text, as 11 digits, or null: the first one
 * not introduced as someone else's (物业电话…, 房东…). For encrypted storage only; never log it.
 */
export function residentMobile(text: string): string | null {
  if (!/1[3-9]\d/.test(text)) return null;
  let from = 0;
  for (const item of detectPersonalData(text).originals) {
    const at = text.indexOf(item.original, from);
    if (at >= 0) from = at + item.original.length;
    if (item.kind !== 'mobile') continue;
    if (at >= 0 && THIRD_PARTY_CUE.test(text.slice(Math.max(0, at - 12), at))) continue;
    return item.original.replace(/\D/g, '').slice(-11);
  }
  return null;
}

/** A labelled contact or address line ("地址：…", "联系人：…", "电话: …") up to the end of its sentence. */
const CONTACT_LINE = /(?:详细地址|家庭住址|住址|地址|联系人|联系电话|联系方式|电话|手机|邮箱|e-?mail|address|contact|phone)\s*[:：][^\n。；;！!？?]*[。；;！!？?]?/gi;
/** House, building, unit and room numbers: 1号, 3单元, 502室, 2-301. */
const HOUSE_NUMBER = /\d+(?:[-－]\d+)*\s*(?:号院|号楼|号|单元|室|栋|幢)|\d+[-－]\d+/g;
/** What maskText leaves of a name (张*, 欧阳**). */
const MASKED_NAME = /[\u4e00-\u9fff]\*+/g;

/**
 * Text for the public (Open311 reads without a detail key): maskText, then no contact lines,
 * no stored address, no house numbers and no masked names. What is left says what the problem
 * is; where it is stays at the street and community, which are published on their own.
 */
export function publicText(text: string, opts: { address?: string | null } = {}): string {
  let out = maskText(text).replace(CONTACT_LINE, '');
  const address = opts.address?.trim();
  if (address && address.length >= 4) out = out.split(address).join('');
  return out
    .replace(HOUSE_NUMBER, '…')
    .replace(MASKED_NAME, '')
    .replace(/[ \t]*\n+[ \t]*/g, ' ')
    .replace(/…+/g, '…')
    .trim();
}
