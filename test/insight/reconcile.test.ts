/**
 * Reconciliation against an independent oracle: random but seeded petitions,
 * assignment histories (returns, cancellations), ratings (unanswered, second
 * rounds, boundary instants) and events; every count of every street, district
 * and unit must equal a plain recount of the generated records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { assess, type Level } from '../../core/insight/assessment.js';
import { periodRange } from '../../core/insight/period.js';
import { gazetteer, seedAreasAndCategories } from './seed.js';

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(20261125);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const P = periodRange('2026-11');
const H = 3_600_000;
// instants spread from 5 days before to 5 days after the period, with the exact boundaries mixed in
const when = () => (rnd() < 0.05 ? pick([P.start, P.end, new Date(P.end.getTime() - 1)]) : new Date(P.start.getTime() - 5 * 24 * H + rnd() * (P.end.getTime() - P.start.getTime() + 10 * 24 * H)));
const inP = (d: Date | null) => !!d && d >= P.start && d < P.end;

const streets = gazetteer.districts.slice(0, 3).flatMap((d) => d.streets.slice(0, 4).map((s) => ({ code: s.code, district: d.code })));
const units = ['V1', 'V2', 'V3', 'V4', 'V5'];

interface Gen {
  petition: { id: string; streetCode: string; districtCode: string | null; createdAt: Date };
  leads: { id: string; unitId: string; status: 'dispatched' | 'returned' | 'cancelled' | 'resolved'; dispatchedAt: Date; resolvedAt: Date | null; dueAt: Date | null }[];
  ratings: { round: number; askedAt: Date; ratedAt: Date | null; contacted: boolean | null; solved: 'solved' | 'partly' | 'unsolved' | null; satisfaction: 'satisfied' | 'basically' | 'dissatisfied' | null }[];
  reopens: Date[];
}

const gens: Gen[] = [];
for (let i = 0; i < 240; i++) {
  const s = pick(streets);
  const created = when();
  const leads: Gen['leads'] = [];
  const n = 1 + Math.floor(rnd() * 3);
  let t = created.getTime();
  for (let k = 0; k < n; k++) {
    t += rnd() * 48 * H;
    const last = k === n - 1;
    const resolvedAt = last && rnd() < 0.7 ? new Date(t + rnd() * 96 * H) : null;
    leads.push({
      id: randomUUID(), unitId: pick(units), dispatchedAt: new Date(t),
      // mostly the usual history (earlier leads returned/cancelled), sometimes odd orders to pin the tie rules
      status: last ? (resolvedAt ? 'resolved' : rnd() < 0.2 ? 'returned' : 'dispatched') : pick(['returned', 'cancelled', 'returned', 'dispatched'] as const),
      resolvedAt, dueAt: rnd() < 0.8 ? new Date(t + 72 * H) : null,
    });
  }
  const ratings: Gen['ratings'] = [];
  const rounds = rnd() < 0.8 ? (rnd() < 0.2 ? 2 : 1) : 0;
  for (let r = 1; r <= rounds; r++) {
    const askedAt = when();
    const answered = rnd() < 0.8;
    ratings.push({
      round: r, askedAt, ratedAt: answered ? new Date(askedAt.getTime() + rnd() * 30 * H) : null,
      contacted: answered ? rnd() < 0.85 : null,
      solved: answered ? pick(['solved', 'partly', 'unsolved'] as const) : null,
      satisfaction: answered ? pick(['satisfied', 'basically', 'dissatisfied'] as const) : null,
    });
  }
  gens.push({
    petition: { id: randomUUID(), streetCode: s.code, districtCode: rnd() < 0.9 ? s.district : null, createdAt: created },
    leads, ratings, reopens: rnd() < 0.15 ? [when()] : [],
  });
}

/** The attribution rule, restated: latest lead dispatched by `at` (live first), else the latest at all. */
function leadAt(g: Gen, at: Date): string {
  const before = g.leads.filter((a) => a.dispatchedAt <= at);
  const pool = before.length ? before : g.leads;
  const live = pool.filter((a) => a.status !== 'returned' && a.status !== 'cancelled');
  const use = live.length ? live : pool;
  return use.reduce((b, a) => (a.dispatchedAt >= b.dispatchedAt ? a : b)).unitId;
}

interface Tally {
  asked: number; valid: number; contacted: number; solved: number; partly: number; satisfied: number; basically: number;
  resolvedAssignments: number; onTimeResolved: number; reopensApproved: number; volume: number; petitions: Set<string>;
}

function oracle(level: Level) {
  const m = new Map<string, Tally>();
  const get = (k: string): Tally => {
    let v = m.get(k);
    if (!v) {
      v = { asked: 0, valid: 0, contacted: 0, solved: 0, partly: 0, satisfied: 0, basically: 0, resolvedAssignments: 0, onTimeResolved: 0, reopensApproved: 0, volume: 0, petitions: new Set() };
      m.set(k, v);
    }
    return v;
  };
  const areaKey = (g: Gen) => (level === 'street' ? g.petition.streetCode : g.petition.streetCode.split('-')[0]!);
  for (const g of gens) {
    for (const r of g.ratings) {
      const k = level === 'unit' ? leadAt(g, r.ratedAt ?? r.askedAt) : areaKey(g);
      const v = get(k);
      if (inP(r.askedAt)) v.asked++;
      if (!inP(r.ratedAt)) continue;
      v.valid++;
      if (r.contacted) v.contacted++;
      if (r.solved === 'solved') v.solved++;
      if (r.solved === 'partly') v.partly++;
      if (r.satisfaction === 'satisfied') v.satisfied++;
      if (r.satisfaction === 'basically') v.basically++;
      v.petitions.add(g.petition.id);
    }
    for (const a of g.leads) {
      if (!inP(a.resolvedAt)) continue;
      const v = get(level === 'unit' ? a.unitId : areaKey(g));
      v.resolvedAssignments++;
      if (!a.dueAt || a.resolvedAt! <= a.dueAt) v.onTimeResolved++;
    }
    for (const at of g.reopens) if (inP(at)) get(level === 'unit' ? leadAt(g, at) : areaKey(g)).reopensApproved++;
    if (level === 'unit') for (const a of g.leads) { if (inP(a.dispatchedAt)) get(a.unitId).volume++; }
    else if (inP(g.petition.createdAt)) get(areaKey(g)).volume++;
  }
  return m;
}

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedAreasAndCategories(t.db);
  await t.db.unit.createMany({ data: units.map((id) => ({ id, name: id, typeCode: 'urban_mgmt' })) });
  let n = 0;
  await t.db.petition.createMany({
    data: gens.map((g) => ({ ...g.petition, number: `R${++n}`, channel: 'x', originalTextEnc: Buffer.from('x'), maskedText: 'x', summary: 'x', categoryCode: 'garbage' })),
  });
  await t.db.assignment.createMany({ data: gens.flatMap((g) => g.leads.map((a) => ({ ...a, petitionId: g.petition.id, role: 'lead' as const }))) });
  await t.db.rating.createMany({ data: gens.flatMap((g) => g.ratings.map((r) => ({ ...r, petitionId: g.petition.id }))) });
  await t.db.petitionEvent.createMany({
    data: gens.flatMap((g) => g.reopens.map((at) => ({ petitionId: g.petition.id, actorKind: 'coordinator', action: 'approve_reopen', toStatus: 'reopened' as const, at }))),
  });
}, 30_000);
afterAll(async () => t?.drop());

describe('assessment reconciles with an independent recount', () => {
  for (const level of ['street', 'district', 'unit'] as const) {
    it(`${level}: every count of every row`, async () => {
      const expected = oracle(level);
      const a = await assess(t.db, { level, period: '2026-11' });
      let checked = 0;
      for (const row of a.rows) {
        const e = expected.get(row.code);
        const want = e
          ? { asked: e.asked, valid: e.valid, contacted: e.contacted, solved: e.solved, partly: e.partly, satisfied: e.satisfied, basically: e.basically, ratedPetitions: e.petitions.size, resolvedAssignments: e.resolvedAssignments, onTimeResolved: e.onTimeResolved, reopensApproved: e.reopensApproved, volume: e.volume }
          : { asked: 0, valid: 0, contacted: 0, solved: 0, partly: 0, satisfied: 0, basically: 0, ratedPetitions: 0, resolvedAssignments: 0, onTimeResolved: 0, reopensApproved: 0, volume: 0 };
        expect({ code: row.code, ...Object.fromEntries(Object.keys(want).map((k) => [k, row[k as keyof typeof row]])) }).toEqual({ code: row.code, ...want });
        expect(row.notContacted + row.contacted).toBe(row.valid);
        expect(row.unsolved + row.solved + row.partly).toBe(row.valid);
        expect(row.dissatisfied + row.satisfied + row.basically).toBe(row.valid);
        if (row.valid) {
          expect(row.response!.num * row.valid).toBe(row.contacted * row.response!.den);
          expect(row.composite!.value).toBeCloseTo(0.1 * (row.contacted / row.valid) + 0.5 * (row.solved / row.valid) + 0.4 * ((row.satisfied + 0.9 * row.basically) / row.valid), 12);
        }
        if (e) checked++;
      }
      expect(checked).toBe(expected.size);
      expect(a.rows.reduce((s, r) => s + r.valid, 0)).toBeGreaterThan(50);
    });
  }
});
