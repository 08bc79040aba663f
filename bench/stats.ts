/**
 * `npm run bench:stats`: how long a district coordinator's `/stats` takes on a
 * service with a long history, and where the time goes; A/B against another
 * commit in the same run.
 *
 * Loads the bench's synthetic history (1M petitions over two years by default,
 * `--petitions N`) plus a rating for every second petition of the last year,
 * then, for each tree (this one and `--against REF`, checked out beside it as a
 * git worktree), alternately, runs `/stats` as a district coordinator would
 * (bots/insight.ts, what the chat calls) in a fresh child process, after one
 * warm-up call, and times it and its parts. Prints one JSON line per tree.
 *
 *   npm run bench:stats -- --petitions 1000000 --runs 5 --against 94d60cb
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../core/config.js';
import { ROOT, createSchema } from './lib.js';
import { bulkLoad } from './load.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const DISTRICT = '110105';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Child: time /stats and its parts with the modules of `tree` against `schema`. */
async function measure(tree: string, url: string, schema: string) {
  const mod = (p: string) => import(pathToFileURL(join(tree, p)).href);
  const [{ createInsight }, { createDb }, { createLogger }, a, charts, { periodOf }] = await Promise.all([
    mod('bots/insight.ts'), mod('core/db.ts'), mod('core/log.ts'), mod('core/insight/assessment.ts'), mod('core/insight/charts.ts'), mod('core/insight/period.ts'),
  ]);
  const config = loadConfig();
  const db = createDb({ url, schema, poolMax: 8 });
  const o = { startDay: config.PERIOD_START_DAY, timeZone: config.TIME_ZONE };
  const period = periodOf(new Date(), o).key;
  const insight = createInsight({ ...o, logger: createLogger({ level: 'silent' }) });
  const fresh = createInsight({ ...o, logger: createLogger({ level: 'silent' }) }); // nothing cached yet
  const w = { now: new Date(), deps: { db } };
  const coordinator = { role: 'coordinator', areaCode: DISTRICT };
  const time = async (f: () => Promise<unknown>) => {
    const s = performance.now();
    await f();
    return Math.round(performance.now() - s);
  };
  await insight.stats(w, coordinator); // warm-up of another instance: modules, prepared statements, fonts
  const streets = await a.rank(db, { ...o, level: 'street', period });
  const rows = await a.trend(db, { ...o, level: 'district', code: DISTRICT, period, count: 6 });
  const out = {
    // the first /stats of a process (nothing cached), then the next one (ended periods cached)
    statsFirst: await time(() => fresh.stats(w, coordinator)),
    statsNext: await time(() => fresh.stats(w, coordinator)),
    assessDistrict: await time(() => a.assess(db, { ...o, level: 'district', period })),
    rankStreets: await time(() => a.rank(db, { ...o, level: 'street', period })),
    trend6: await time(() => a.trend(db, { ...o, level: 'district', code: DISTRICT, period, count: 6 })),
    trendPng: await time(() => charts.rateTrendPng(charts.trendPoints(rows), { title: 'trend' })),
    rankingPng: await time(() => charts.rankingChartPng({ ...streets, rows: streets.rows.filter((r: { parentCode: string }) => r.parentCode === DISTRICT) }, { top: 10 })),
  };
  await db.$disconnect();
  console.log(JSON.stringify(out));
}

function checkout(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (existsSync(join(ROOT, 'prisma/generated'))) cpSync(join(ROOT, 'prisma/generated'), join(dir, 'prisma/generated'), { recursive: true });
  return dir;
}

function child(tree: string, url: string, schema: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/stats.ts'), '--measure', tree, '--url', url, '--schema', schema], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`measure exited ${code}`))));
  });
}

async function main() {
  const petitions = Number(opt('petitions') ?? 1_000_000);
  const runs = Number(opt('runs') ?? 5);
  const against = opt('against');
  const config = loadConfig();
  const s = await createSchema(config.DATABASE_URL, 'shaosheng_bench', 'bs');
  const trees: { name: string; root: string }[] = [{ name: 'this tree', root: ROOT }];
  if (against) trees.unshift({ name: against, root: checkout(against) });
  try {
    const t0 = performance.now();
    for (let from = 0; from < petitions; from += 250_000) await bulkLoad(s.sql, from, Math.min(petitions, from + 250_000), petitions);
    // a year of callbacks: every second petition of the last 365 days, asked and answered a day after it was filed
    await s.sql(`
      INSERT INTO "Rating" (id, "petitionId", round, "askedAt", "ratedAt", contacted, solved, satisfaction)
      SELECT 'bulk-rt-' || p.id, p.id, 1, p."createdAt" + interval '1 day', p."createdAt" + interval '1 day 2 hours',
             (abs(hashtext(p.id)) % 10) <> 0,
             (ARRAY['solved','solved','solved','partly','unsolved'])[1 + abs(hashtext(p.id)) % 5]::"Solved",
             (ARRAY['satisfied','satisfied','basically','dissatisfied'])[1 + abs(hashtext(p.id || 's')) % 4]::"Satisfaction"
        FROM "Petition" p
       WHERE p."createdAt" > now() - interval '365 days' AND abs(hashtext(p.id)) % 2 = 0`);
    await s.sql('ANALYZE');
    const loadSeconds = Math.round((performance.now() - t0) / 1000);
    const ratings = await s.db.rating.count();
    const results = new Map(trees.map((t) => [t.name, [] as Record<string, number>[]]));
    for (let i = 0; i < runs; i++) for (const t of trees) results.get(t.name)!.push(await child(t.root, s.url, s.schema));
    for (const t of trees) {
      const list = results.get(t.name)!;
      const medianMs = Object.fromEntries(Object.keys(list[0]!).map((k) => [k, median(list.map((r) => r[k]!))]));
      console.log(JSON.stringify({ tree: t.name, petitions, ratings, loadSeconds, runs, load: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10), medianMs }));
    }
  } finally {
    await s.drop();
    for (const t of trees) if (t.root !== ROOT) execFileSync('git', ['worktree', 'remove', '--force', t.root], { cwd: ROOT, stdio: 'ignore' });
  }
}

const measuring = opt('measure');
if (measuring) await measure(measuring, opt('url')!, opt('schema')!);
else await main();
