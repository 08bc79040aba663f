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
