/**
 * The callback envelope: signature check, AES decryption (`@wecom/crypto`)
 * and the receiver-id check, plus XML parsing (`fast-xml-parser`). Every
 * failure is an EnvelopeError with the HTTP status to answer.
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  constructor(
    readonly status: 400 | 401 | 403,
    readonly reason: 'missing_param' | 'bad_signature' | 'bad_ciphertext' | 'wrong_receiver' | 'bad_xml',
  ) {
    super(`WeCom callback rejected: ${reason}`);
  }
}

// Values stay strings: MsgId is a 64-bit integer that a JS number would round.
const parser = new XMLParser({ parseTagValue: false, parseAttributeValue: false, ignoreAttributes: true, trimValues: true });

/** Parse a `<xml>…</xml>` document into its flat children; throws EnvelopeError('bad_xml'). */
export function parseXml(xml: string): Record<string, unknown> {
  // WeCom never sends a DOCTYPE; refusing it rules out entity-expansion bombs in unsigned envelopes.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || XMLValidator.validate(xml) !== true) throw new EnvelopeError(400, 'bad_xml');
  let doc: { xml?: unknown };
  try {
    doc = parser.parse(xml) as { xml?: unknown };
  } catch {
    // The parser's own limits (nesting depth, say): broken XML like any other, never a 500.
    throw new EnvelopeError(400, 'bad_xml');
  }
  if (!doc.xml || typeof doc.xml !== 'object') throw new EnvelopeError(400, 'bad_xml');
  return doc.xml as Record<string, unknown>;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface EnvelopeKeys {
  token: string;
  encodingAESKey: string;
  /** Receiver id inside every ciphertext; must equal our CorpID. */
  corpId: string;
}

/** Verify msg_signature over `ciphertext`, decrypt it and check the receiver id. Returns the plaintext. */
export function openEnvelope(
  keys: EnvelopeKeys,
  q: { msg_signature?: string; timestamp?: string; nonce?: string },
  ciphertext: string | undefined,
): string {
  if (!q.msg_signature || !q.timestamp || !q.nonce || !ciphertext) throw new EnvelopeError(400, 'missing_param');
  if (!sameHex(getSignature(keys.token, q.timestamp, q.nonce, ciphertext), q.msg_signature)) {
    throw new EnvelopeError(401, 'bad_signature');
  }
  let opened: { message: string; id: string };
  try {
    const raw = Buffer.from(ciphertext, 'base64');
    if (raw.length === 0 || raw.length % 16 !== 0) throw new Error('length');
    opened = decrypt(keys.encodingAESKey, ciphertext);
  } catch {
    throw new EnvelopeError(400, 'bad_ciphertext');
  }
  // A wrong key or padding decrypts to garbage with a nonsense length rather than throwing.
  if (opened.id.length === 0 || opened.id.length > 128) throw new EnvelopeError(400, 'bad_ciphertext');
  if (opened.id !== keys.corpId) throw new EnvelopeError(403, 'wrong_receiver');
  return opened.message;
}
