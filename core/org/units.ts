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

export interface UnitMatch {
  /** the unit the name means, when only one can be meant */
  unit: UnitSummary | null;
  /** when none or several could be meant: the closest units (at most 3), best first */
  suggestions: UnitSummary[];
}

/** 北京市自来水集团 → 自来水集团; 朝阳区水务局 → 水务局: the part people actually say. */
function coreName(name: string, districtName: string | null): string {
  let n = name.replace(/^北京市?/, '');
  if (districtName && n.startsWith(districtName)) n = n.slice(districtName.length);
  return n;
}

const bigrams = (s: string) => {
  const out = new Set<string>();
  for (let i = 0; i < s.length - 1; i++) out.add(s.slice(i, i + 2));
  if (s.length === 1) out.add(s);
  return out;
};

/** Dice coefficient of character bigrams (0…1): 消防队 ~ 消防支队, 自来水公司 ~ 自来水集团. */
function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return (2 * both) / (x.size + y.size);
}

/**
 * What a coordinator's name for a unit means near an area: an exact short name, full name or id
 * (listUnitsByShortName); else the one unit whose name contains it (自来水集团 → 北京市自来水集团)
 * or whose longest short name it contains (城管执法大队 → 城管执法); else suggestions by
 * similarity. Several equally good readings are suggestions, never a pick.
 */
export async function matchUnitName(db: DbOrTx, areaCode: string, given: string): Promise<UnitMatch> {
  const districtCode = areaCode.split('-')[0]!;
  const streetCode = areaCode.includes('-') ? areaCode : undefined;
  const [exact] = await listUnitsByShortName(db, districtCode, given, { streetCode });
  if (exact) return { unit: exact, suggestions: [] };
  const name = normalizeShortName(given);
  if (name.length < 2) return { unit: null, suggestions: [] };
  const district = await db.area.findUnique({ where: { code: districtCode }, select: { name: true } });
  const streets = streetCode ? [streetCode] : (await db.area.findMany({ where: { parentCode: districtCode }, select: { code: true } })).map((a) => a.code);
  const units: UnitSummary[] = await db.unit.findMany({
    where: { OR: [{ areaCode: districtCode }, { areaCode: { in: streets } }, { areaCode: null }] },
    select: { id: true, name: true, typeCode: true, areaCode: true, shortNames: true },
    orderBy: { id: 'asc' },
  });
  const wanted = coreName(name, district?.name ?? null);
  const containing = units.filter((u) => coreName(u.name, district?.name ?? null).includes(wanted));
  if (containing.length === 1) return { unit: containing[0]!, suggestions: [] };
  const longestShort = (u: UnitSummary) => Math.max(0, ...u.shortNames.filter((s) => s.length >= 2 && name.includes(s)).map((s) => s.length));
  const byShort = units.map((u) => ({ u, n: longestShort(u) })).filter((x) => x.n > 0);
  const best = Math.max(0, ...byShort.map((x) => x.n));
  const top = byShort.filter((x) => x.n === best);
  if (containing.length === 0 && top.length === 1) return { unit: top[0]!.u, suggestions: [] };
  const scored = units
    .map((u) => ({ u, s: Math.max(similarity(wanted, coreName(u.name, district?.name ?? null)), ...u.shortNames.map((sn) => similarity(name, sn)), containing.includes(u) ? 0.9 : 0, longestShort(u) ? 0.5 + longestShort(u) / 10 : 0) }))
    .filter((x) => x.s >= 0.34)
    .sort((a, b) => b.s - a.s || a.u.id.localeCompare(b.u.id));
  return { unit: null, suggestions: scored.slice(0, 3).map((x) => x.u) };
}

/** Short names a coordinator of this area can use, one per unit type (for /help). */
export async function shortNamesNear(db: DbOrTx, areaCode: string): Promise<string[]> {
  const districtCode = areaCode.split('-')[0]!;
  const units = await db.unit.findMany({
    where: { OR: [{ areaCode: districtCode }, { areaCode: null }, areaCode.includes('-') ? { areaCode } : { areaCode: { startsWith: `${districtCode}-` } }] },
    select: { typeCode: true, shortNames: true },
    orderBy: { id: 'asc' },
  });
  const seen = new Set<string>();
  const names: string[] = [];
  for (const u of units) {
    if (seen.has(u.typeCode) || !u.shortNames[0]) continue;
    seen.add(u.typeCode);
    names.push(u.shortNames[0]);
  }
  return names;
}
