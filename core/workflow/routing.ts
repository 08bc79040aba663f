/**
 * Routing: category × area → lead unit and co-handlers, from the RoutingRule
 * table (data, editable without code). The most specific rule wins (street,
 * then district, then city-wide); `street_office` targets the street office of
 * the petition's street. No rule, or a unit that does not exist → the
 * district government (首接负责 stays with whoever receives it).
 */
import type { Tx } from '../db.js';

export interface Route {
  lead: string;
  co: string[];
  /** units that get a copy for supervision (street orders → district government) */
  copies: string[];
}

interface RuleRow {
  kind: 'rule' | 'gov';
  role: 'lead' | 'co' | null;
  areaCode: string | null;
  priority: number | null;
  /** the unit the rule names (street_office resolved), or the district government */
  unit: string | null;
  exists: boolean;
}

export const districtGov = (districtCode: string) => `${districtCode}:district_gov`;

export interface RouteQuery {
  categoryCode: string;
  districtCode: string;
  streetCode: string | null;
  exclude?: string[];
}

export async function routeFor(tx: Tx, categoryCode: string, districtCode: string, streetCode: string | null, exclude: string[] = []): Promise<Route> {
  return (await routesFor(tx, [{ categoryCode, districtCode, streetCode, exclude }]))[0]!;
}

/**
 * The routes of many petitions. The matching rules of each with their target unit and whether it
 * exists, plus whether its district government exists: one statement for all of them.
 */
export async function routesFor(tx: Tx, queries: RouteQuery[]): Promise<Route[]> {
  const col = <T>(f: (q: RouteQuery) => T) => queries.map((q) => f(q) ?? null);
  const rows = await tx.$queryRaw<(RuleRow & { n: number })[]>`
    WITH q AS (SELECT * FROM unnest(${col((q) => q.categoryCode)}::text[], ${col((q) => q.districtCode)}::text[], ${col((q) => q.streetCode)}::text[])
                 WITH ORDINALITY AS t(category, district, street, n))
    SELECT q.n::int AS n, 'rule' AS kind, r.role::text AS role, r."areaCode", r.priority, t.unit, u.id IS NOT NULL AS "exists"
      FROM q JOIN "RoutingRule" r ON r."categoryCode" = q.category AND (r."areaCode" IN (q.street, q.district) OR r."areaCode" IS NULL)
     CROSS JOIN LATERAL (SELECT CASE WHEN r.target = 'street_office' THEN q.street || ':street_office' ELSE r."unitId" END AS unit) t
      LEFT JOIN "Unit" u ON u.id = t.unit
    UNION ALL
    SELECT q.n::int, 'gov', NULL, NULL, NULL, u.id, TRUE FROM q JOIN "Unit" u ON u.id = q.district || ':district_gov'
     ORDER BY n, priority DESC NULLS LAST, unit`;
  const byQuery = queries.map(() => [] as RuleRow[]);
  for (const { n, ...row } of rows) byQuery[n - 1]!.push(row);
  return queries.map((q, i) => pick(q, byQuery[i]!));
}

/** The most specific rule wins (street, then district, then city-wide), then the highest priority. */
function pick({ districtCode, streetCode, exclude = [] }: RouteQuery, rows: RuleRow[]): Route {
  const gov = districtGov(districtCode);
  const rules = rows.filter((r): r is RuleRow & { kind: 'rule'; role: 'lead' | 'co'; priority: number } => r.kind === 'rule');
  const specificity = (a: string | null) => (a === streetCode && a ? 0 : a === districtCode ? 1 : 2);
  rules.sort((a, b) => specificity(a.areaCode) - specificity(b.areaCode) || b.priority - a.priority);

  const wanted = rules.filter((r): r is typeof r & { unit: string } => !!r.unit);
  const usable = wanted.filter((w) => w.exists && !exclude.includes(w.unit));
  const lead = usable.find((w) => w.role === 'lead')?.unit ?? gov;
  const co = [...new Set(usable.filter((w) => w.role === 'co' && w.unit !== lead).map((w) => w.unit))];
  const copies = lead.endsWith(':street_office') && rows.some((r) => r.kind === 'gov') ? [gov] : [];
  return { lead, co, copies };
}
