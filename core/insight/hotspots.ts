/**
 * 未诉先办 and 每月一题: where complaints concentrate, whether that is new,
 * seasonal or the same residents coming back — each figure with the counts
 * and example petition numbers behind it, never a bare score.
 *
 * Counting rules: a petition counts in the period its `createdAt` falls in,
 * under its categoryCode × streetCode; redirected petitions (not a city
 * matter) are left out, merged duplicates are kept (they measure intensity).
 * A repeat is a petition whose resident filed the same category in the same
 * street earlier (within `repeatWindowDays`, default 365, including earlier in
 * the same period).
 */
import type { PrismaClient } from '../db.js';
import { AppError } from '../errors.js';
import { periodRange, shiftPeriod, type PeriodOptions } from './period.js';
import { ratio, formatRatio, type Ratio } from './ratio.js';

const EXCLUDED_STATUSES = ['redirected'] as const;
const DAY_MS = 86_400_000;

export interface HotspotOptions extends PeriodOptions {
  period: string;
  /** previous periods averaged for growth; default 3 */
  lookback?: number;
  repeatWindowDays?: number;
  /** smallest volume worth listing; default 2 */
  minVolume?: number;
  /** rows returned; default 50 */
  limit?: number;
  /** how many example petition numbers per row; default 3 */
  examples?: number;
  districtCode?: string;
  streetCode?: string;
  categoryCode?: string;
}

export interface PeriodVolume {
  period: string;
  volume: number;
}

export interface Hotspot {
  categoryCode: string;
  categoryName: string;
  streetCode: string;
  streetName: string;
  districtCode: string | null;
  period: string;
  volume: number;
  /** the `lookback` previous periods, most recent first */
  previous: PeriodVolume[];
  /** mean volume of the previous periods */
  previousAverage: Ratio;
  /** (volume − previousAverage) ÷ previousAverage; null when there were none before */
  growth: Ratio | null;
  /** the same period a year earlier */
  lastYear: PeriodVolume;
  /** volume ÷ last year's volume; null when last year had none */
  seasonality: Ratio | null;
  repeatPetitions: number;
  repeatRate: Ratio | null;
  /** petition numbers, latest first */
  examples: string[];
  /** one sentence in Chinese with the counts above */
  explanation: string;
}

type Key = string;
const keyOf = (cat: string, street: string): Key => `${cat}|${street}`;

interface Names {
  category: Map<string, { nameZh: string; handler: string }>;
  area: Map<string, { name: string; parentCode: string | null }>;
}

async function loadNames(db: PrismaClient): Promise<Names> {
  const [cats, areas] = await Promise.all([
    db.category.findMany({ select: { code: true, nameZh: true, handler: true } }),
    db.area.findMany({ select: { code: true, name: true, parentCode: true } }),
  ]);
  return {
    category: new Map(cats.map((c) => [c.code, { nameZh: c.nameZh, handler: c.handler }])),
    area: new Map(areas.map((a) => [a.code, { name: a.name, parentCode: a.parentCode }])),
  };
}

interface Filter {
  districtCode?: string;
  streetCode?: string;
  categoryCode?: string;
}

function petitionWhere(start: Date, end: Date, f: Filter) {
  return {
    createdAt: { gte: start, lt: end },
    status: { notIn: [...EXCLUDED_STATUSES] },
    categoryCode: f.categoryCode ?? { not: null },
    streetCode: f.streetCode ?? { not: null },
    ...(f.districtCode ? { districtCode: f.districtCode } : {}),
  };
}

/** Volume per category × street for one period. */
async function volumes(db: PrismaClient, key: string, o: PeriodOptions, f: Filter): Promise<Map<Key, number>> {
  const p = periodRange(key, o);
  const groups = await db.petition.groupBy({ by: ['categoryCode', 'streetCode'], where: petitionWhere(p.start, p.end, f), _count: { _all: true } });
  return new Map(groups.map((g) => [keyOf(g.categoryCode!, g.streetCode!), g._count._all]));
}

interface Filed {
  id: string;
  number: string;
  residentId: string | null;
  categoryCode: string | null;
  streetCode: string | null;
  createdAt: Date;
}

/** Which of `current` repeat an earlier petition of the same resident, category and street. */
async function findRepeats(db: PrismaClient, current: Filed[], windowDays: number): Promise<Set<string>> {
  const residents = [...new Set(current.map((p) => p.residentId).filter((r): r is string => !!r))];
  if (!residents.length) return new Set();
  const times = current.map((p) => p.createdAt.getTime());
  const earliest = times.reduce((a, b) => Math.min(a, b), Infinity) - windowDays * DAY_MS;
  const latest = times.reduce((a, b) => Math.max(a, b), -Infinity);
  // chunked: Postgres caps a statement at 32,767 parameters
  const history: { residentId: string | null; categoryCode: string | null; streetCode: string | null; createdAt: Date }[] = [];
  for (let i = 0; i < residents.length; i += 5000) {
    history.push(
      ...(await db.petition.findMany({
        where: { residentId: { in: residents.slice(i, i + 5000) }, createdAt: { gte: new Date(earliest), lte: new Date(latest) }, categoryCode: { not: null }, streetCode: { not: null } },
        select: { residentId: true, categoryCode: true, streetCode: true, createdAt: true },
      })),
    );
  }
  const byKey = new Map<string, number[]>();
  for (const h of history) {
    const k = `${h.residentId}|${h.categoryCode}|${h.streetCode}`;
    const list = byKey.get(k) ?? [];
    list.push(h.createdAt.getTime());
    byKey.set(k, list);
  }
  const repeats = new Set<string>();
  for (const p of current) {
    if (!p.residentId) continue;
    const t = p.createdAt.getTime();
    const earlier = byKey.get(`${p.residentId}|${p.categoryCode}|${p.streetCode}`) ?? [];
    if (earlier.some((e) => e < t && e >= t - windowDays * DAY_MS)) repeats.add(p.id);
  }
  return repeats;
}

const pct = (r: Ratio | null) => formatRatio(r, 'percent', 0);
const signedPct = (r: Ratio | null) => (r ? `${r.value >= 0 ? '+' : ''}${pct(r)}` : '—');

function averageOf(prev: PeriodVolume[]): Ratio {
  return ratio(prev.reduce((s, p) => s + p.volume, 0), Math.max(prev.length, 1))!;
}

/** 环比: (this period − the previous one) ÷ the previous one; null when the previous one had none. */
export function monthOverMonth(h: { volume: number; previous: PeriodVolume[] }): Ratio | null {
  const last = h.previous[0]?.volume ?? 0;
  return ratio(h.volume - last, last);
}

function growthOf(volume: number, prev: PeriodVolume[]): Ratio | null {
  const sum = prev.reduce((s, p) => s + p.volume, 0);
  // (v − sum/n) ÷ (sum/n) = (n·v − sum) ÷ sum
  return ratio(prev.length * volume - sum, sum);
}

/** Category × street hotspots for a period, biggest first. */
export async function hotspots(db: PrismaClient, opts: HotspotOptions): Promise<Hotspot[]> {
  const lookback = opts.lookback ?? 3;
  const minVolume = opts.minVolume ?? 2;
  const nExamples = opts.examples ?? 3;
  const f: Filter = { districtCode: opts.districtCode, streetCode: opts.streetCode, categoryCode: opts.categoryCode };
  const names = await loadNames(db);
  const prevKeys = Array.from({ length: lookback }, (_, i) => shiftPeriod(opts.period, i + 1));
  const lastYearKey = shiftPeriod(opts.period, 12);
  const [cur, lastYear, ...prev] = await Promise.all([opts.period, lastYearKey, ...prevKeys].map((k) => volumes(db, k, opts, f)));

  const candidates = [...cur!]
    .filter(([, v]) => v >= minVolume)
    .map(([k, volume]) => {
      const [categoryCode, streetCode] = k.split('|') as [string, string];
      const previous = prevKeys.map((pk, i) => ({ period: pk, volume: prev[i]!.get(k) ?? 0 }));
      return { k, categoryCode, streetCode, volume, previous, growth: growthOf(volume, previous) };
    })
    .sort((a, b) => b.volume - a.volume || (b.growth?.value ?? Infinity) - (a.growth?.value ?? Infinity) || a.k.localeCompare(b.k))
    .slice(0, opts.limit ?? 50);
  if (!candidates.length) return [];

  const p = periodRange(opts.period, opts);
  const filed = await db.petition.findMany({
    where: { ...petitionWhere(p.start, p.end, {}), OR: candidates.map((c) => ({ categoryCode: c.categoryCode, streetCode: c.streetCode })) },
    select: { id: true, number: true, residentId: true, categoryCode: true, streetCode: true, createdAt: true },
    orderBy: { createdAt: 'desc' },
  });
  const repeats = await findRepeats(db, filed, opts.repeatWindowDays ?? 365);
  const byKey = new Map<Key, Filed[]>();
  for (const x of filed) {
    const k = keyOf(x.categoryCode!, x.streetCode!);
    byKey.set(k, [...(byKey.get(k) ?? []), x]);
  }

  return candidates.map((c) => {
    const list = byKey.get(c.k) ?? [];
    const repeatPetitions = list.filter((x) => repeats.has(x.id)).length;
    const ly = { period: lastYearKey, volume: lastYear!.get(c.k) ?? 0 };
    const street = names.area.get(c.streetCode);
    const categoryName = names.category.get(c.categoryCode)?.nameZh ?? c.categoryCode;
    const streetName = street?.name ?? c.streetCode;
    const previousAverage = averageOf(c.previous);
    const repeatRate = ratio(repeatPetitions, c.volume);
    const seasonality = ratio(c.volume, ly.volume);
    const examples = list.slice(0, nExamples).map((x) => x.number);
    const explanation =
      `${streetName}「${categoryName}」${opts.period} 期 ${c.volume} 件；` +
      `前 ${lookback} 期 ${c.previous.map((x) => x.volume).join('/')} 件，平均 ${previousAverage.value.toFixed(1)} 件，` +
      `变化 ${c.growth ? signedPct(c.growth) : '（此前无）'}；` +
      `去年同期 ${ly.volume} 件${seasonality ? `（为去年的 ${pct(seasonality)}）` : ''}；` +
      `重复诉求 ${repeatPetitions} 件（${pct(repeatRate)}）；例：${examples.join('、')}`;
    return {
      categoryCode: c.categoryCode, categoryName, streetCode: c.streetCode, streetName,
      districtCode: street?.parentCode ?? null, period: opts.period, volume: c.volume, previous: c.previous,
      previousAverage, growth: c.growth, lastYear: ly, seasonality, repeatPetitions, repeatRate, examples, explanation,
    };
  });
}

// ---------------------------------------------------------------- 每月一题

export interface TopicCandidate {
  categoryCode: string;
  categoryName: string;
  /** the department type that should lead the topic (Category.handler) */
  leadDepartmentType: { code: string; nameZh: string };
  volume: number;
  previous: PeriodVolume[];
  growth: Ratio | null;
  lastYear: PeriodVolume;
  repeatPetitions: number;
  repeatRate: Ratio | null;
  streetsAffected: number;
  topStreets: { streetCode: string; streetName: string; volume: number }[];
  examples: string[];
  explanation: string;
}

export interface TopicOptions extends PeriodOptions {
  /** 2–3 candidates; default 3 */
  count?: number;
  lookback?: number;
  repeatWindowDays?: number;
  /** categories never proposed (default: `other`) */
  exclude?: string[];
}

/**
 * 每月一题 candidates from the period's data: the categories with the most
 * petitions city-wide, each with its lead department type, the streets where
 * it concentrates and the evidence. Success is later measured as a falling
 * volume, so the trend is part of every candidate.
 */
export async function proposeMonthlyTopics(db: PrismaClient, period: string, opts: TopicOptions = {}): Promise<TopicCandidate[]> {
  const count = opts.count ?? 3;
  if (count < 1) throw new AppError('invalid_option', 'count must be at least 1');
  const lookback = opts.lookback ?? 3;
  const exclude = new Set(opts.exclude ?? ['other']);
  const names = await loadNames(db);
  const types = new Map((await db.departmentType.findMany()).map((t) => [t.code, t.nameZh]));
  const prevKeys = Array.from({ length: lookback }, (_, i) => shiftPeriod(period, i + 1));
  const lastYearKey = shiftPeriod(period, 12);
  const [cur, lastYear, ...prev] = await Promise.all([period, lastYearKey, ...prevKeys].map((k) => volumes(db, k, opts, {})));

  const byCategory = new Map<string, { volume: number; streets: Map<string, number> }>();
  for (const [k, v] of cur!) {
    const [cat, street] = k.split('|') as [string, string];
    if (exclude.has(cat)) continue;
    const e = byCategory.get(cat) ?? { volume: 0, streets: new Map() };
    e.volume += v;
    e.streets.set(street, v);
    byCategory.set(cat, e);
  }
  const sumFor = (m: Map<Key, number>, cat: string) => [...m].reduce((s, [k, v]) => (k.startsWith(`${cat}|`) ? s + v : s), 0);
  const picked = [...byCategory]
    .sort((a, b) => b[1].volume - a[1].volume || a[0].localeCompare(b[0]))
    .slice(0, count);

  const p = periodRange(period, opts);
  const out: TopicCandidate[] = [];
  for (const [cat, e] of picked) {
    const filed = await db.petition.findMany({
      where: { ...petitionWhere(p.start, p.end, { categoryCode: cat }) },
      select: { id: true, number: true, residentId: true, categoryCode: true, streetCode: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
    });
    const repeats = await findRepeats(db, filed, opts.repeatWindowDays ?? 365);
    const previous = prevKeys.map((pk, i) => ({ period: pk, volume: sumFor(prev[i]!, cat) }));
    const growth = growthOf(e.volume, previous);
    const ly = { period: lastYearKey, volume: sumFor(lastYear!, cat) };
    const topStreets = [...e.streets]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 3)
      .map(([code, volume]) => ({ streetCode: code, streetName: names.area.get(code)?.name ?? code, volume }));
    const c = names.category.get(cat);
    const handler = c?.handler ?? 'street_office';
    const repeatRate = ratio(repeats.size, e.volume);
    const categoryName = c?.nameZh ?? cat;
    const leadName = types.get(handler) ?? handler;
    const examples = filed.slice(0, 3).map((x) => x.number);
    out.push({
      categoryCode: cat, categoryName, leadDepartmentType: { code: handler, nameZh: leadName },
      volume: e.volume, previous, growth, lastYear: ly, repeatPetitions: repeats.size, repeatRate,
      streetsAffected: e.streets.size, topStreets, examples,
      explanation:
        `「${categoryName}」${period} 期全市 ${e.volume} 件，涉及 ${e.streets.size} 个街乡；` +
        `前 ${lookback} 期 ${previous.map((x) => x.volume).join('/')} 件，变化 ${signedPct(growth)}；去年同期 ${ly.volume} 件；` +
        `重复诉求 ${repeats.size} 件（${pct(repeatRate)}）；集中在 ${topStreets.map((s) => `${s.streetName} ${s.volume} 件`).join('、')}；` +
        `建议牵头：${leadName}；例：${examples.join('、')}`,
    });
  }
  return out;
}
