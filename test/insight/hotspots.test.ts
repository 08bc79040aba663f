import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { hotspots, monthOverMonth, proposeMonthlyTopics } from '../../core/insight/hotspots.js';
import { hotspotTable, tableSvg } from '../../core/insight/charts.js';
import { addPetition, addResident, bj, gazetteer, seedAreasAndCategories, taxonomy } from './seed.js';

const dc = gazetteer.districts.find((d) => d.code === '110101')!;
const A = dc.streets[0]!;
const B = dc.streets[1]!;
const C = gazetteer.districts.find((d) => d.code === '110105')!.streets[0]!;

let t: TestDb;
const frac = (r: { num: number; den: number } | null) => (r ? `${r.num}/${r.den}` : null);

beforeAll(async () => {
  t = await createTestDb();
  const db = t.db;
  await seedAreasAndCategories(db);
  const [r1, r2, r3] = [await addResident(db), await addResident(db), await addResident(db)];
  const add = (street: string, cat: string, at: string, extra: Record<string, unknown> = {}) =>
    addPetition(db, { streetCode: street, categoryCode: cat, createdAt: bj(at), ...extra });

  // Period 2026-11 = [10-19, 11-19). A × garbage: 7 petitions.
  await add(A.code, 'garbage', '2026-10-20 08:00', { residentId: r1.id, number: 'G01' });
  await add(A.code, 'garbage', '2026-10-28 08:00', { residentId: r1.id, number: 'G02' }); // repeat
  await add(A.code, 'garbage', '2026-11-05 08:00', { residentId: r1.id, number: 'G03' }); // repeat
  await add(A.code, 'garbage', '2026-11-06 08:00', { residentId: r2.id, number: 'G04' }); // repeat of 2026-09
  await add(A.code, 'garbage', '2026-11-07 08:00', { residentId: r3.id, number: 'G05' }); // r3 filed before, but in B
  await add(A.code, 'garbage', '2026-11-08 08:00', { number: 'G06' });
  await add(A.code, 'garbage', '2026-11-18 23:59', { number: 'G07' });
  await add(A.code, 'garbage', '2026-11-10 08:00', { number: 'GX', status: 'redirected' }); // not a city matter
  await add(A.code, 'garbage', '2026-11-19 00:00', { number: 'GNEXT' }); // next period
  // history of A × garbage: 2026-10: 2, 2026-09: 1, 2026-08: 0; last year 2025-11: 3
  await add(A.code, 'garbage', '2026-10-01 08:00', { number: 'H1' });
  await add(A.code, 'garbage', '2026-10-18 23:59', { number: 'H2' });
  await add(A.code, 'garbage', '2026-09-01 08:00', { residentId: r2.id, number: 'H3' });
  for (const d of ['2025-10-25', '2025-11-01', '2025-11-10']) await add(A.code, 'garbage', `${d} 08:00`);
  await add(B.code, 'garbage', '2026-10-05 08:00', { residentId: r3.id });

  // B × noise: 2 new; C × parking: 1 (below the default minimum); C × garbage: 1; other: 5
  await add(B.code, 'noise', '2026-11-01 22:00', { number: 'N1' });
  await add(B.code, 'noise', '2026-11-02 22:00', { number: 'N2' });
  await add(C.code, 'parking', '2026-11-03 09:00');
  await add(C.code, 'garbage', '2026-11-03 09:00', { number: 'G08' });
  for (let i = 0; i < 5; i++) await add(C.code, 'other', `2026-11-0${i + 1} 10:00`);

  // Cluster material (period 2026-12): A × property, 3 within 24 h of 2026-11-25 12:00.
  await add(A.code, 'property', '2026-11-24 13:00', { number: 'P1' });
  await add(A.code, 'property', '2026-11-25 09:00', { number: 'P2' });
  await add(A.code, 'property', '2026-11-25 11:59', { number: 'P3' });
  await add(A.code, 'property', '2026-11-24 10:00', { number: 'P0' }); // 26 h before
  await add(A.code, 'property', '2026-11-25 10:00', { number: 'PW', status: 'withdrawn' });
  await add(B.code, 'property', '2026-11-25 10:00');
  await add(B.code, 'property', '2026-11-25 10:30');
  await db.staff.create({ data: { platform: 'telegram', platformUserId: '777', role: 'coordinator', areaCode: A.code } });
  await db.staff.create({ data: { platform: 'telegram', platformUserId: '778', role: 'staff', areaCode: A.code } });
  await db.chatBinding.create({ data: { platform: 'wecom', chatId: 'coord-room', areaCode: A.code } });
});

afterAll(async () => {
  await t?.drop();
});

describe('hotspots', () => {
  it('explains volume, growth, seasonality and repeats with counts and petition numbers', async () => {
    const rows = await hotspots(t.db, { period: '2026-11' });
    expect(rows.map((r) => `${r.streetCode}|${r.categoryCode}|${r.volume}`)).toEqual([`${A.code}|garbage|7`, `${C.code}|other|5`, `${B.code}|noise|2`]);
    const a = rows[0]!;
    expect(a.previous).toEqual([
      { period: '2026-10', volume: 2 },
      { period: '2026-09', volume: 1 },
      { period: '2026-08', volume: 0 },
    ]);
    expect(frac(a.previousAverage)).toBe('1/1');
    expect(frac(a.growth)).toBe('6/1'); // 7 against an average of 1
    expect(a.lastYear).toEqual({ period: '2025-11', volume: 3 });
    expect(frac(a.seasonality)).toBe('7/3');
    expect(a.repeatPetitions).toBe(3);
    expect(frac(a.repeatRate)).toBe('3/7');
    expect(a.examples).toEqual(['G07', 'G06', 'G05']);
    expect(a.explanation).toContain(`${A.name}「垃圾`);
    expect(a.explanation).toContain('7 件');
    expect(a.explanation).toContain('G07');
    expect(a.explanation).toContain('重复诉求 3 件');
    const b = rows[2]!;
    expect(b.growth).toBeNull();
    expect(b.seasonality).toBeNull();
    expect(b.repeatPetitions).toBe(0);

    const all = await hotspots(t.db, { period: '2026-11', minVolume: 1, districtCode: '110105' });
    expect(all.map((r) => `${r.categoryCode}:${r.volume}`).sort()).toEqual(['garbage:1', 'other:5', 'parking:1']);
  });

  it('proposes 每月一题 candidates with a lead department type', async () => {
    const topics = await proposeMonthlyTopics(t.db, '2026-11', { count: 2 });
    expect(topics.map((x) => [x.categoryCode, x.volume, x.leadDepartmentType.code])).toEqual([
      ['garbage', 8, taxonomy.categories.find((c) => c.code === 'garbage')!.handler],
      ['noise', 2, 'ecology_env'],
    ]);
    const g = topics[0]!;
    expect(g.leadDepartmentType.nameZh).toBe(taxonomy.department_types.find((d) => d.code === g.leadDepartmentType.code)!.name_zh);
    expect(g.streetsAffected).toBe(2);
    expect(g.topStreets[0]).toEqual({ streetCode: A.code, streetName: A.name, volume: 7 });
    expect(g.repeatPetitions).toBe(3);
    expect(g.previous[0]).toEqual({ period: '2026-10', volume: 3 }); // 2 in A + 1 in B
    expect(g.explanation).toContain('建议牵头');
  });
});

describe('hotspot figures as coordinators read them', () => {
  it('环比 is against the previous period; the change against the average of the previous three is labelled as such; no figure is cut off', async () => {
    const [h] = await hotspots(t.db, { period: '2026-11', limit: 1 });
    expect(h).toMatchObject({ streetCode: A.code, volume: 7 });
    expect(frac(monthOverMonth(h!))).toBe('5/2'); // 7 against 2026-10's 2
    expect(frac(h!.growth)).toBe('6/1'); // 7 against the mean of 2, 1, 0
    const big = { ...h!, volume: 123456, previous: [{ period: '2026-10', volume: 1 }, ...h!.previous.slice(1)] };
    const table = hotspotTable([h!, big]);
    expect(table.columns.map((c) => c.header)).toEqual(['街乡', '类别', '本期', '上期', '环比', '较前3期均值', '去年同期', '重复率', '示例工单']);
    expect(table.rows[0]!.slice(2, 6)).toEqual(['7', '2', '+250%', '+600%']);
    const svg = tableSvg(table);
    for (const figure of ['+250%', '+600%', '123456', '+12345500%']) expect(svg).toContain(`>${figure}<`);
  });
});
