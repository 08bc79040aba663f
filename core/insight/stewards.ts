/**
 * 小巷管家 figures: the reports stewards filed in a period, how many were answered (办结), how many
 * the rating calls solved, and the average time from report to answer. Straight from the record
 * (Petition.stewardId, resolvedAt, the latest rating), per steward and in all.
 */
import type { PrismaClient } from '../db.js';
import { periodRange, type PeriodOptions } from './period.js';

export interface StewardRow {
  stewardId: string;
  name: string | null;
  areaCode: string | null;
  reports: number;
  resolved: number;
  solved: number;
  /** average hours from report to answer, over the answered ones; null when none is answered */
  avgHours: number | null;
}

export interface StewardStats {
  period: string;
  total: Omit<StewardRow, 'stewardId' | 'name' | 'areaCode'>;
  rows: StewardRow[];
}

export async function stewardStats(db: PrismaClient, opts: PeriodOptions & { period: string; code?: string }): Promise<StewardStats> {
  const { start, end } = periodRange(opts.period, opts);
  const area = opts.code ?? null;
  const rows = await db.$queryRaw<{ stewardId: string; name: string | null; areaCode: string | null; reports: bigint; resolved: bigint; solved: bigint; hours: number | null }[]>`
    SELECT p."stewardId", s."displayName" AS name, s."areaCode",
           count(*) AS reports,
           count(p."resolvedAt") AS resolved,
           count(*) FILTER (WHERE r.solved = 'solved') AS solved,
           avg(EXTRACT(EPOCH FROM (p."resolvedAt" - p."createdAt")) / 3600) FILTER (WHERE p."resolvedAt" IS NOT NULL)::float8 AS hours
      FROM "Petition" p
      LEFT JOIN "Staff" s ON s.id = p."stewardId"
      LEFT JOIN LATERAL (SELECT solved FROM "Rating" WHERE "petitionId" = p.id AND "ratedAt" IS NOT NULL ORDER BY round DESC LIMIT 1) r ON true
     WHERE p."stewardId" IS NOT NULL AND p."createdAt" >= ${start} AND p."createdAt" < ${end}
       AND (${area}::text IS NULL OR p."streetCode" = ${area} OR p."districtCode" = ${area})
     GROUP BY p."stewardId", s."displayName", s."areaCode"
     ORDER BY count(*) DESC, p."stewardId"`;
  const out = rows.map((r) => ({ stewardId: r.stewardId, name: r.name, areaCode: r.areaCode, reports: Number(r.reports), resolved: Number(r.resolved), solved: Number(r.solved), avgHours: r.hours }));
  const answered = out.reduce((n, r) => n + r.resolved, 0);
  const hours = out.reduce((n, r) => n + (r.avgHours ?? 0) * r.resolved, 0);
  return {
    period: opts.period,
    total: { reports: out.reduce((n, r) => n + r.reports, 0), resolved: answered, solved: out.reduce((n, r) => n + r.solved, 0), avgHours: answered ? hours / answered : null },
    rows: out,
  };
}
