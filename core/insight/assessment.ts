/**
 * Three rates (三率) and the other assessment figures per unit, street or
 * district for one period, and the rankings built from them.
 *
 * Attribution (what the tests pin down):
 * - A valid callback (有效回访) is a Rating whose `ratedAt` lies in the period.
 *   `asked` counts ratings whose `askedAt` lies in the period, answered or not.
 * - Unit = the petition's lead unit at rating time: the latest lead assignment
 *   dispatched at or before `ratedAt`, preferring one that was not returned or
 *   cancelled. Street = Petition.streetCode. District = Petition.districtCode,
 *   or the street's district when districtCode is empty.
 * - response = contacted ÷ valid; resolution = solved ÷ valid (+ `partly` ×
 *   partly solved, weight 0 by default); satisfaction = (satisfied + 0.9 ×
 *   basically) ÷ valid; composite = 0.1·response + 0.5·resolution +
 *   0.4·satisfaction. All exact fractions; null when there is no valid callback.
 * - On time: assignments (lead and co) with `resolvedAt` in the period;
 *   on time when resolvedAt ≤ dueAt or there is no dueAt. Unit = the
 *   assignment's unit; street/district = the petition's.
 * - Returns: `return` (requested) and `approve_return` events in the period;
 *   unit = event data.unitId, else data.assignmentId's unit, else (approve_return)
 *   the latest returned lead assignment before the event, else the acting
 *   staff member's unit.
 * - Reopen rate = `approve_reopen` events in the period ÷ distinct petitions
 *   with a valid callback in the period (same attribution as ratings, at the
 *   event time).
 * - Whistle punctuality = tasks reported by reportDueAt ÷ tasks whose
 *   reportDueAt lies in the period, leaving out windows still open (not
 *   reported and reportDueAt after `now`). Unit = task unit; street = the whistle's
 *   area (or its district when the area is a district).
 * - Volume: petitions created in the period (streets, districts); assignments
 *   dispatched in the period (units, `dispatched`; lead only in `leadDispatched`).
 *
 * Ratings and on-time figures are counted in Postgres (one GROUP BY each), so
 * memory grows with the number of units and areas, not with the ratings.
 */
import { Prisma, type PrismaClient } from '../db.js';
import { periodRange, previousPeriod, shiftPeriod, type Period, type PeriodOptions } from './period.js';
import { DEFAULT_WEIGHTS, type Weights } from './weights.js';
import { compare, ratio, subtract, weightedRatio, weightedSum, type Ratio } from './ratio.js';

export type Level = 'unit' | 'street' | 'district';
export { DEFAULT_WEIGHTS, type Weights };

export interface AssessOptions extends PeriodOptions {
  level: Level;
  /** `YYYY-MM`, see period.ts for the convention */
  period: string;
  weights?: Partial<Weights>;
  /** units only: restrict to one unit type (department type code or `district_gov`) */
  typeCode?: string;
  /** report windows still open at this time are not counted (not yet on time or late); default: the current time */
  now?: Date;
  /** reuse assessments of periods that have ended (what chat reports and the dashboard read) */
  cache?: AssessmentCache;
}

/**
 * Assessments of ended periods, kept for `ttlMs`. A period that has ended barely changes: its
 * ratings, resolutions and events are stamped when they happen, so none can join it later (a late
 * 报到 on one of its whistle tasks can; the TTL bounds that). The current period is never cached.
 */
export interface AssessmentCache {
  get(key: string, compute: () => Promise<Assessment>): Promise<Assessment>;
}

export function createAssessmentCache(ttlMs = 10 * 60_000, max = 256): AssessmentCache {
  const entries = new Map<string, { at: number; value: Promise<Assessment> }>();
  return {
    get(key, compute) {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = compute();
      entries.set(key, { at: Date.now(), value });
      value.catch(() => entries.delete(key));
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}

export interface AssessmentRow {
  level: Level;
  code: string;
  name: string;
  /** street → district code; unit → its area code; district → null */
  parentCode: string | null;
  /** units only */
  typeCode: string | null;
  asked: number;
  valid: number;
  contacted: number;
  notContacted: number;
  solved: number;
  partly: number;
  unsolved: number;
  satisfied: number;
  basically: number;
  dissatisfied: number;
  response: Ratio | null;
  resolution: Ratio | null;
  satisfaction: Ratio | null;
  composite: Ratio | null;
  /** petitions created (streets/districts) or assignments dispatched (units) in the period */
  volume: number;
  /** units: lead assignments dispatched in the period; areas: same as volume */
  leadDispatched: number;
  resolvedAssignments: number;
  onTimeResolved: number;
  onTimeRate: Ratio | null;
  returnsRequested: number;
  returnsApproved: number;
  ratedPetitions: number;
  reopensApproved: number;
  reopenRate: Ratio | null;
  whistleTasksDue: number;
  whistleReportedOnTime: number;
  whistlePunctuality: Ratio | null;
}

export interface Assessment {
  level: Level;
  period: Period;
  weights: Weights;
  rows: AssessmentRow[];
}

type Counts = Omit<AssessmentRow, 'level' | 'code' | 'name' | 'parentCode' | 'typeCode' | 'response' | 'resolution' | 'satisfaction' | 'composite' | 'onTimeRate' | 'reopenRate' | 'whistlePunctuality'>;

function zero(): Counts {
  return {
    asked: 0, valid: 0, contacted: 0, notContacted: 0, solved: 0, partly: 0, unsolved: 0,
    satisfied: 0, basically: 0, dissatisfied: 0, volume: 0, leadDispatched: 0,
    resolvedAssignments: 0, onTimeResolved: 0, returnsRequested: 0, returnsApproved: 0,
    ratedPetitions: 0, reopensApproved: 0, whistleTasksDue: 0, whistleReportedOnTime: 0,
  };
}

interface LeadAssignment {
  unitId: string;
  status: string;
  dispatchedAt: Date;
}

/** The lead unit at instant `at` (see the attribution rules above). */
export function leadUnitAt(assignments: LeadAssignment[], at: Date): string | null {
  const before = assignments.filter((a) => a.dispatchedAt.getTime() <= at.getTime());
  const pool = before.length ? before : assignments;
  const live = pool.filter((a) => a.status !== 'returned' && a.status !== 'cancelled');
  const pick = (live.length ? live : pool).reduce<LeadAssignment | null>(
    (best, a) => (!best || a.dispatchedAt.getTime() >= best.dispatchedAt.getTime() ? a : best),
    null,
  );
  return pick?.unitId ?? null;
}

interface Universe {
  rows: Map<string, { name: string; parentCode: string | null; typeCode: string | null; counts: Counts }>;
  streetDistrict: Map<string, string>;
  areaLevel: Map<string, 'district' | 'street'>;
}

async function loadUniverse(db: PrismaClient, level: Level, typeCode?: string): Promise<Universe> {
  const areas = await db.area.findMany({ select: { code: true, name: true, level: true, parentCode: true } });
  const streetDistrict = new Map<string, string>();
  const areaLevel = new Map<string, 'district' | 'street'>();
  for (const a of areas) {
    areaLevel.set(a.code, a.level);
    if (a.level === 'street' && a.parentCode) streetDistrict.set(a.code, a.parentCode);
  }
  const rows: Universe['rows'] = new Map();
  if (level === 'unit') {
    const units = await db.unit.findMany({
      where: typeCode ? { typeCode } : {},
      select: { id: true, name: true, areaCode: true, typeCode: true },
    });
    for (const u of units) rows.set(u.id, { name: u.name, parentCode: u.areaCode, typeCode: u.typeCode, counts: zero() });
  } else {
    for (const a of areas) {
      if (a.level === level) rows.set(a.code, { name: a.name, parentCode: a.parentCode, typeCode: null, counts: zero() });
    }
  }
  return { rows, streetDistrict, areaLevel };
}

/**
 * The grouping key in SQL. Fixed fragments only (never user input). Unit: the
 * lead at rating time, same rule as `leadUnitAt`: among lead assignments,
 * prefer those dispatched by then, then live ones, then the latest.
 */
function keySql(level: Level, at: Prisma.Sql): { key: Prisma.Sql; join: Prisma.Sql } {
  if (level === 'street') return { key: Prisma.sql`p."streetCode"`, join: Prisma.empty };
  if (level === 'district') {
    return { key: Prisma.sql`COALESCE(p."districtCode", s."parentCode")`, join: Prisma.sql`LEFT JOIN "Area" s ON s.code = p."streetCode"` };
  }
  return {
    key: Prisma.sql`l."unitId"`,
    join: Prisma.sql`LEFT JOIN LATERAL (
      SELECT a."unitId" FROM "Assignment" a
      WHERE a."petitionId" = p.id AND a.role = 'lead'
      ORDER BY (a."dispatchedAt" <= ${at}) DESC, (a.status NOT IN ('returned', 'cancelled')) DESC, a."dispatchedAt" DESC, a.id DESC
      LIMIT 1) l ON true`,
  };
}

interface RatingGroup {
  key: string;
  asked: number;
  valid: number;
  contacted: number;
  solved: number;
  partly: number;
  satisfied: number;
  basically: number;
  ratedPetitions: number;
}

async function ratingCounts(db: PrismaClient, level: Level, period: Period): Promise<RatingGroup[]> {
  const { start, end } = period;
  const { key, join } = keySql(level, Prisma.sql`COALESCE(r."ratedAt", r."askedAt")`);
  const valid = Prisma.sql`(r."ratedAt" >= ${start} AND r."ratedAt" < ${end})`;
  const rows = await db.$queryRaw<Record<keyof RatingGroup, string | bigint | null>[]>`
    SELECT ${key} AS key,
      count(*) FILTER (WHERE r."askedAt" >= ${start} AND r."askedAt" < ${end}) AS asked,
      count(*) FILTER (WHERE ${valid}) AS valid,
      count(*) FILTER (WHERE ${valid} AND r.contacted IS TRUE) AS contacted,
      count(*) FILTER (WHERE ${valid} AND r.solved = 'solved') AS solved,
      count(*) FILTER (WHERE ${valid} AND r.solved = 'partly') AS partly,
      count(*) FILTER (WHERE ${valid} AND r.satisfaction = 'satisfied') AS satisfied,
      count(*) FILTER (WHERE ${valid} AND r.satisfaction = 'basically') AS basically,
      count(DISTINCT r."petitionId") FILTER (WHERE ${valid}) AS "ratedPetitions"
    FROM "Rating" r
    JOIN "Petition" p ON p.id = r."petitionId"
    ${join}
    WHERE ${valid} OR (r."askedAt" >= ${start} AND r."askedAt" < ${end})
    GROUP BY 1`;
  return rows
    .filter((r) => r.key !== null)
    .map((r) => ({
      key: String(r.key),
      asked: Number(r.asked), valid: Number(r.valid), contacted: Number(r.contacted), solved: Number(r.solved),
      partly: Number(r.partly), satisfied: Number(r.satisfied), basically: Number(r.basically), ratedPetitions: Number(r.ratedPetitions),
    }));
}

async function onTimeCounts(db: PrismaClient, level: Level, period: Period): Promise<{ key: string; resolved: number; onTime: number }[]> {
  const { start, end } = period;
  const k = level === 'unit' ? { key: Prisma.sql`a."unitId"`, join: Prisma.empty } : keySql(level, Prisma.sql`a."resolvedAt"`);
  const rows = await db.$queryRaw<{ key: string | null; resolved: bigint; on_time: bigint }[]>`
    SELECT ${k.key} AS key, count(*) AS resolved,
      count(*) FILTER (WHERE a."dueAt" IS NULL OR a."resolvedAt" <= a."dueAt") AS on_time
    FROM "Assignment" a
    JOIN "Petition" p ON p.id = a."petitionId"
    ${k.join}
    WHERE a."resolvedAt" >= ${start} AND a."resolvedAt" < ${end}
    GROUP BY 1`;
  return rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, resolved: Number(r.resolved), onTime: Number(r.on_time) }));
}

export async function assess(db: PrismaClient, opts: AssessOptions): Promise<Assessment> {
  const period = periodRange(opts.period, opts);
  if (opts.cache && !opts.now && period.end.getTime() <= Date.now()) {
    const { cache, ...rest } = opts;
    const key = JSON.stringify([rest.level, rest.period, rest.typeCode ?? null, { ...DEFAULT_WEIGHTS, ...rest.weights }, rest.startDay ?? null, rest.timeZone ?? null]);
    return cache.get(key, () => assessPeriod(db, rest, period));
  }
  return assessPeriod(db, opts, period);
}

async function assessPeriod(db: PrismaClient, opts: AssessOptions, period: Period): Promise<Assessment> {
  const weights: Weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  const { level } = opts;
  const inPeriod = { gte: period.start, lt: period.end };
  // One query after another: run at once (Promise.all) they were slower on the 2-core bench
  // machine (npm run bench:stats: 435 against 176 ms for a district assessment at 1M petitions).
  const u = await loadUniverse(db, level, opts.typeCode);
  const ratings = await ratingCounts(db, level, period);
  const byUnit = level === 'unit' ? await db.assignment.groupBy({ by: ['unitId', 'role'], where: { dispatchedAt: inPeriod }, _count: { _all: true } }) : null;
  const byArea = level === 'unit' ? null : await db.petition.groupBy({ by: ['streetCode', 'districtCode'], where: { createdAt: inPeriod }, _count: { _all: true } });
  const onTime = await onTimeCounts(db, level, period);
  const events = await db.petitionEvent.findMany({
    where: { action: { in: ['return', 'approve_return', 'approve_reopen'] }, at: inPeriod },
    select: {
      action: true, actorKind: true, actorId: true, data: true, at: true,
      petition: {
        select: {
          streetCode: true, districtCode: true,
          assignments: { select: { id: true, unitId: true, role: true, status: true, dispatchedAt: true } },
        },
      },
    },
  });
  const tasks = await db.whistleTask.findMany({
    where: { reportDueAt: inPeriod },
    select: { unitId: true, reportDueAt: true, reportedAt: true, whistle: { select: { areaCode: true } } },
  });

  const bucket = (code: string | null | undefined): Counts | null => {
    if (!code) return null;
    const row = u.rows.get(code);
    if (row) return row.counts;
    // Units outside the requested type are not ranked; unknown area codes are not either.
    return null;
  };
  const areaKey = (p: { streetCode: string | null; districtCode: string | null }): string | null =>
    level === 'street' ? p.streetCode : (p.districtCode ?? (p.streetCode ? u.streetDistrict.get(p.streetCode) ?? null : null));

  // Ratings: asked and answered in the period, counted in Postgres.
  for (const g of ratings) {
    const c = bucket(g.key);
    if (!c) continue;
    c.asked += g.asked;
    c.valid += g.valid;
    c.contacted += g.contacted;
    c.notContacted += g.valid - g.contacted;
    c.solved += g.solved;
    c.partly += g.partly;
    c.unsolved += g.valid - g.solved - g.partly;
    c.satisfied += g.satisfied;
    c.basically += g.basically;
    c.dissatisfied += g.valid - g.satisfied - g.basically;
    c.ratedPetitions += g.ratedPetitions;
  }

  // Volume.
  if (byUnit) {
    for (const g of byUnit) {
      const c = bucket(g.unitId);
      if (!c) continue;
      c.volume += g._count._all;
      if (g.role === 'lead') c.leadDispatched += g._count._all;
    }
  } else {
    for (const g of byArea!) {
      const c = bucket(areaKey(g));
      if (!c) continue;
      c.volume += g._count._all;
      c.leadDispatched += g._count._all;
    }
  }

  // On-time resolution.
  for (const g of onTime) {
    const c = bucket(g.key);
    if (!c) continue;
    c.resolvedAssignments += g.resolved;
    c.onTimeResolved += g.onTime;
  }

  // Returns and reopens, from the event log.
  const staffIds = [...new Set(events.map((e) => e.actorId).filter((x): x is string => !!x))];
  const staffUnit = new Map(
    (staffIds.length ? await db.staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, unitId: true } }) : []).map((s) => [s.id, s.unitId]),
  );
  for (const e of events) {
    let key: string | null;
    if (level !== 'unit') key = areaKey(e.petition);
    else if (e.action === 'approve_reopen') key = leadUnitAt(e.petition.assignments.filter((a) => a.role === 'lead'), e.at);
    else {
      const data = (e.data ?? {}) as Record<string, unknown>;
      const viaAssignment = typeof data.assignmentId === 'string' ? e.petition.assignments.find((a) => a.id === data.assignmentId)?.unitId : undefined;
      // approve_return is written by the coordinator and names the NEW lead in data.lead;
      // the unit whose return was approved is the latest returned lead assignment before it.
      const returnedLead =
        e.action === 'approve_return'
          ? e.petition.assignments
              .filter((a) => a.role === 'lead' && a.status === 'returned' && a.dispatchedAt <= e.at)
              .sort((a, b) => b.dispatchedAt.getTime() - a.dispatchedAt.getTime())[0]?.unitId
          : undefined;
      key =
        (typeof data.unitId === 'string' ? data.unitId : undefined) ??
        viaAssignment ??
        returnedLead ??
        (e.actorId ? staffUnit.get(e.actorId) ?? null : null);
    }
    const c = bucket(key);
    if (!c) continue;
    if (e.action === 'return') c.returnsRequested++;
    else if (e.action === 'approve_return') c.returnsApproved++;
    else c.reopensApproved++;
  }

  // Whistle report punctuality.
  const now = opts.now ?? new Date();
  for (const t of tasks) {
    if (!t.reportedAt && t.reportDueAt > now) continue; // still open: neither on time nor late yet
    let key: string | null;
    if (level === 'unit') key = t.unitId;
    else {
      const area = t.whistle.areaCode;
      const lvl = area ? u.areaLevel.get(area) : undefined;
      if (level === 'street') key = lvl === 'street' ? area : null;
      else key = lvl === 'district' ? area : area ? u.streetDistrict.get(area) ?? null : null;
    }
    const c = bucket(key);
    if (!c) continue;
    c.whistleTasksDue++;
    if (t.reportedAt && t.reportedAt <= t.reportDueAt) c.whistleReportedOnTime++;
  }

  const rows: AssessmentRow[] = [...u.rows].map(([code, r]) => {
    const c = r.counts;
    const response = ratio(c.contacted, c.valid);
    const resolution = weightedRatio([[1, c.solved], [weights.partly, c.partly]], c.valid);
    const satisfaction = weightedRatio([[1, c.satisfied], [weights.basically, c.basically]], c.valid);
    return {
      level, code, name: r.name, parentCode: r.parentCode, typeCode: r.typeCode, ...c,
      response, resolution, satisfaction,
      composite: weightedSum([[weights.response, response], [weights.resolution, resolution], [weights.satisfaction, satisfaction]]),
      onTimeRate: ratio(c.onTimeResolved, c.resolvedAssignments),
      reopenRate: ratio(c.reopensApproved, c.ratedPetitions),
      whistlePunctuality: ratio(c.whistleReportedOnTime, c.whistleTasksDue),
    };
  });
  rows.sort((a, b) => a.code.localeCompare(b.code));
  return { level, period, weights, rows };
}

export interface RankedRow extends AssessmentRow {
  /** 1-based; ties share a rank (1, 2, 2, 4); units are ranked within their type. null when there was no valid callback. */
  rank: number | null;
  previousRank: number | null;
  /** previousRank − rank: positive = moved up. null when either is missing. */
  rankDelta: number | null;
  previousComposite: Ratio | null;
  compositeDelta: Ratio | null;
}

export interface Ranking {
  level: Level;
  period: Period;
  previousPeriod: Period;
  weights: Weights;
  /** ranked rows first (best first), then rows without callbacks (by code); units grouped by type, ranked within it */
  rows: RankedRow[];
}

/** Units are ranked among units of the same type; areas among all areas of the level. */
const rankGroup = (r: AssessmentRow) => (r.level === 'unit' ? r.typeCode ?? '' : '');

function assignRanks(rows: AssessmentRow[]): Map<string, number> {
  const ranks = new Map<string, number>();
  const groups = new Map<string, AssessmentRow[]>();
  for (const r of rows) if (r.composite) groups.set(rankGroup(r), [...(groups.get(rankGroup(r)) ?? []), r]);
  for (const rated of groups.values()) {
    rated.sort((a, b) => compare(b.composite!, a.composite!) || b.valid - a.valid || a.code.localeCompare(b.code));
    rated.forEach((r, i) => {
      const prev = rated[i - 1];
      ranks.set(r.code, prev && compare(prev.composite!, r.composite!) === 0 ? ranks.get(prev.code)! : i + 1);
    });
  }
  return ranks;
}

/** Assess this period and the previous one and rank by composite. */
export async function rank(db: PrismaClient, opts: AssessOptions): Promise<Ranking> {
  const current = await assess(db, opts);
  const previous = await assess(db, { ...opts, period: previousPeriod(opts.period) });
  const ranks = assignRanks(current.rows);
  const prevRanks = assignRanks(previous.rows);
  const prevByCode = new Map(previous.rows.map((r) => [r.code, r]));
  const rows: RankedRow[] = current.rows.map((r) => {
    const rk = ranks.get(r.code) ?? null;
    const pr = prevRanks.get(r.code) ?? null;
    const prevComposite = prevByCode.get(r.code)?.composite ?? null;
    return {
      ...r,
      rank: rk,
      previousRank: pr,
      rankDelta: rk !== null && pr !== null ? pr - rk : null,
      previousComposite: prevComposite,
      compositeDelta: subtract(r.composite, prevComposite),
    };
  });
  rows.sort(
    (a, b) =>
      rankGroup(a).localeCompare(rankGroup(b)) ||
      (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
      (a.rank === null ? a.code.localeCompare(b.code) : compare(b.composite!, a.composite!) || b.valid - a.valid || a.code.localeCompare(b.code)),
  );
  return { level: current.level, period: current.period, previousPeriod: previous.period, weights: current.weights, rows };
}

export interface TrendOptions extends Omit<AssessOptions, 'period'> {
  /** the entity: unit id, street code or district code */
  code: string;
  /** last period of the trend */
  period: string;
  /** number of periods, oldest first; default 6 */
  count?: number;
}

export interface TrendRow {
  period: string;
  row: AssessmentRow | null;
}

/** One entity's figures over the last `count` periods (oldest first). */
export async function trend(db: PrismaClient, opts: TrendOptions): Promise<TrendRow[]> {
  const keys = Array.from({ length: opts.count ?? 6 }, (_, i) => shiftPeriod(opts.period, i)).reverse();
  const out: TrendRow[] = [];
  for (const key of keys) out.push({ period: key, row: (await assess(db, { ...opts, period: key })).rows.find((r) => r.code === opts.code) ?? null });
  return out;
}
