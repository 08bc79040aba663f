/**
 * Chart images rendered on the server: a Vega-Lite spec is compiled to Vega,
 * rendered headless to SVG by a vega View, and rasterised to PNG by resvg.
 * Chinese labels need a CJK font; resvg loads the system fonts and we name a
 * CJK family explicitly (Debian: fonts-noto-cjk → "Noto Sans CJK SC").
 * Without a CJK font charts would be boxes, so rendering fails loudly and the
 * caller sends text instead.
 *
 * Vega measures text without a canvas by assuming 0.8 em per character, which
 * is too narrow for Chinese; we install a width estimate that counts CJK and
 * full-width characters as 1 em so labels are not clipped.
 *
 * vega, vega-lite and resvg (≈ 40 MB resident) are loaded on the first chart,
 * not at start-up: most processes never draw one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Vega from 'vega';
import type * as vl from 'vega-lite';
import type * as ResvgModule from '@resvg/resvg-js';
import { AppError } from '../errors.js';
import type { Ranking } from './assessment.js';
import { monthOverMonth, type Hotspot } from './hotspots.js';
import type { Ratio } from './ratio.js';

export interface FontOptions {
  /** font family used for every label */
  family?: string;
  /** extra font files (otherwise system fonts only) */
  fontFiles?: string[];
  fontDirs?: string[];
  /** also load every system font (slower: ~150 ms per render); default only when no CJK file is found */
  loadSystemFonts?: boolean;
}

const DEFAULT_FAMILY = 'Noto Sans CJK SC';
/** Where Debian/Ubuntu (fonts-noto-cjk), Alpine and Fedora put Noto Sans CJK. */
const KNOWN_CJK_FILES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf',
];

/** The CJK font file to load, or null when none of the known ones exists. */
export function findCjkFontFile(): string | null {
  return KNOWN_CJK_FILES.find((f) => existsSync(f)) ?? null;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

function fontSizeOf(item: { fontSize?: number }): number {
  return item.fontSize ?? 11;
}

const requireCjs = createRequire(import.meta.url);
let resvgModule: typeof ResvgModule | null = null;
/** resvg (native, synchronous API) on first use. */
function resvg(): typeof ResvgModule {
  return (resvgModule ??= requireCjs('@resvg/resvg-js') as typeof ResvgModule);
}
type VegaLite = typeof import('vega-lite');
let vegaModules: Promise<{ vega: typeof Vega; vegaLite: VegaLite }> | null = null;
/** vega and vega-lite on first use, with our text metrics installed. */
function loadVega(): Promise<{ vega: typeof Vega; vegaLite: VegaLite }> {
  return (vegaModules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => {
    installTextMetrics(vega);
    return { vega, vegaLite };
  }));
}

let metricsInstalled = false;
function installTextMetrics(vega: typeof Vega): void {
  if (metricsInstalled) return;
  metricsInstalled = true;
  const tm = (vega as unknown as { textMetrics: { width: (item: { fontSize?: number; text?: unknown }, text?: unknown) => number } }).textMetrics;
  tm.width = (item, text) => {
    const s = String(text ?? item.text ?? '');
    let em = 0;
    for (const ch of s) em += WIDE.test(ch) ? 1 : 0.62;
    return Math.ceil(em * fontSizeOf(item));
  };
}

/** resvg options with the CJK font loaded (exported for tests and other renderers). */
export function resvgOptions(font: FontOptions = {}, zoom = 1) {
  const file = findCjkFontFile();
  const bold = file?.replace('Regular', 'Bold');
  const fontFiles = [...(font.fontFiles ?? []), ...(file ? [file] : []), ...(bold && bold !== file && existsSync(bold) ? [bold] : [])];
  if (!fontFiles.length && !font.fontDirs?.length && !font.family) {
    throw new AppError('cjk_font_missing', 'no CJK font found: install fonts-noto-cjk (apt-get install -y fonts-noto-cjk) or pass fontFiles');
  }
  const family = font.family ?? DEFAULT_FAMILY;
  return {
    font: { loadSystemFonts: font.loadSystemFonts ?? !file, fontFiles, fontDirs: font.fontDirs ?? [], defaultFontFamily: family, sansSerifFamily: family },
    fitTo: { mode: 'zoom' as const, value: zoom },
    background: 'white',
  };
}

/** SVG text → PNG bytes. */
export function svgToPng(svg: string, font: FontOptions = {}, zoom = 2): Buffer {
  return new (resvg().Resvg)(svg, resvgOptions(font, zoom)).render().asPng();
}

/** Any Vega-Lite spec → SVG (headless vega View). */
export async function vegaLiteToSvg(spec: vl.TopLevelSpec, font: FontOptions = {}): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const family = font.family ?? DEFAULT_FAMILY;
  const withFont = {
    ...spec,
    config: { font: family, background: 'white', padding: 12, ...(spec as { config?: object }).config },
  } as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vegaLite.compile(withFont).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function vegaLiteToPng(spec: vl.TopLevelSpec, font: FontOptions = {}): Promise<Buffer> {
  return svgToPng(await vegaLiteToSvg(spec, font), font);
}

// ---------------------------------------------------------------- ranking bars

export interface BarDatum {
  label: string;
  /** 0–1 rate */
  value: number;
  /** shown after the bar, e.g. "73/150" or "48.67%" */
  note?: string;
}

export async function rankingBarsPng(data: BarDatum[], opts: { title: string; axisTitle?: string } & FontOptions): Promise<Buffer> {
  const rows = data.map((d, i) => ({ ...d, order: i, pct: `${(d.value * 100).toFixed(2)}%${d.note ? ` (${d.note})` : ''}` }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title, fontSize: 16 },
    width: 520,
    height: { step: 22 },
    data: { values: rows },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelFontSize: 12, labelLimit: 0 } },
      x: { field: 'value', type: 'quantitative', title: opts.axisTitle ?? null, scale: { domain: [0, 1] }, axis: { format: '.0%' } },
    },
    layer: [
      { mark: { type: 'bar', color: '#3b6ea8' } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'pct' } } },
    ],
  } as unknown as vl.TopLevelSpec;
  return vegaLiteToPng(spec, opts);
}

/** Top `top` rows of a ranking as bars of the composite (or another rate). */
export async function rankingChartPng(
  ranking: Ranking,
  opts: { metric?: 'composite' | 'response' | 'resolution' | 'satisfaction'; top?: number; title?: string } & FontOptions = {},
): Promise<Buffer> {
  const metric = opts.metric ?? 'composite';
  const label = { composite: '综合成绩', response: '响应率', resolution: '解决率', satisfaction: '满意率' }[metric];
  const rows = ranking.rows.filter((r) => r[metric]).slice(0, opts.top ?? 15);
  return rankingBarsPng(
    rows.map((r) => ({ label: `${r.rank}. ${r.name}`, value: (r[metric] as Ratio).value })),
    { ...opts, title: opts.title ?? `${ranking.period.key} ${label}排名`, axisTitle: label },
  );
}

// ---------------------------------------------------------------- trend lines

export interface TrendPoint {
  period: string;
  /** series name, e.g. 响应率 */
  series: string;
  value: number | null;
}

export async function rateTrendPng(points: TrendPoint[], opts: { title: string } & FontOptions): Promise<Buffer> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title, fontSize: 16 },
    width: 520,
    height: 260,
    data: { values: points.filter((p) => p.value !== null) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'period', type: 'ordinal', title: '考核周期', axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelFontSize: 12 } },
    },
  } as unknown as vl.TopLevelSpec;
  return vegaLiteToPng(spec, opts);
}

// ---------------------------------------------------------------- tables

export interface TableSpec {
  title: string;
  columns: { header: string; /** in em */ width: number; align?: 'left' | 'right' }[];
  rows: string[][];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const charEm = (ch: string) => (WIDE.test(ch) ? 1 : 0.62);
const textEm = (s: string) => [...s].reduce((w, ch) => w + charEm(ch), 0);

function clip(s: string, em: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charEm(ch);
    if (w + cw > em - 0.5) return out + '…';
    w += cw;
    out += ch;
  }
  return out;
}

/**
 * A table as SVG (hand-built: Vega-Lite has no table mark), then PNG. Text columns are clipped
 * with "…"; right-aligned (number) columns grow to fit, so a figure is never cut.
 */
export function tableSvg(spec: TableSpec, font: FontOptions = {}): string {
  const t: TableSpec = {
    ...spec,
    columns: spec.columns.map((c, i) =>
      c.align === 'right' ? { ...c, width: Math.max(c.width, textEm(c.header) + 0.6, ...spec.rows.map((r) => textEm(r[i] ?? '') + 0.6)) } : c,
    ),
  };
  const fs = 13;
  const rowH = 26;
  const pad = 16;
  const family = esc(font.family ?? DEFAULT_FAMILY);
  const xs: number[] = [];
  let x = pad;
  for (const c of t.columns) {
    xs.push(x);
    x += c.width * fs + 12;
  }
  const width = x + pad;
  const top = 44;
  const height = top + rowH * (t.rows.length + 1) + pad;
  const cellText = (text: string, ci: number, y: number, bold = false) => {
    const c = t.columns[ci]!;
    const right = c.align === 'right';
    const tx = right ? xs[ci]! + c.width * fs : xs[ci]!;
    return `<text x="${tx}" y="${y}" font-size="${fs}"${bold ? ' font-weight="bold"' : ''} text-anchor="${right ? 'end' : 'start'}">${esc(clip(text, c.width))}</text>`;
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${family}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad}" y="28" font-size="17" font-weight="bold">${esc(t.title)}</text>`,
    `<rect x="${pad / 2}" y="${top}" width="${width - pad}" height="${rowH}" fill="#dfe8f3"/>`,
    ...t.columns.map((c, i) => cellText(c.header, i, top + 18, true)),
  ];
  t.rows.forEach((r, ri) => {
    const y = top + rowH * (ri + 1);
    if (ri % 2 === 1) parts.push(`<rect x="${pad / 2}" y="${y}" width="${width - pad}" height="${rowH}" fill="#f5f7fa"/>`);
    r.forEach((v, ci) => parts.push(cellText(v, ci, y + 18)));
  });
  parts.push('</svg>');
  return parts.join('');
}

export function tablePng(t: TableSpec, font: FontOptions = {}): Buffer {
  return svgToPng(tableSvg(t, font), font, 1.5);
}

const pctOrDash = (r: Ratio | null) => (r ? `${(r.value * 100).toFixed(0)}%` : '—');

const signed = (r: Ratio | null, none: string) => (r ? `${r.value >= 0 ? '+' : ''}${(r.value * 100).toFixed(0)}%` : none);

/** The hotspot list as a table: 环比 against the previous period, and the change against the average of the previous ones. */
export function hotspotTable(rows: Hotspot[], title?: string): TableSpec {
  return {
    title: title ?? `${rows[0]?.period ?? ''} 热点诉求`,
    columns: [
      { header: '街乡', width: 8 },
      { header: '类别', width: 8.5 },
      { header: '本期', width: 3, align: 'right' },
      { header: '上期', width: 3, align: 'right' },
      { header: '环比', width: 4, align: 'right' },
      { header: `较前${rows[0]?.previous.length ?? 3}期均值`, width: 6, align: 'right' },
      { header: '去年同期', width: 4.5, align: 'right' },
      { header: '重复率', width: 3.5, align: 'right' },
      { header: '示例工单', width: 14 },
    ],
    rows: rows.map((h) => [
      h.streetName,
      h.categoryName,
      String(h.volume),
      String(h.previous[0]?.volume ?? 0),
      signed(monthOverMonth(h), '新增'),
      signed(h.growth, '新增'),
      String(h.lastYear.volume),
      pctOrDash(h.repeatRate),
      h.examples.slice(0, 2).join(' '),
    ]),
  };
}

export function hotspotTablePng(rows: Hotspot[], opts: { title?: string } & FontOptions = {}): Buffer {
  return tablePng(hotspotTable(rows, opts.title), opts);
}

/** Trend rows → the three rates and the composite as line-chart points. */
export function trendPoints(rows: { period: string; row: { response: Ratio | null; resolution: Ratio | null; satisfaction: Ratio | null; composite: Ratio | null } | null }[]): TrendPoint[] {
  const series = [
    ['response', '响应率'],
    ['resolution', '解决率'],
    ['satisfaction', '满意率'],
    ['composite', '综合成绩'],
  ] as const;
  return rows.flatMap((r) => series.map(([k, name]) => ({ period: r.period, series: name, value: r.row?.[k]?.value ?? null })));
}
