/**
 * routeFor in one statement gives the same routes as reading the rules and
 * then the units they name (the two-query version it replaced, kept here as
 * the reference), for every category in streets and districts of the default org.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../core/db.js';
import { loadTaxonomy } from '../../core/org/taxonomy.js';
import { districtGov, routeFor, type Route } from '../../core/workflow/routing.js';
import { statementsDuring } from '../helpers/count.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

async function reference(tx: Tx, categoryCode: string, districtCode: string, streetCode: string | null, exclude: string[] = []): Promise<Route> {
  const areas = [streetCode, districtCode].filter((a): a is string => !!a);
  const rules = await tx.routingRule.findMany({
    where: { categoryCode, OR: [{ areaCode: { in: areas } }, { areaCode: null }] },
    orderBy: [{ priority: 'desc' }],
  });
  const specificity = (a: string | null) => (a === streetCode && a ? 0 : a === districtCode ? 1 : 2);
  rules.sort((a, b) => specificity(a.areaCode) - specificity(b.areaCode) || b.priority - a.priority);
  const target = (r: (typeof rules)[number]): string | null => (r.target === 'street_office' ? (streetCode ? `${streetCode}:street_office` : null) : r.unitId);
  const wanted = rules.map((r) => ({ role: r.role, unit: target(r) })).filter((r): r is { role: 'lead' | 'co'; unit: string } => !!r.unit);
  const existing = new Set(
    (await tx.unit.findMany({ where: { id: { in: [...wanted.map((w) => w.unit), districtGov(districtCode)] } }, select: { id: true } })).map((u) => u.id),
  );
  const usable = wanted.filter((w) => existing.has(w.unit) && !exclude.includes(w.unit));
  const lead = usable.find((w) => w.role === 'lead')?.unit ?? districtGov(districtCode);
  const co = [...new Set(usable.filter((w) => w.role === 'co' && w.unit !== lead).map((w) => w.unit))];
  const copies = lead.endsWith(':street_office') && existing.has(districtGov(districtCode)) ? [districtGov(districtCode)] : [];
  return { lead, co, copies };
}

let t: TestDb;
const db = () => t.db as unknown as Tx;
beforeAll(async () => {
  t = await createTestDb({ seed: 'org' });
  // Variety beyond the default org: a co-handler, a street rule, a rule naming a unit that does
  // not exist, a city-wide rule, a district without its government, a street without an office.
  await t.db.routingRule.createMany({
    data: [
      { categoryCode: 'property', areaCode: '110105', target: 'unit', unitId: '110105:urban_mgmt', role: 'co' },
      { categoryCode: 'property', areaCode: '110105', target: 'unit', unitId: '110105:housing', role: 'co', priority: 5 },
      { categoryCode: 'noise', areaCode: '110105-sanlitun', target: 'unit', unitId: '110105:ecology_env', role: 'lead', priority: 3 },
      { categoryCode: 'noise', areaCode: '110105-sanlitun', target: 'unit', unitId: 'no_such_unit', role: 'lead', priority: 9 },
      { categoryCode: 'noise', areaCode: null, target: 'street_office', role: 'co' },
    ],
  });
  await t.db.unit.deleteMany({ where: { id: '110108:district_gov', assignments: { none: {} }, staff: { none: {} }, bindings: { none: {} }, whistleTasks: { none: {} } } });
  await t.db.unit.deleteMany({ where: { id: '110105-jianwai:street_office', assignments: { none: {} }, staff: { none: {} }, bindings: { none: {} }, whistleTasks: { none: {} } } });
});
afterAll(() => t.drop());

describe('routeFor', () => {
  it('matches the two-query reference for every category, street and district tried', async () => {
    const tax = loadTaxonomy();
    const places: [string, string | null][] = [];
    for (const d of tax.districts.slice(0, 4)) {
      places.push([d.code, null]);
      for (const s of d.streets.slice(0, 2)) places.push([d.code, s.code]);
    }
    places.push(['110105', '110105-sanlitun'], ['110105', '110105-jianwai'], ['110108', null], ['999999', null]);
    let compared = 0;
    for (const c of [...tax.categories.map((x) => x.code), 'no_such_category']) {
      for (const [district, street] of places) {
        const got = await routeFor(db(), c, district, street);
        expect(got, `${c} ${district} ${street}`).toEqual(await reference(db(), c, district, street));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('honours exclusions, co-handlers and a street rule over the district', async () => {
    for (const [c, d, s, ex] of [
      ['property', '110105', '110105-sanlitun', []],
      ['property', '110105', '110105-sanlitun', ['110105-sanlitun:street_office']],
      ['property', '110105', '110105-sanlitun', ['110105:housing']],
      ['noise', '110105', '110105-sanlitun', []],
      ['noise', '110105', '110105-sanlitun', ['110105:ecology_env']],
      ['noise', '110105', null, []],
    ] as [string, string, string | null, string[]][]) {
      expect(await routeFor(db(), c, d, s, ex), `${c} ${s} ${ex}`).toEqual(await reference(db(), c, d, s, ex));
    }
    expect((await routeFor(db(), 'property', '110105', '110105-sanlitun')).co).toEqual(['110105:housing', '110105:urban_mgmt']);
    expect(await routeFor(db(), 'noise', '110105', '110105-sanlitun')).toMatchObject({ lead: '110105:ecology_env', co: ['110105-sanlitun:street_office'] });
    expect(await t.db.unit.count({ where: { id: { in: ['110108:district_gov', '110105-jianwai:street_office'] } } })).toBe(0);
  });

  it('is one statement', async () => {
    const seen = await statementsDuring(() => routeFor(db(), 'property', '110105', '110105-sanlitun'));
    expect(seen).toHaveLength(1);
  });
});
