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
  const rules = await tx.routingRule.findMany({
    where: { categoryCode, OR: [{ areaCode: { in: areas } }, { areaCode: null }] },
    orderBy: { priority: 'desc' },
  });
  const specificity = (a: string | null) => (a === streetCode && a ? 0 : a === districtCode ? 1 : 2);
  rules.sort((a, b) => specificity(a.areaCode) - specificity(b.areaCode) || b.priority - a.priority);
  const target = (r: (typeof rules)[number]): string | null =>
    r.target === 'street_office' ? (streetCode ? streetOffice(streetCode) : null) : r.unitId;

  const wanted = rules.map((r) => ({ role: r.role, unit: target(r) })).filter((r): r is { role: 'lead' | 'co'; unit: string } => !!r.unit);
  const existing = new Set(
    (await tx.unit.findMany({ where: { id: { in: [...wanted.map((w) => w.unit), districtGov(districtCode)] } }, select: { id: true } })).map(
      (u) => u.id,
    ),
  );
  const usable = wanted.filter((w) => existing.has(w.unit) && !exclude.includes(w.unit));
  const lead = usable.find((w) => w.role === 'lead')?.unit ?? districtGov(districtCode);
  const co = [...new Set(usable.filter((w) => w.role === 'co' && w.unit !== lead).map((w) => w.unit))];
  const copies = lead.endsWith(':street_office') && existing.has(districtGov(districtCode)) ? [districtGov(districtCode)] : [];
  return { lead, co, copies };
}
