import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { assess, createAssessmentCache, rank, type AssessmentRow } from '../../core/insight/assessment.js';
import { periodOf, periodRange, shiftPeriod } from '../../core/insight/period.js';
import { addPetition, addUnit, bj, gazetteer, seedAreasAndCategories } from './seed.js';

const dc = gazetteer.districts.find((d) => d.code === '110101')!;
const A = dc.streets[0]!.code;
const B = dc.streets[1]!.code;
const D = dc.streets[2]!.code;
const C = gazetteer.districts.find((d) => d.code === '110105')!.streets[0]!.code;

let t: TestDb;

const frac = (r: { num: number; den: number } | null) => (r ? `${r.num}/${r.den}` : null);

beforeAll(async () => {
  t = await createTestDb();
  const db = t.db;
  await seedAreasAndCategories(db);
  await addUnit(db, 'U1', 'urban_mgmt', '110101', '东城区城管委');
  await addUnit(db, 'U2', 'urban_mgmt', '110105', '朝阳区城管委');
  await addUnit(db, 'U3', 'street_office', A, '东华门街道办');
  const staffU3 = await db.staff.create({ data: { platform: 'telegram', platformUserId: 's3', role: 'staff', unitId: 'U3' } });

  const pet = async (street: string, created: string) => addPetition(db, { streetCode: street, categoryCode: 'garbage', createdAt: bj(created) });
  const lead = (petitionId: string, unitId: string, dispatched: string, extra: Record<string, unknown> = {}) =>
    db.assignment.create({ data: { petitionId, unitId, role: 'lead', dispatchedAt: bj(dispatched), ...extra } });
  const rate = (petitionId: string, asked: string, rated: string | null, v: { contacted?: boolean; solved?: 'solved' | 'partly' | 'unsolved'; satisfaction?: 'satisfied' | 'basically' | 'dissatisfied' }, round = 1) =>
    db.rating.create({ data: { petitionId, round, askedAt: bj(asked), ratedAt: rated ? bj(rated) : null, ...v } });

  // Current period 2026-11 = [2026-10-19, 2026-11-19) Beijing time.
  const p1 = await pet(A, '2026-10-19 00:00'); // first instant of the period
  await lead(p1.id, 'U1', '2026-10-19 01:00', { status: 'resolved', resolvedAt: bj('2026-11-01 09:00'), dueAt: bj('2026-11-05 00:00') });
  await rate(p1.id, '2026-11-02 10:00', '2026-11-02 10:05', { contacted: true, solved: 'solved', satisfaction: 'satisfied' });

  const p2 = await pet(A, '2026-10-20 08:00');
  await lead(p2.id, 'U1', '2026-10-20 09:00', { status: 'resolved', resolvedAt: bj('2026-11-10 09:00'), dueAt: bj('2026-11-05 00:00') });
  await rate(p2.id, '2026-11-11 10:00', '2026-11-11 12:00', { contacted: true, solved: 'partly', satisfaction: 'basically' });
  await db.petitionEvent.create({ data: { petitionId: p2.id, actorKind: 'coordinator', action: 'approve_reopen', toStatus: 'reopened', at: bj('2026-11-12 09:00') } });

  // p3: U2 led first and returned the order; U1 leads when the resident rates.
  const p3 = await pet(A, '2026-10-21 08:00');
  await lead(p3.id, 'U2', '2026-10-21 09:00', { status: 'returned', returnReason: '不属于本单位' });
  await lead(p3.id, 'U1', '2026-10-25 09:00');
  await rate(p3.id, '2026-11-15 10:00', '2026-11-15 10:30', { contacted: false, solved: 'unsolved', satisfaction: 'dissatisfied' });
  await db.petitionEvent.create({ data: { petitionId: p3.id, actorKind: 'staff', action: 'return', toStatus: 'returned', at: bj('2026-10-22 09:00'), data: { unitId: 'U2' } } });
  await db.petitionEvent.create({ data: { petitionId: p3.id, actorKind: 'coordinator', action: 'approve_return', toStatus: 'dispatched', at: bj('2026-10-23 09:00'), data: { lead: 'U1', co: [], copies: [] } } });
  // A return asked by U3 staff, identified only through the actor.
  await db.petitionEvent.create({ data: { petitionId: p3.id, actorKind: 'staff', actorId: staffU3.id, action: 'return', toStatus: 'returned', at: bj('2026-10-24 09:00') } });

  const p4 = await pet(B, '2026-10-22 08:00');
  await lead(p4.id, 'U2', '2026-10-22 09:00', { status: 'resolved', resolvedAt: bj('2026-11-03 09:00') });
  await rate(p4.id, '2026-11-04 10:00', '2026-11-04 10:01', { contacted: true, solved: 'solved', satisfaction: 'satisfied' });

  // p5: asked in the period, answered at the first instant of the next one.
  const p5 = await pet(B, '2026-10-23 08:00');
  await lead(p5.id, 'U2', '2026-10-23 09:00');
  await rate(p5.id, '2026-11-18 20:00', '2026-11-19 00:00', { contacted: true, solved: 'solved', satisfaction: 'satisfied' });

  // D: two perfect callbacks, ties with B on the composite.
  for (const day of ['2026-10-24', '2026-10-25']) {
    const p = await pet(D, `${day} 08:00`);
    await lead(p.id, 'U3', `${day} 09:00`);
    await rate(p.id, `${day} 20:00`, `${day} 21:00`, { contacted: true, solved: 'solved', satisfaction: 'satisfied' });
  }

  // C: asked, never answered.
  const p7 = await pet(C, '2026-10-26 08:00');
  await lead(p7.id, 'U2', '2026-10-26 09:00');
  await rate(p7.id, '2026-11-05 10:00', null, {});

  // Previous period 2026-10: A was perfect, B got nothing right.
  const p6 = await pet(A, '2026-10-01 08:00');
  await lead(p6.id, 'U1', '2026-10-01 09:00');
  await rate(p6.id, '2026-10-18 22:00', '2026-10-18 23:59', { contacted: true, solved: 'solved', satisfaction: 'satisfied' });
  const p8 = await pet(B, '2026-10-02 08:00');
  await lead(p8.id, 'U2', '2026-10-02 09:00');
  await rate(p8.id, '2026-10-10 10:00', '2026-10-10 11:00', { contacted: false, solved: 'unsolved', satisfaction: 'dissatisfied' });

  // Whistle in A: U1 reports on time, U2 late, U3 never.
  const w = await db.whistle.create({
    data: { number: 'W1', areaCode: A, place: '东华门', summary: '占道', openedBy: 'x', reportDueAt: bj('2026-11-02 10:00'), dueAt: bj('2026-11-03 10:00') },
  });
  await db.whistleTask.createMany({
    data: [
      { whistleId: w.id, unitId: 'U1', reportDueAt: bj('2026-11-02 10:00'), reportedAt: bj('2026-11-02 09:50'), dueAt: bj('2026-11-03 10:00') },
      { whistleId: w.id, unitId: 'U2', reportDueAt: bj('2026-11-02 10:00'), reportedAt: bj('2026-11-02 10:20'), dueAt: bj('2026-11-03 10:00') },
      { whistleId: w.id, unitId: 'U3', reportDueAt: bj('2026-11-02 10:00'), dueAt: bj('2026-11-03 10:00') },
    ],
  });
});

afterAll(async () => {
  await t?.drop();
});

describe('period convention', () => {
  it('names a period after the month it ends in, starting on the 19th in Beijing', () => {
    const p = periodRange('2026-11');
    expect(p.start.toISOString()).toBe('2026-10-18T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-11-18T16:00:00.000Z');
    expect(periodOf(bj('2026-11-18 23:59')).key).toBe('2026-11');
    expect(periodOf(bj('2026-11-19 00:00')).key).toBe('2026-12');
    expect(periodOf(bj('2026-12-25 12:00')).key).toBe('2027-01');
    expect(periodRange('2026-11', { startDay: 1 }).start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(shiftPeriod('2026-01', 1)).toBe('2025-12');
    expect(shiftPeriod('2026-11', 12)).toBe('2025-11');
  });
});

describe('assess', () => {
  it('computes every street figure from the stored ratings, exactly', async () => {
    const a = await assess(t.db, { level: 'street', period: '2026-11' });
    expect(a.rows).toHaveLength(343);
    const row = a.rows.find((r) => r.code === A)!;
    expect(row).toMatchObject({
      asked: 3, valid: 3, contacted: 2, notContacted: 1, solved: 1, partly: 1, unsolved: 1,
      satisfied: 1, basically: 1, dissatisfied: 1, volume: 3,
      resolvedAssignments: 2, onTimeResolved: 1, returnsRequested: 2, returnsApproved: 1,
      ratedPetitions: 3, reopensApproved: 1, whistleTasksDue: 3, whistleReportedOnTime: 1,
    });
    expect(frac(row.response)).toBe('2/3');
    expect(frac(row.resolution)).toBe('1/3');
    expect(frac(row.satisfaction)).toBe('19/30'); // (1 + 0.9) / 3
    expect(frac(row.composite)).toBe('73/150'); // 0.1·2/3 + 0.5·1/3 + 0.4·19/30
    expect(frac(row.onTimeRate)).toBe('1/2');
    expect(frac(row.reopenRate)).toBe('1/3');
    expect(frac(row.whistlePunctuality)).toBe('1/3');

    const b = a.rows.find((r) => r.code === B)!;
    expect(b).toMatchObject({ asked: 2, valid: 1, volume: 2, onTimeResolved: 1, resolvedAssignments: 1 });
    expect(frac(b.composite)).toBe('1/1');
    const c = a.rows.find((r) => r.code === C)!;
    expect(c).toMatchObject({ asked: 1, valid: 0, volume: 1 });
    expect(c.response).toBeNull();
    expect(c.composite).toBeNull();
  });

  it('reconciles with the database: valid callbacks summed over streets = ratings answered in the period', async () => {
    const a = await assess(t.db, { level: 'street', period: '2026-11' });
    const p = periodRange('2026-11');
    const stored = await t.db.rating.count({ where: { ratedAt: { gte: p.start, lt: p.end } } });
    expect(a.rows.reduce((s, r) => s + r.valid, 0)).toBe(stored);
    const d = await assess(t.db, { level: 'district', period: '2026-11' });
    expect(d.rows).toHaveLength(16);
    expect(d.rows.reduce((s, r) => s + r.valid, 0)).toBe(stored);
    const dong = d.rows.find((r) => r.code === '110101')!;
    expect(dong).toMatchObject({ valid: 6, contacted: 5, solved: 4, satisfied: 4, basically: 1, whistleTasksDue: 3 });
  });

  it('attributes callbacks to the lead unit at rating time and applies weights', async () => {
    const a = await assess(t.db, { level: 'unit', period: '2026-11', typeCode: 'urban_mgmt' });
    expect(a.rows.map((r) => r.code)).toEqual(['U1', 'U2']);
    const u1 = a.rows.find((r) => r.code === 'U1')!;
    expect(u1).toMatchObject({ valid: 3, contacted: 2, onTimeResolved: 1, resolvedAssignments: 2, reopensApproved: 1, whistleReportedOnTime: 1, whistleTasksDue: 1 });
    expect(frac(u1.composite)).toBe('73/150');
    const u2 = a.rows.find((r) => r.code === 'U2')!;
    expect(u2).toMatchObject({ valid: 1, asked: 3, returnsRequested: 1, returnsApproved: 1, whistleReportedOnTime: 0, volume: 4, leadDispatched: 4 });
    expect(frac(u2.whistlePunctuality)).toBe('0/1');

    const all = await assess(t.db, { level: 'unit', period: '2026-11' });
    expect(all.rows.find((r) => r.code === 'U3')).toMatchObject({ valid: 2, returnsRequested: 1, whistleTasksDue: 1, whistleReportedOnTime: 0 });

    const w = await assess(t.db, { level: 'unit', period: '2026-11', typeCode: 'urban_mgmt', weights: { partly: 0.5, basically: 0.8 } });
    const u1w = w.rows.find((r) => r.code === 'U1')!;
    expect(frac(u1w.resolution)).toBe('1/2'); // (1 + 0.5) / 3
    expect(frac(u1w.satisfaction)).toBe('3/5'); // (1 + 0.8) / 3
  });
});

describe('rank', () => {
  it('ranks all 343 streets, ties share a rank, silent streets last, with change against the previous period', async () => {
    const r = await rank(t.db, { level: 'street', period: '2026-11' });
    expect(r.rows).toHaveLength(343);
    expect(r.previousPeriod.key).toBe('2026-10');
    const top = r.rows.slice(0, 3).map((x) => [x.code, x.rank]);
    expect(top).toEqual([[D, 1], [B, 1], [A, 3]]);
    const a = r.rows[2]!;
    expect(a).toMatchObject({ previousRank: 1, rankDelta: -2 });
    expect(frac(a.compositeDelta)).toBe('-77/150');
    const b = r.rows[1]!;
    expect(b).toMatchObject({ previousRank: 2, rankDelta: 1 });
    expect(frac(b.compositeDelta)).toBe('1/1');
    expect(r.rows[1]!.previousComposite && frac(r.rows[1]!.previousComposite)).toBe('0/1');
    const rest = r.rows.slice(3);
    expect(rest.every((x: AssessmentRow & { rank: number | null }) => x.rank === null && x.composite === null)).toBe(true);
    expect(rest.map((x) => x.code)).toEqual([...rest.map((x) => x.code)].sort());
  });

  it('ranks units within their type', async () => {
    const r = await rank(t.db, { level: 'unit', period: '2026-11' });
    // street_office: U3 alone; urban_mgmt: U2 (1/1) before U1 (73/150)
    expect(r.rows.map((x) => [x.typeCode, x.code, x.rank])).toEqual([
      ['street_office', 'U3', 1],
      ['urban_mgmt', 'U2', 1],
      ['urban_mgmt', 'U1', 2],
    ]);
  });
});

describe('whistle punctuality', () => {
  it('a report window that is still open is not counted late; once it closes unreported, it is', async () => {
    const E = dc.streets[4]!.code;
    const w = await t.db.whistle.create({
      data: { number: 'W-open', areaCode: E, place: 'x', summary: 'x', openedBy: 'x', reportDueAt: bj('2026-11-10 10:00'), dueAt: bj('2026-11-11 10:00') },
    });
    await t.db.whistleTask.createMany({
      data: [
        { whistleId: w.id, unitId: 'U1', reportDueAt: bj('2026-11-10 10:00'), reportedAt: bj('2026-11-10 09:30'), dueAt: bj('2026-11-11 10:00') },
        { whistleId: w.id, unitId: 'U2', reportDueAt: bj('2026-11-10 10:00'), dueAt: bj('2026-11-11 10:00') },
      ],
    });
    const during = (await assess(t.db, { level: 'street', period: '2026-11', now: bj('2026-11-10 09:45') })).rows.find((r) => r.code === E)!;
    expect(during).toMatchObject({ whistleTasksDue: 1, whistleReportedOnTime: 1 });
    expect(frac(during.whistlePunctuality)).toBe('1/1');
    const after = (await assess(t.db, { level: 'street', period: '2026-11', now: bj('2026-11-10 10:01') })).rows.find((r) => r.code === E)!;
    expect(frac(after.whistlePunctuality)).toBe('1/2');
  });
});

describe('weights', () => {
  it('come from the options given (ASSESS_WEIGHTS) and are reported with the ranking', async () => {
    const weights = { response: 0.2, resolution: 0.4, satisfaction: 0.4, basically: 0.8 };
    const a = await assess(t.db, { level: 'street', period: '2026-11', weights });
    expect(a.weights).toMatchObject(weights);
    const row = a.rows.find((r) => r.code === A)!;
    expect(frac(row.satisfaction)).toBe('3/5'); // (1 + 0.8) / 3
  });
});

describe('the cache of ended periods', () => {
  it('computes an ended period once and the current one every time', async () => {
    const cache = createAssessmentCache();
    const first = await assess(t.db, { level: 'street', period: '2026-11', cache });
    await addPetition(t.db, { streetCode: A, categoryCode: 'garbage', createdAt: bj('2026-11-12 08:00') });
    const again = await assess(t.db, { level: 'street', period: '2026-11', cache });
    expect(again).toBe(first); // ended: the same answer, not a second computation
    expect((await assess(t.db, { level: 'street', period: '2026-11' })).rows.find((r) => r.code === A)!.volume).toBe(first.rows.find((r) => r.code === A)!.volume + 1);
    const future = periodOf(new Date(Date.now() + 40 * 86_400_000)).key; // a period that has not ended
    const a = await assess(t.db, { level: 'street', period: future, cache });
    expect(await assess(t.db, { level: 'street', period: future, cache })).not.toBe(a);
  });
});
