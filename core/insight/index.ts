/**
 * Insight: what leaders look at (三率 assessment and rankings, hotspots,
 * 每月一题 candidates), rendered as chat reports, PNG charts
 * and CSV. Pure functions over the database and an explicit `now`/period;
 * scheduling lives in jobs/.
 *
 * Period convention (period.ts): "YYYY-MM" is the month the period ends in;
 * with the default start day 19, "2026-11" = 2026-10-19 00:00 → 2026-11-19
 * 00:00 Asia/Shanghai (end exclusive). startDay 1 = calendar months.
 */
export { periodRange, periodOf, previousPeriod, shiftPeriod, DEFAULT_PERIOD_START_DAY, type Period, type PeriodOptions } from './period.js';
export { ratio, formatRatio, compare as compareRatio, type Ratio } from './ratio.js';
export {
  assess, rank, trend, leadUnitAt, DEFAULT_WEIGHTS,
  type AssessOptions, type Assessment, type AssessmentRow, type Level, type RankedRow, type Ranking, type TrendRow, type Weights,
} from './assessment.js';
export {
  hotspots, proposeMonthlyTopics,
  type Hotspot, type HotspotOptions, type TopicCandidate, type TopicOptions,
} from './hotspots.js';
export {
  rankingChartPng, rankingBarsPng, rateTrendPng, hotspotTablePng, tablePng, trendPoints, vegaLiteToPng, vegaLiteToSvg, svgToPng, findCjkFontFile,
  type FontOptions, type TrendPoint, type BarDatum, type TableSpec,
} from './charts.js';
export { toCsv, type CsvColumn } from './csv.js';
export { statsReport, hotspotReport, topicsReport, type Report } from './reports.js';
