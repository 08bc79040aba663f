/**
 * One-time codes that bind a chat to a unit or to an area's coordinators:
 * an admin creates one (`npm run org -- bind-code <unitId|areaCode>`), someone
 * in the department's group sends `/bind CODE`, the bot redeems it.
 */
import { randomInt } from 'node:crypto';
import { NotFoundError, AppError } from '../errors.js';
import type { DbOrTx } from './sync.js';
import { inTransaction } from './sync.js';

/** No 0/O, 1/I/L: read aloud and typed on phones. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const BIND_CODE_TTL_MS = 24 * 60 * 60 * 1000;

export function generateBindCode(length = 8): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export type BindTarget = { unitId: string; areaCode?: undefined } | { areaCode: string; unitId?: undefined };

/** Accepts a unit id or an area code (whichever exists). */
export async function resolveBindTarget(db: DbOrTx, idOrCode: string): Promise<BindTarget> {
  const unit = await db.unit.findUnique({ where: { id: idOrCode }, select: { id: true } });
  if (unit) return { unitId: unit.id };
  const area = await db.area.findUnique({ where: { code: idOrCode }, select: { code: true } });
  if (area) return { areaCode: area.code };
  throw new NotFoundError(`unit or area "${idOrCode}"`);
}

export async function createBindCode(
  db: DbOrTx,
  target: BindTarget,
  opts: { now?: Date; ttlMs?: number } = {},
): Promise<{ code: string; expiresAt: Date }> {
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.ttlMs ?? BIND_CODE_TTL_MS));
  for (let attempt = 0; ; attempt++) {
    const code = generateBindCode();
    try {
      await db.bindCode.create({ data: { code, unitId: target.unitId ?? null, areaCode: target.areaCode ?? null, expiresAt } });
      return { code, expiresAt };
    } catch (err) {
      // P2002: unique violation, the code exists already; try another
      if ((err as { code?: string }).code !== 'P2002' || attempt >= 5) throw err;
    }
  }
}

/**
 * Uses a code once: binds (platform, chatId) to its unit or area. A used,
 * expired or unknown code is refused; two concurrent redemptions cannot both win.
 */
export async function redeemBindCode(
  db: DbOrTx,
  code: string,
  by: { platform: string; chatId: string; userId: string },
  now = new Date(),
): Promise<{ unitId: string | null; areaCode: string | null }> {
  const normalized = code.trim().toUpperCase();
  return inTransaction(db, async (tx) => {
    const claimed = await tx.bindCode.updateMany({
      where: { code: normalized, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now, usedBy: `${by.platform}:${by.userId}` },
    });
    if (claimed.count !== 1) {
      throw new AppError('bind_code_invalid', 'bind code unknown, used or expired', '绑定码无效或已过期。/ The binding code is invalid or has expired.');
    }
    const row = await tx.bindCode.findUniqueOrThrow({ where: { code: normalized } });
    const target = { unitId: row.unitId, areaCode: row.areaCode };
    await tx.chatBinding.upsert({
      where: { platform_chatId: { platform: by.platform, chatId: by.chatId } },
      create: { platform: by.platform, chatId: by.chatId, ...target },
      update: target,
    });
    return target;
  });
}
