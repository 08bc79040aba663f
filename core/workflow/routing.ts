/**
 * Routing: category × area → lead unit and co-handlers, from the RoutingRule
 * table (data, editable without code). The most specific rule wins (street,
 * then district, then city-wide); `street_office` targets the street office of
 * the petition's street. No rule, or a unit that does not exist → the
 * district government (首接负责 stays with whoever receives it).
 */
import { Prisma, type Tx } from '../db.js';

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
const streetOffice = (streetCode: string) => `${streetCode}:street_office`;

export async function routeFor(
  tx: Tx,
  categoryCode: string,
  districtCode: string,
  streetCode: string | null,
  exclude: string[] = [],
): Promise<Route> {
  const areas = [streetCode, districtCode].filter((a): a is string => !!a);
  const gov = districtGov(districtCode);
  // The matching rules with their target unit and whether it exists, plus whether the district
  // government exists: one statement (rules, then the units they name, were two).
  const rows = await tx.$queryRaw<RuleRow[]>`
    SELECT 'rule' AS kind, r.role::text AS role, r."areaCode", r.priority, t.unit, u.id IS NOT NULL AS "exists"
      FROM "RoutingRule" r
     CROSS JOIN LATERAL (SELECT CASE WHEN r.target = 'street_office' THEN ${streetCode ? streetOffice(streetCode) : null}::text ELSE r."unitId" END AS unit) t
      LEFT JOIN "Unit" u ON u.id = t.unit
     WHERE r."categoryCode" = ${categoryCode} AND (r."areaCode" IN (${Prisma.join(areas)}) OR r."areaCode" IS NULL)
    UNION ALL
    SELECT 'gov', NULL, NULL, NULL, u.id, TRUE FROM "Unit" u WHERE u.id = ${gov}
     ORDER BY priority DESC NULLS LAST`;
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
