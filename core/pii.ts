/**
 * Personal-data masking used by the logger and anything that must not carry
 * raw personal data (job payloads, department chats, LLM prompts).
 * The understanding module owns full detection (names, bank cards, checksums);
 * this module is the fast, dependency-free floor every log line goes through.
 */
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
const LANDLINE = /(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/g;
const ID_CARD = /(?<!\d)\d{17}[\dXx](?!\d)/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Keep the first 3 and last 4 digits of a phone number, mask the rest. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

export function maskIdNumber(id: string): string {
  return id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4);
}

/** Mask every phone, ID number and e-mail address found in free text. */
export function maskText(text: string): string {
  return text
    .replace(ID_CARD, (m) => maskIdNumber(m))
    .replace(MOBILE, (m) => maskPhone(m))
    .replace(LANDLINE, (m) => maskPhone(m))
    .replace(EMAIL, (m) => m[0] + '***@' + m.split('@')[1]);
}
