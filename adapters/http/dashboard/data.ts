/**
 * What the dashboard shows, computed from core/insight: the same tables feed
 * the HTML page, the CSV exports and the chart images, so the three always
 * agree. Results are cached per period for `cacheMs` (rankings read a whole
 * period of ratings).
 */
import { stewardStats, type StewardRow, type StewardStats } from '../../../core/insight/stewards.js';
import type { PrismaClient } from '../../../core/db.js';
import { rank, type RankedRow, type Ranking, type Level } from '../../../core/insight/assessment.js';
import { hotspots, monthOverMonth, proposeMonthlyTopics, type Hotspot, type TopicCandidate } from '../../../core/insight/hotspots.js';
import type { CsvColumn } from '../../../core/insight/csv.js';
import { formatRatio, type Ratio } from '../../../core/insight/ratio.js';
import { periodRange, type PeriodOptions } from '../../../core/insight/period.js';
import type { Weights } from '../../../core/insight/weights.js';
import { PETITION_STATUSES } from '../../../core/metrics.js';

export interface DashboardData {
  period: string;
  streets: Ranking;
  units: Ranking;
  districts: Ranking;
  hotspots: Hotspot[];
  topics: TopicCandidate[];
  states: { status: string; count: number }[];
  /** department type code → Chinese name (unit rankings are per type) */
  typeNames: Record<string, string>;
  /** 小巷管家 reports of the period and their outcomes */
  stewards: StewardStats;
}

export const stewardColumns: CsvColumn<StewardRow>[] = [
  { header: '小巷管家', value: (r) => r.name ?? r.stewardId },
  { header: '街乡', value: (r) => r.areaCode ?? '' },
  { header: '上报', value: 'reports' },
  { header: '办结', value: 'resolved' },
  { header: '回访解决', value: 'solved' },
  { header: '平均办结用时(小时)', value: (r) => (r.avgHours === null ? '' : r.avgHours.toFixed(1)) },
];

const pct = (r: Ratio | null) => formatRatio(r, 'percent', 2);
const fr = (r: Ratio | null) => formatRatio(r, 'fraction');

export const STATUS_ZH: Record<string, string> = {
  received: '已受理', needs_info: '待补充', dispatched: '已派单', accepted: '已接单', in_progress: '办理中',
  resolved: '已办结', rated: '已评价', closed: '已关闭', returned: '已退单', reopen_requested: '申请重办',
  reopened: '已重办', merged: '已合并', withdrawn: '已撤回', redirected: '已转办',
};

/** Columns of a ranking table (HTML and CSV). */
export function rankingColumns(level: Level): CsvColumn<RankedRow>[] {
  return [
    { header: '排名', value: (r) => r.rank ?? '' },
    { header: '名次变化', value: (r) => r.rankDelta ?? '' },
    { header: level === 'unit' ? '单位' : level === 'street' ? '街乡' : '区', value: 'name' },
    { header: '代码', value: 'code' },
    ...(level === 'unit' ? [{ header: '类型', value: 'typeCode' as const }] : []),
    { header: '有效回访', value: 'valid' },
    { header: '响应率', value: (r) => pct(r.response) },
    { header: '解决率', value: (r) => pct(r.resolution) },
    { header: '满意率', value: (r) => pct(r.satisfaction) },
    { header: '综合成绩', value: (r) => pct(r.composite) },
    { header: '综合成绩(分数)', value: (r) => fr(r.composite) },
    { header: '综合变化', value: (r) => (r.compositeDelta ? `${(r.compositeDelta.value * 100).toFixed(2)}` : '') },
    { header: '已联系', value: 'contacted' },
    { header: '解决', value: 'solved' },
    { header: '部分解决', value: 'partly' },
    { header: '满意', value: 'satisfied' },
    { header: '基本满意', value: 'basically' },
    { header: '不满意', value: 'dissatisfied' },
    { header: '按时办结率', value: (r) => pct(r.onTimeRate) },
    { header: '退单申请', value: 'returnsRequested' },
    { header: '重办率', value: (r) => pct(r.reopenRate) },
    { header: '吹哨报到准时率', value: (r) => pct(r.whistlePunctuality) },
    { header: '诉求量', value: 'volume' },
  ];
}

/** +25% / −10% / 新增 (nothing the period before). */
export const growthText = (r: Ratio | null) => (r ? `${r.value >= 0 ? '+' : ''}${(r.value * 100).toFixed(0)}%` : '新增');

export const hotspotColumns: CsvColumn<Hotspot>[] = [
  { header: '街乡', value: 'streetName' },
  { header: '街乡代码', value: 'streetCode' },
  { header: '类别', value: 'categoryName' },
  { header: '本期件数', value: 'volume' },
  { header: '前期', value: (h) => h.previous.map((p) => `${p.period}:${p.volume}`).join(' ') },
  { header: '环比（较上期）', value: (h) => growthText(monthOverMonth(h)) },
  { header: '较前3期均值', value: (h) => growthText(h.growth) },
  { header: '去年同期', value: (h) => h.lastYear.volume },
  { header: '重复诉求', value: 'repeatPetitions' },
  { header: '重复率', value: (h) => pct(h.repeatRate) },
  { header: '示例工单', value: (h) => h.examples.join(' ') },
  { header: '说明', value: 'explanation' },
];

export const topicColumns: CsvColumn<TopicCandidate>[] = [
  { header: '类别', value: 'categoryName' },
  { header: '件数', value: 'volume' },
  { header: '环比（较上期）', value: (t) => growthText(monthOverMonth(t)) },
  { header: '较前3期均值', value: (t) => growthText(t.growth) },
  { header: '涉及街乡', value: 'streetsAffected' },
  { header: '建议牵头', value: (t) => t.leadDepartmentType.nameZh },
  { header: '说明', value: 'explanation' },
];

export const stateColumns: CsvColumn<{ status: string; count: number }>[] = [
  { header: '状态', value: (s) => STATUS_ZH[s.status] ?? s.status },
  { header: 'status', value: 'status' },
  { header: '件数', value: 'count' },
];

export function createDashboardData(db: PrismaClient, opts: PeriodOptions & { cacheMs?: number; weights?: Partial<Weights> } = {}) {
  const cache = new Map<string, { at: number; data: Promise<DashboardData> }>();
  const ttl = opts.cacheMs ?? 60_000;

  async function compute(period: string): Promise<DashboardData> {
    const p = { ...opts, period };
    const { start, end } = periodRange(period, opts);
    const [streets, units, districts, hs, topics, groups, types, stewards] = await Promise.all([
      rank(db, { ...p, level: 'street' }),
      rank(db, { ...p, level: 'unit' }),
      rank(db, { ...p, level: 'district' }),
      hotspots(db, { ...p, limit: 20 }),
      proposeMonthlyTopics(db, period, opts),
      db.petition.groupBy({ by: ['status'], where: { createdAt: { gte: start, lt: end } }, _count: { _all: true } }),
      db.departmentType.findMany({ select: { code: true, nameZh: true } }),
      stewardStats(db, p),
    ]);
    const counts = new Map(groups.map((g) => [g.status as string, g._count._all]));
    return {
      period, streets, units, districts, hotspots: hs, topics,
      states: PETITION_STATUSES.map((s) => ({ status: s, count: counts.get(s) ?? 0 })),
      typeNames: { district_gov: '区政府', ...Object.fromEntries(types.map((t) => [t.code, t.nameZh])) },
      stewards,
    };
  }

  return {
    get(period: string, now = Date.now()): Promise<DashboardData> {
      const hit = cache.get(period);
      if (hit && now - hit.at < ttl) return hit.data;
      const data = compute(period);
      cache.set(period, { at: now, data });
      data.catch(() => cache.delete(period));
      return data;
    },
  };
}

/** What did not reach a person by itself (core/alerts.ts), newest first, and the units no card can reach. */
export interface AlertsView {
  alerts: { kind: string; createdAt: Date; notifiedAt: Date | null; areaCode: string | null; number: string | null; detail: string }[];
  unbound: { unitId: string; name: string; open: number; numbers: string[] }[];
}

export const ALERT_KIND_ZH: Record<string, string> = {
  send_failed: '消息未送达', intake_failed: '来信无法处理', no_recipient: '通知无人接收', unbound_unit: '未绑定单位',
};

/** Read fresh on every page view (not cached with the rankings): a failure shows at once. */
export async function loadAlerts(db: PrismaClient, limit = 200): Promise<AlertsView> {
  const [alerts, unbound] = await Promise.all([
    db.$queryRaw<AlertsView['alerts']>`
      SELECT a.kind, a."createdAt", a."notifiedAt", a."areaCode", p.number, a.detail
        FROM "Alert" a LEFT JOIN "Petition" p ON p.id = a."petitionId"
       ORDER BY a."createdAt" DESC, a.id LIMIT ${limit}`,
    db.$queryRaw<{ unitId: string; name: string; open: number; numbers: string[] }[]>`
      SELECT u.id AS "unitId", u.name, count(*)::int AS open, (array_agg(p.number ORDER BY p.number DESC))[1:5] AS numbers
        FROM "Assignment" a JOIN "Unit" u ON u.id = a."unitId" JOIN "Petition" p ON p.id = a."petitionId"
       WHERE a.status IN ('dispatched', 'accepted', 'in_progress')
         AND NOT EXISTS (SELECT 1 FROM "ChatBinding" b WHERE b."unitId" = u.id)
         AND NOT EXISTS (SELECT 1 FROM "Staff" s WHERE s."unitId" = u.id AND s.role::text IN ('staff', 'coordinator', 'admin'))
       GROUP BY u.id, u.name ORDER BY open DESC, u.id LIMIT 100`,
  ]);
  return { alerts, unbound };
}
