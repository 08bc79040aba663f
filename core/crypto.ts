/**
 * AES-256-GCM for personal data at rest (contact phone, names, original
 * texts, inbound payloads). Layout: 12-byte IV | 16-byte tag | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(plain: string): Uint8Array<ArrayBuffer>;
  open(sealed: Uint8Array): string;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const out = new Uint8Array(new ArrayBuffer(IV_BYTES + TAG_BYTES + body.length));
      out.set(iv, 0);
      out.set(cipher.getAuthTag(), IV_BYTES);
      out.set(body, IV_BYTES + TAG_BYTES);
      return out;
    },
    open(sealed) {
      const buf = Buffer.from(sealed);
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
      decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
