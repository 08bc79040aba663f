/**
 * Looking units up by the short names coordinators type (/whistle 城管 住建 …).
 */
import type { DbOrTx } from './sync.js';

export interface UnitSummary {
  id: string;
  name: string;
  typeCode: string;
  areaCode: string | null;
  shortNames: string[];
}

/** Trim, drop a leading @ or #, full-width spaces, and a trailing 的/们. */
export function normalizeShortName(s: string): string {
  return s.replace(/\u3000/g, ' ').trim().replace(/^[@#＠＃]+/, '').trim();
}

/**
 * Units of a district answering to `shortName` (exact match on a short name,
 * the full name or the id): the district's own departments, its streets'
 * offices, and city enterprises. With `streetCode`, street offices are narrowed
 * to that street. Ordered: district departments, street offices, city-wide.
 */
export async function listUnitsByShortName(
  db: DbOrTx,
  districtCode: string,
  shortName: string,
  opts: { streetCode?: string } = {},
): Promise<UnitSummary[]> {
  const name = normalizeShortName(shortName);
  if (!name) return [];
  const streets = opts.streetCode
    ? [opts.streetCode]
    : (await db.area.findMany({ where: { parentCode: districtCode }, select: { code: true } })).map((a) => a.code);
  const units = await db.unit.findMany({
    where: {
      AND: [
        { OR: [{ shortNames: { has: name } }, { name }, { id: name }] },
        { OR: [{ areaCode: districtCode }, { areaCode: { in: streets } }, { areaCode: null }] },
      ],
    },
    select: { id: true, name: true, typeCode: true, areaCode: true, shortNames: true },
  });
  const rank = (u: UnitSummary) => (u.areaCode === districtCode ? 0 : u.areaCode ? 1 : 2);
  return units.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}
