import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resvg } from '@resvg/resvg-js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { rank, trend } from '../../core/insight/assessment.js';
import { findCjkFontFile, hotspotTablePng, rankingChartPng, rateTrendPng, resvgOptions, tableSvg, trendPoints, vegaLiteToSvg } from '../../core/insight/charts.js';
import { hotspots } from '../../core/insight/hotspots.js';
import { toCsv } from '../../core/insight/csv.js';
import { hotspotReport, statsReport, topicsReport } from '../../core/insight/reports.js';
import { addPetition, addUnit, bj, gazetteer, seedAreasAndCategories } from './seed.js';
import { createInsight } from '../../bots/insight.js';
import { createLogger } from '../../core/log.js';
import type { Staff } from '../../prisma/generated/client.js';
import type { Work } from '../../core/workflow/context.js';

const A = gazetteer.districts[0]!.streets[0]!;
const B = gazetteer.districts[0]!.streets[1]!;

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Dark pixels when `text` is rendered alone: zero means the font had no glyphs for it. */
function inkOf(text: string, opts: ConstructorParameters<typeof Resvg>[1] = resvgOptions()): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="30" font-size="24" font-family="Noto Sans CJK SC">${text}</text></svg>`;
  const img = new Resvg(svg, opts).render();
  const px = img.pixels;
  let dark = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && px[i]! < 128) dark++;
  return dark;
}

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedAreasAndCategories(t.db);
  await addUnit(t.db, 'U1', 'urban_mgmt', '110101');
  for (const [street, sat] of [[A.code, 'satisfied'], [A.code, 'basically'], [B.code, 'dissatisfied']] as const) {
    for (const day of ['2026-09-25', '2026-10-25']) {
      const p = await addPetition(t.db, { streetCode: street, categoryCode: 'garbage', createdAt: bj(`${day} 08:00`), residentId: null });
      await t.db.assignment.create({ data: { petitionId: p.id, unitId: 'U1', role: 'lead', dispatchedAt: bj(`${day} 09:00`) } });
      await t.db.rating.create({ data: { petitionId: p.id, askedAt: bj(`${day} 20:00`), ratedAt: bj(`${day} 21:00`), contacted: true, solved: 'solved', satisfaction: sat } });
    }
  }
});
afterAll(async () => t?.drop());

describe('charts', () => {
  it('has a CJK font and renders Chinese glyphs (not empty boxes)', () => {
    expect(findCjkFontFile()).not.toBeNull();
    expect(inkOf('东华门街道')).toBeGreaterThan(200);
    // the same text with no fonts loaded draws nothing: the check above would catch a missing font
    expect(inkOf('东华门街道', { font: { loadSystemFonts: false } })).toBe(0);
  });

  it('renders a ranking bar chart from a real ranking', async () => {
    const r = await rank(t.db, { level: 'street', period: '2026-11' });
    const svg = await vegaLiteToSvg({ data: { values: [{ a: '东华门街道', b: 1 }] }, mark: 'bar', encoding: { y: { field: 'a', type: 'nominal' }, x: { field: 'b', type: 'quantitative' } } } as never);
    expect(svg).toContain('东华门街道');
    expect(svg).toContain('Noto Sans CJK SC');
    const png = await rankingChartPng(r, { top: 10 });
    const { width, height } = pngSize(png);
    expect(width).toBeGreaterThan(600);
    expect(height).toBeGreaterThan(100);
  });

  it('renders a rate trend and a hotspot table', async () => {
    const rows = await trend(t.db, { level: 'street', code: A.code, period: '2026-11', count: 3 });
    expect(rows.map((r) => [r.period, r.row?.valid])).toEqual([['2026-09', 0], ['2026-10', 2], ['2026-11', 2]]);
    const pts = trendPoints(rows);
    expect(pts.find((p) => p.period === '2026-11' && p.series === '满意率')!.value).toBeCloseTo(0.95, 10);
    pngSize(await rateTrendPng(pts, { title: `${A.name} 三率趋势` }));

    const hs = await hotspots(t.db, { period: '2026-11', minVolume: 1 });
    const svg = tableSvg({ title: '热点', columns: [{ header: '街乡', width: 4 }], rows: [['东华门街道很长的名字']] });
    expect(svg).toContain('>东华门…<'); // clipped to the column
    const png = hotspotTablePng(hs);
    expect(pngSize(png).height).toBeGreaterThan(80);
  });
});

describe('chat reports', () => {
  it('builds /stats for one street and for the ranking, with a chart', async () => {
    const one = await statsReport(t.db, { level: 'street', period: '2026-11', code: A.code });
    expect(one.text).toContain(`${A.name} 2026-11`);
    expect(one.text).toContain('综合成绩 98.00%，街乡镇第 1/2 名，名次持平');
    expect(one.text).toContain('响应率 100.00%（2/2）');
    expect(one.photo!.png.subarray(1, 4).toString()).toBe('PNG');
    const top = await statsReport(t.db, { level: 'street', period: '2026-11' });
    expect(top.text.split('\n').slice(1)).toEqual([`1. ${A.name} 98.00%（回访 2）`, `2. ${B.name} 60.00%（回访 1）`]);
    expect(top.photo).toBeDefined();
    // a district coordinator reads the district's line and how its own streets rank
    const insight = createInsight({ logger: createLogger({ level: 'silent' }) });
    const district = gazetteer.districts[0]!;
    const coordinator = { role: 'coordinator', areaCode: district.code } as Staff;
    const w = { now: bj('2026-11-10 10:00'), deps: { db: t.db } } as unknown as Work;
    const report = await insight.stats(w, coordinator, '2026-11');
    expect(report.text).toContain(`📊 ${district.name} 2026-11`);
    expect(report.text).toContain(`1. ${A.name} 98.00%（回访 2）（全市第 1 名）`);
    expect(report.text).toContain(`2. ${B.name} 60.00%（回访 1）（全市第 2 名）`);
    expect(report.png!.subarray(1, 4).toString()).toBe('PNG');
    const hs = await hotspotReport(t.db, { period: '2026-11' });
    expect(hs.text).toContain(`${A.name}「`);
    expect((await topicsReport(t.db, '2026-11')).text).toContain('建议牵头');
  });
});

describe('toCsv', () => {
  it('quotes per RFC 4180, starts with a BOM and defuses formulas', () => {
    const csv = toCsv(
      [
        { name: '东华门街道', note: 'a,"b"\nc', n: 3, f: '=SUM(A1)' },
        { name: 'x', note: null, n: -1.5, f: '-2' },
      ],
      [
        { header: '名称', value: 'name' },
        { header: 'note', value: 'note' },
        { header: 'n', value: (r) => r.n },
        { header: 'f', value: 'f' },
      ],
    );
    expect(csv).toBe('\uFEFF名称,note,n,f\r\n东华门街道,"a,""b""\nc",3,\'=SUM(A1)\r\nx,,-1.5,-2\r\n');
  });
});
