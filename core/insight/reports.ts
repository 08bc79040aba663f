/**
 * Ready-to-send chat reports for `/stats`, `/hotspots`, the monthly report
 * to coordinators and the weekly 每月一题 proposal: text that stands on its
 * own (adapters without photos send only the text) plus a PNG chart. If the
 * chart cannot be rendered (e.g. no CJK font) the report goes out as text and
 * the failure is logged.
 */
import { DateTime } from 'luxon';
import type { OutboundMessage } from '../channel.js';
import type { PrismaClient } from '../db.js';
import type { Logger } from '../log.js';
import { rank, trend, type AssessmentCache, type Level, type Weights } from './assessment.js';
import { hotspotTablePng, rankingChartPng, rateTrendPng, trendPoints } from './charts.js';
import { hotspots, proposeMonthlyTopics } from './hotspots.js';
import { DEFAULT_TIME_ZONE, type PeriodOptions } from './period.js';
import { formatRatio, type Ratio } from './ratio.js';

export type Report = Omit<OutboundMessage, 'chatId'>;

const pct = (r: Ratio | null) => formatRatio(r, 'percent', 2);
const LEVEL_ZH: Record<Level, string> = { street: '街乡镇', unit: '承办单位', district: '区' };

async function withChart(text: string, render: () => Promise<Buffer>, filename: string, logger?: Logger): Promise<Report> {
  try {
    return { text, photo: { png: await render(), filename } };
  } catch (err) {
    logger?.warn({ err, filename }, 'chart rendering failed; sending text only');
    return { text };
  }
}

export interface StatsReportOptions extends PeriodOptions {
  level: Level;
  period: string;
  /** one unit/street/district: its figures and trend; absent: the top of the ranking */
  code?: string;
  /** with no `code`: only rows under this parent (a district's streets), ranked among themselves */
  parentCode?: string;
  /** false: the text alone (no chart to render) */
  chart?: boolean;
  /** reuse assessments of ended periods (createAssessmentCache) */
  cache?: AssessmentCache;
  typeCode?: string;
  top?: number;
  logger?: Logger;
  weights?: Partial<Weights>;
}

/** `/stats`: one entity's three rates with rank and trend, or the ranking top. */
export async function statsReport(db: PrismaClient, o: StatsReportOptions): Promise<Report> {
  const ranking = await rank(db, o);
  if (o.code) {
    const row = ranking.rows.find((r) => r.code === o.code);
    if (!row) return { text: `未找到 ${o.code} 的考核数据。` };
    const ranked = ranking.rows.filter((r) => r.rank !== null).length;
    const change = row.rankDelta === null ? '' : row.rankDelta > 0 ? `，较上期上升 ${row.rankDelta} 名` : row.rankDelta < 0 ? `，较上期下降 ${-row.rankDelta} 名` : '，名次持平';
    const text = [
      `📊 ${row.name} ${o.period} 期（${DateTime.fromJSDate(ranking.period.start, { zone: o.timeZone ?? DEFAULT_TIME_ZONE }).toISODate()} 起）`,
      row.rank ? `综合成绩 ${pct(row.composite)}，${LEVEL_ZH[o.level]}第 ${row.rank}/${ranked} 名${change}` : '本期无有效回访，不参与排名',
      `有效回访 ${row.valid} 件：响应率 ${pct(row.response)}（${row.contacted}/${row.valid}），解决率 ${pct(row.resolution)}（${row.solved}/${row.valid}），满意率 ${pct(row.satisfaction)}`,
      `按时办结率 ${pct(row.onTimeRate)}，退单 ${row.returnsRequested} 件，重办率 ${pct(row.reopenRate)}，吹哨报到准时率 ${pct(row.whistlePunctuality)}`,
    ].join('\n');
    if (o.chart === false) return { text };
    return withChart(
      text,
      async () => rateTrendPng(trendPoints(await trend(db, { ...o, code: o.code!, count: 6 })), { title: `${row.name} 三率趋势` }),
      `trend-${o.period}.png`,
      o.logger,
    );
  }
  const within = o.parentCode ? ranking.rows.filter((r) => r.parentCode === o.parentCode) : ranking.rows;
  const ranked = within.filter((r) => r.rank !== null);
  const top = ranked.slice(0, o.top ?? 10);
  const overall = (r: { rank: number | null }) => (o.parentCode ? `（全市第 ${r.rank} 名）` : '');
  const text = [
    `📊 ${o.period} 期${o.parentCode ? '辖区' : ''}${LEVEL_ZH[o.level]}三率排名（前 ${top.length} 名${o.parentCode ? `，共 ${within.length} 个，${ranked.length} 个有有效回访` : ''}）`,
    ...top.map(
      (r, i) =>
        `${o.parentCode ? i + 1 : r.rank}. ${r.name} ${pct(r.composite)}（回访 ${r.valid}）${overall(r)}${r.rankDelta ? (r.rankDelta > 0 ? ` ↑${r.rankDelta}` : ` ↓${-r.rankDelta}`) : ''}`,
    ),
  ].join('\n');
  return withChart(text, () => rankingChartPng({ ...ranking, rows: within }, { top: o.top ?? 10 }), `ranking-${o.period}.png`, o.logger);
}

export interface HotspotReportOptions extends PeriodOptions {
  period: string;
  streetCode?: string;
  districtCode?: string;
  top?: number;
  logger?: Logger;
}

/** `/hotspots`: the biggest category × street concentrations with their evidence. */
export async function hotspotReport(db: PrismaClient, o: HotspotReportOptions): Promise<Report> {
  const rows = await hotspots(db, { ...o, limit: o.top ?? 5 });
  if (!rows.length) return { text: `${o.period} 期暂无热点诉求。` };
  const text = [`🔥 ${o.period} 期热点诉求`, ...rows.map((h, i) => `${i + 1}. ${h.explanation}`)].join('\n');
  return withChart(text, async () => hotspotTablePng(rows), `hotspots-${o.period}.png`, o.logger);
}

/** Weekly 每月一题 proposal to coordinators. */
export async function topicsReport(db: PrismaClient, period: string, o: PeriodOptions & { count?: number } = {}): Promise<Report> {
  const topics = await proposeMonthlyTopics(db, period, o);
  if (!topics.length) return { text: `${period} 期数据不足，暂无每月一题候选。` };
  return {
    text: [`📌 每月一题候选（依据 ${period} 期数据）`, ...topics.map((t, i) => `${i + 1}. ${t.explanation}`)].join('\n'),
  };
}
