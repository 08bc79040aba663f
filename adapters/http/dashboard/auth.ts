/**
 * Dashboard login: one operator account (DASHBOARD_USER / DASHBOARD_PASSWORD),
 * checked in constant time, and a session cookie signed with SESSION_SECRET
 * by @fastify/cookie's signer (HMAC). The cookie holds only `user|expiry`;
 * no server-side session store, so a restart keeps people logged in and
 * changing SESSION_SECRET logs everyone out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';

export const SESSION_COOKIE = 'shaosheng_dashboard';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string equality (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function checkCredentials(given: { user?: string; password?: string }, expected: { user: string; password: string }): boolean {
  // evaluate both, so the time does not tell which one was wrong
  const userOk = safeEqual(given.user ?? '', expected.user);
  const passOk = safeEqual(given.password ?? '', expected.password);
  return userOk && passOk;
}

export interface SessionCodec {
  issue(user: string, now?: Date): string;
  /** the user, or null for a missing, forged or expired cookie */
  verify(cookie: string | undefined, now?: Date): string | null;
}

export function createSessionCodec(secret: string, ttlMs = SESSION_TTL_MS): SessionCodec {
  const signer = fastifyCookie.signerFactory(secret);
  return {
    issue(user, now = new Date()) {
      return signer.sign(`${encodeURIComponent(user)}|${now.getTime() + ttlMs}`);
    },
    verify(cookie, now = new Date()) {
      if (!cookie) return null;
      const r = signer.unsign(cookie);
      if (!r.valid || !r.value) return null;
      const [user, exp] = r.value.split('|');
      if (!user || !exp || Number(exp) <= now.getTime()) return null;
      return decodeURIComponent(user);
    },
  };
}
