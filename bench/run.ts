/**
 * `npm run bench`: Shaosheng measured as Telegram would drive it.
 *
 * The real service (`npm start`'s node flags + main.ts, ROLE=all, webhook mode) runs
 * as a child process against a throwaway schema in database `shaosheng_bench`,
 * its own redis-server, and a local Bot API that records every send with its
 * arrival time (no rate limits; TELEGRAM_SEND_LIMITS=unlimited lifts the
 * sender's per-chat and per-bot budgets, and every unit is bound to a private
 * chat so no group budget applies). Updates are posted to the webhook with the
 * secret header; a petition is done when its card (派单 <number>) reaches the
 * unit's chat at the recorder. A WeCom phase (bench/wecom.ts) drives residents
 * of 微信客服 through encrypted kf callbacks against the local WeCom server.
 *
 *   npm run bench                    # everything, including the 1M-petition step (~2–3 min of loading)
 *   npm run bench -- --no-1m         # skip the 1M step
 *   npm run bench -- --tag before    # results file bench/results/<date>-before.json
 *   npm run bench -- --no-wecom      # skip the WeCom phase (and start the service without WeCom settings)
 *
 * Benchmarks are not tests: targets are reported, never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config.js';
import { startBotApiRecorder, type BotApiRecorder, type RecordedCall } from '../test/peers/bot-api-recorder.js';
import { startOwnRedis } from '../test/peers/redis-server.js';
import { bulkLoad } from './load.js';
import { WORKER_CONCURRENCY } from '../jobs/runtime.js';
import { startWecomPeer, wecomPhase, type WecomPhaseResult } from './wecom.js';
import {
  BENCH_METRICS_TOKEN,
  ROOT,
  UNIT_CHAT_BASE,
  createSchema,
  dispatchableTexts,
  machine,
  percentile,
  postUpdate,
  round,
  sleep,
  startService,
  textUpdate,
  type PostResult,
  type Schema,
  type Service,
} from './lib.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const tagIdx = args.indexOf('--tag');
const TAG = tagIdx >= 0 ? args[tagIdx + 1] : undefined;
const MAX_N = opt('max-n', 1500);
const HALF_SECONDS = opt('half-seconds', 20);
const COST_N = opt('cost-n', 600);
const IN_FLIGHT = opt('in-flight', 32);
// The service's jobs per queue. Its intake runs INTAKE_CONCURRENCY (2) transactions at once; the baseline keeps 8, the
// faster of the two for it (bench/results/README.md).
const CONCURRENCY = WORKER_CONCURRENCY;
const WITH_1M = !flag('no-1m');
const WITH_WECOM = !flag('no-wecom');
const WECOM_N = opt('wecom-n', 600);
const BENCH_DB = 'shaosheng_bench';

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// ---------------------------------------------------------------- card tracking at the recorder

const CARD = /^(?:【紧急】)?派单 (\d{10,})（/;

class Cards {
  /** petition number → when its first card reached a unit chat (ms, performance.timeOrigin based) */
  first = new Map<string, number>();
  private seen = 0;
  constructor(private recorder: BotApiRecorder) {}
  scan() {
    const calls: RecordedCall[] = this.recorder.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c.method !== 'sendMessage' || Number(c.body.chat_id) < UNIT_CHAT_BASE) continue;
      const m = CARD.exec(String(c.body.text ?? ''));
      if (m && !this.first.has(m[1]!)) this.first.set(m[1]!, c.at);
    }
    return this.first.size;
  }
  async waitFor(count: number, timeoutMs: number): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (this.scan() < count) {
      if (Date.now() > until) throw new Error(`timed out: ${this.first.size} of ${count} cards`);
      await sleep(20);
    }
    let last = 0;
    for (const t of this.first.values()) if (t > last) last = t;
    return last;
  }
}

// ---------------------------------------------------------------- load generation

interface Sent {
  userId: number;
  /** Date.now() when the post started */
  at: number;
  ack: PostResult;
}

let nextUser = 10_000_000;

function petitionText(texts: string[], i: number): string {
  const base = texts[i % texts.length]!;
  // a quarter carry a phone number (the masking path runs as in production)
  return i % 4 === 0 ? `${base} 联系电话139${String(10_000_000 + (i % 89_999_999)).slice(0, 8)}` : base;
}

async function postOne(svc: Service, texts: string[]): Promise<Sent> {
  const userId = nextUser++;
  const at = Date.now();
  const ack = await postUpdate(svc, textUpdate(userId, 1, petitionText(texts, userId)));
  if (ack.status !== 200) throw new Error(`webhook answered ${ack.status}: ${ack.body.slice(0, 200)}`);
  return { userId, at, ack };
}

/** Closed loop: `n` petitions with at most `inFlight` webhook posts outstanding. */
async function closedLoop(svc: Service, texts: string[], n: number, inFlight: number): Promise<Sent[]> {
  const out: Sent[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (i++ < n) out.push(await postOne(svc, texts));
    }),
  );
  return out;
}

/** Open loop: a post every 1/rate s for `seconds`, whatever the answers take. */
async function openLoop(svc: Service, texts: string[], rate: number, seconds: number): Promise<Sent[]> {
  const n = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<Sent>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(postOne(svc, texts));
  }
  return Promise.all(pending);
}

/** inbound → card latency per petition (ms), via the petitions the posting users filed. */
async function latencies(schema: Schema, cards: Cards, sent: Sent[]): Promise<number[]> {
  const at = new Map(sent.map((s) => [String(s.userId), s.at]));
  const { rows } = await schema.sql(
    `SELECT p.number, r."platformUserId" AS uid FROM "Petition" p JOIN "Resident" r ON r.id = p."residentId" WHERE r."platformUserId" = ANY($1)`,
    [[...at.keys()]],
  );
  cards.scan();
  return (rows as { number: string; uid: string }[]).map((r) => cards.first.get(r.number)! - at.get(r.uid)!).filter((x) => Number.isFinite(x));
}

/**
 * Per-table scan and buffer counters of the bench schema, in one snapshot. Backends publish their counters
 * when they go idle, at most once a second, else after 10 s idle: callers wait STATS_SETTLE_MS first.
 */
async function tupleStats(schema: Schema) {
  const { rows } = await schema.sql(
    `SELECT t.relname, coalesce(t.seq_scan,0)::float8 AS seq_scan, coalesce(t.seq_tup_read,0)::float8 AS seq_tup, coalesce(t.idx_tup_fetch,0)::float8 AS idx_tup,
            (coalesce(io.heap_blks_read,0) + coalesce(io.heap_blks_hit,0) + coalesce(io.idx_blks_read,0) + coalesce(io.idx_blks_hit,0))::float8 AS blks
     FROM pg_stat_user_tables t JOIN pg_statio_user_tables io ON io.relid = t.relid WHERE t.schemaname = $1`,
    [schema.schema],
  );
  const tables = rows as { relname: string; seq_scan: number; seq_tup: number; idx_tup: number; blks: number }[];
  const sum = (k: 'seq_scan' | 'seq_tup' | 'idx_tup' | 'blks') => tables.reduce((s, t) => s + t[k], 0);
  return { seq_scan: sum('seq_scan'), seq_tup: sum('seq_tup'), idx_tup: sum('idx_tup'), blks: sum('blks'), tables };
}
const STATS_SETTLE_MS = 11_000;

/** Tables whose sequential scans read the most tuples between two samples. */
function seqScanTables(a: Awaited<ReturnType<typeof tupleStats>>, b: Awaited<ReturnType<typeof tupleStats>>, n: number) {
  return b.tables
    .map((t) => {
      const before = a.tables.find((x) => x.relname === t.relname);
      return { table: t.relname, seqScans: t.seq_scan - (before?.seq_scan ?? 0), tuplesPerPetition: round((t.seq_tup - (before?.seq_tup ?? 0)) / n, 1) };
    })
    .filter((t) => t.seqScans > 0)
    .sort((x, y) => y.tuplesPerPetition - x.tuplesPerPetition)
    .slice(0, 5);
}

/** One cost sample: COST_N petitions at full speed with `stored` petitions already in the schema. */
async function costSample(svc: Service, schema: Schema, cards: Cards, texts: string[], stored: number) {
  await sleep(STATS_SETTLE_MS); // let the previous step's statistics (and the bench's own queries) settle
  const s0 = await tupleStats(schema);
  const { rows: mark } = await schema.sql('SELECT coalesce(max(id), 0)::text AS id FROM "Outbox"');
  const cpu0 = svc.cpuSeconds();
  const before = cards.scan();
  const t0 = Date.now();
  const sent = await closedLoop(svc, texts, COST_N, IN_FLIGHT);
  const last = await cards.waitFor(before + COST_N, 180_000);
  const seconds = (last - t0) / 1000;
  const cpu = svc.cpuSeconds() - cpu0;
  await sleep(STATS_SETTLE_MS);
  const s1 = await tupleStats(schema);
  const lat = await latencies(schema, cards, sent);
  // Notices decided per petition in this step: with more history, more petitions join clusters (coordinator alerts).
  const { rows: noteRows } = await schema.sql(
    `SELECT split_part("dedupeKey", ':', 2) AS kind, count(*)::int AS n FROM "Outbox" WHERE id > $1 AND kind = 'notify' GROUP BY 1`,
    [(mark[0] as { id: string }).id],
  );
  const per = (x: number) => round(x / COST_N, 1);
  return {
    stored,
    petitions: COST_N,
    petitionsPerSecond: round(COST_N / seconds),
    msPerPetition: round((seconds * 1000) / COST_N, 2),
    serviceCpuMsPerPetition: round((cpu * 1000) / COST_N, 2),
    seqScansPerPetition: round((s1.seq_scan - s0.seq_scan) / COST_N, 2),
    seqTuplesPerPetition: per(s1.seq_tup - s0.seq_tup),
    indexTuplesPerPetition: per(s1.idx_tup - s0.idx_tup),
    buffersPerPetition: per(s1.blks - s0.blks),
    inboundToCardP50Ms: round(percentile(lat, 50)),
    inboundToCardP99Ms: round(percentile(lat, 99)),
    seqScanTables: seqScanTables(s0, s1, COST_N),
    noticesPerPetition: Object.fromEntries((noteRows as { kind: string; n: number }[]).map((r) => [r.kind, round(r.n / COST_N, 2)])),
  };
}

async function petitionCount(schema: Schema): Promise<number> {
  const { rows } = await schema.sql('SELECT count(*)::int AS n FROM "Petition"');
  return (rows[0] as { n: number }).n;
}

async function loadTo(schema: Schema, target: number): Promise<number> {
  const have = await petitionCount(schema);
  // bulk rows are numbered from their own counter (ids bulk-p-<i>)
  const { rows } = await schema.sql(`SELECT count(*)::int AS n FROM "Petition" WHERE id LIKE 'bulk-p-%'`);
  const from = (rows[0] as { n: number }).n;
  const to = from + Math.max(0, target - have);
  const t0 = performance.now();
  for (let a = from; a < to; a += 250_000) {
    const b = Math.min(to, a + 250_000);
    await bulkLoad(schema.sql, a, b, 1_000_000);
    log(`  loaded ${b - from} synthetic petitions`);
  }
  return round((performance.now() - t0) / 1000);
}

function runBaseline(redisUrl: string, schema: Schema, jobs: number): Promise<{ jobs: number; inserted: number; seconds: number; jobsPerSecond: number; concurrency: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline.ts', redisUrl, schema.url, schema.schema, String(jobs), String(CONCURRENCY)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`baseline exited ${code}`))));
  });
}

/** RSS split into V8 heap and the rest, from the service's own /metrics (prom-client default metrics). */
async function memoryBreakdown(svc: Service): Promise<Record<string, number> | null> {
  try {
    const text = await (await fetch(`${svc.url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
    const get = (name: string) => {
      const m = new RegExp(`^(?:shaosheng_)?${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Math.round(Number(m[1]) / 2 ** 20) : NaN;
    };
    return {
      rss: get('process_resident_memory_bytes'),
      heapTotal: get('nodejs_heap_size_total_bytes'),
      heapUsed: get('nodejs_heap_size_used_bytes'),
      external: get('nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- main

const config = loadConfig();
const redis = await startOwnRedis();
const recorder = await startBotApiRecorder();
const cards = new Cards(recorder);
// With the WeCom phase the service also runs with WeCom configured (staff application + 微信客服) against the local
// WeCom server; --no-wecom starts it exactly as before (Telegram only).
const wecom = WITH_WECOM ? await startWecomPeer() : null;
log(`schema in ${BENCH_DB}…`);
const schema = await createSchema(config.DATABASE_URL, BENCH_DB);
let svc: Service | undefined;
const started = new Date();
try {
  const { execFileSync } = await import('node:child_process');
  const redisVersion = /v=(\S+)/.exec(execFileSync('redis-server', ['--version']).toString())?.[1] ?? 'unknown';
  const texts = await dispatchableTexts();
  log(`${texts.length} dispatchable petition texts`);

  svc = await startService({ databaseUrl: schema.url, schema: schema.schema, redisUrl: redis.url, redisPrefix: 'bench', apiRoot: recorder.apiRoot, env: wecom?.env, logLevel: 'info', nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) }).catch((err: unknown) => {
    if (wecom) log('the service did not start with WeCom configured; `--no-wecom` starts it with Telegram only');
    throw err;
  });
  log(`service pid ${svc.pid} at ${svc.url}`);

  // warm-up: JIT, pools, first petitions of the day
  await closedLoop(svc, texts, 100, 16);
  await cards.waitFor(100, 60_000);

  log('classifier…');
  const { benchClassifier } = await import('./classifier.js');
  const classifier = await benchClassifier({ seconds: 3 });

  log('baseline (BullMQ job = one INSERT)…');
  const baseline = await runBaseline(redis.url, schema, 4000);

  log(`max rate: ${MAX_N} petitions, ${IN_FLIGHT} posts in flight…`);
  const cpu0 = svc.cpuSeconds();
  let before = cards.scan();
  const tMax = Date.now();
  const maxSent = await closedLoop(svc, texts, MAX_N, IN_FLIGHT);
  const postedSeconds = (Date.now() - tMax) / 1000;
  const lastMax = await cards.waitFor(before + MAX_N, 300_000);
  const maxSeconds = (lastMax - tMax) / 1000;
  const e2e = MAX_N / maxSeconds;
  const maxCpu = svc.cpuSeconds() - cpu0;
  const maxAcks = maxSent.map((s) => s.ack.ms);
  const maxLat = await latencies(schema, cards, maxSent);
  const memory = await memoryBreakdown(svc);
  // Outbox rows per petition by kind: intake is taken in batches by the service's pump; notify runs inside
  // the deciding transaction; a send leaves right after commit (the queue only for waits and retries).
  const { rows: jobRows } = await schema.sql(
    `SELECT kind, count(*)::float8 / greatest(1, (SELECT count(*) FROM "Petition" WHERE id NOT LIKE 'bulk-%'))::float8 AS n
     FROM "Outbox" WHERE "dedupeKey" NOT LIKE 'bulk-%' GROUP BY kind ORDER BY kind`,
  );
  const outboxPerPetition = Object.fromEntries((jobRows as { kind: string; n: number }[]).map((r) => [r.kind, round(r.n, 2)]));
  log(`  ${round(e2e)} petitions/s (webhook accepted ${round(MAX_N / postedSeconds)}/s)`);

  // --half-rate fixes the rate (to compare latency at one rate across runs whose maximum differs)
  const halfRate = opt('half-rate', 0) || Math.max(1, round(e2e / 2));
  log(`half load: ${halfRate}/s for ${HALF_SECONDS} s…`);
  await sleep(2000);
  before = cards.scan();
  const halfSent = await openLoop(svc, texts, halfRate, HALF_SECONDS);
  await cards.waitFor(before + halfSent.length, 120_000);
  const halfLat = await latencies(schema, cards, halfSent);
  const halfAcks = halfSent.map((s) => s.ack.ms);

  let wecomResult: WecomPhaseResult | null = null;
  if (wecom) {
    log(`WeCom: ${WECOM_N} 微信客服 messages, ${IN_FLIGHT} callbacks in flight…`);
    await sleep(2000);
    wecomResult = await wecomPhase({
      svc,
      schema,
      peer: wecom.peer,
      n: WECOM_N,
      inFlight: IN_FLIGHT,
      nextText: () => petitionText(texts, nextUser++),
      cardAt: (number) => {
        cards.scan();
        return cards.first.get(number);
      },
      log,
    });
    const w = wecomResult;
    log(`  ${w.petitionsPerSecond ?? 'incomplete:'} petitions/s, callback p50/p99 ${w.callbackP50Ms}/${w.callbackP99Ms} ms, exactly one petition each: ${w.checks.exactlyOnePetitionEach}`);
  }

  const cost: Awaited<ReturnType<typeof costSample>>[] = [];
  log('cost with 10,000 stored…');
  const load10k = await loadTo(schema, 10_000);
  cost.push({ ...(await costSample(svc, schema, cards, texts, await petitionCount(schema))), loadSeconds: load10k } as never);
  if (WITH_1M) {
    log('loading to 1,000,000 stored…');
    const load1m = await loadTo(schema, 1_000_000);
    cost.push({ ...(await costSample(svc, schema, cards, texts, await petitionCount(schema))), loadSeconds: load1m } as never);
  }
  const rss = svc.peakRssMb();

  const ratio = e2e / baseline.jobsPerSecond;
  const flat = cost.length === 2 ? cost[1]!.serviceCpuMsPerPetition / cost[0]!.serviceCpuMsPerPetition : null;
  const result = {
    date: started.toISOString(),
    tag: TAG ?? null,
    machine: await machine(schema.url, redisVersion),
    setup: {
      service: `node (npm start flags) --import tsx main.ts, ROLE=all, TELEGRAM_MODE=webhook, TELEGRAM_SEND_LIMITS=unlimited, LOG_LEVEL=info, DB_POOL_MAX=10${wecom ? ', WeCom (agent + 微信客服) at the local WeCom server' : ''}`,
      workerConcurrency: CONCURRENCY,
      classifier: 'embedded',
      units: schema.unitChats.size,
      unitChats: 'private (positive ids): no group budget',
      inFlightPosts: IN_FLIGHT,
      note: 'service, Postgres, Redis, the load generator and the recording Bot API share the machine',
    },
    e2e: {
      petitions: MAX_N,
      seconds: round(maxSeconds, 2),
      petitionsPerSecond: round(e2e),
      webhookAcceptedPerSecond: round(MAX_N / postedSeconds),
      serviceCpuMsPerPetition: round((maxCpu * 1000) / MAX_N, 2),
      /** outbox jobs (intake, notify, send) per petition: what one petition is worth in baseline jobs */
      outboxPerPetition,
      ackP50Ms: round(percentile(maxAcks, 50)),
      ackP99Ms: round(percentile(maxAcks, 99)),
      inboundToCardP50Ms: round(percentile(maxLat, 50)),
      inboundToCardP99Ms: round(percentile(maxLat, 99)),
    },
    halfLoad: {
      ratePerSecond: halfRate,
      petitions: halfSent.length,
      ackP50Ms: round(percentile(halfAcks, 50), 2),
      ackP99Ms: round(percentile(halfAcks, 99), 2),
      inboundToCardP50Ms: round(percentile(halfLat, 50)),
      inboundToCardP99Ms: round(percentile(halfLat, 99)),
    },
    /** 微信客服 residents through encrypted kf callbacks (bench/wecom.ts); null with --no-wecom */
    wecom: wecomResult,
    peakRssMb: rss,
    memoryAfterMaxRateMb: memory,
    classifier,
    baseline: { ...baseline, what: 'BullMQ worker, job = one Postgres INSERT, same Redis and Postgres, same concurrency' },
    ratioToBaseline: round(ratio, 3),
    cost,
    costRatio1mTo10k: flat === null ? null : round(flat, 2),
    targets: {
      e2eAtLeastQuarterOfBaseline: { target: '≥ 0.25', actual: round(ratio, 3), met: ratio >= 0.25 },
      halfLoadInboundToCardP99: { target: '≤ 200 ms', actual: round(percentile(halfLat, 99)), met: percentile(halfLat, 99) <= 200 },
      webhookAckP99: { target: '≤ 20 ms (half load)', actual: round(percentile(halfAcks, 99), 2), met: percentile(halfAcks, 99) <= 20 },
      peakRss: { target: '≤ 300 MB', actual: rss, met: rss <= 300 },
      costFlat10kTo1M: { target: 'service CPU per petition within ±25 %', actual: flat === null ? 'not run (--no-1m)' : round(flat, 2), met: flat === null ? null : flat <= 1.25 },
    },
  };

  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const name = `${started.toISOString().slice(0, 10)}${TAG ? `-${TAG}` : ''}`;
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  const table = render(result);
  writeFileSync(path.join(dir, `${name}.md`), table);
  process.stdout.write(table);
  log(`wrote bench/results/${name}.json and .md`);
} finally {
  await svc?.stop().catch(() => undefined);
  await recorder.close();
  await wecom?.peer.close();
  await redis.stop();
  if (!flag('keep')) await schema.drop().catch(() => undefined);
}
process.exit(0);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the results object is assembled above and rendered field by field
function render(r: Record<string, any>): string {
  const m = r.machine;
  const rows: [string, string, string][] = [
    ['end-to-end petitions/s (inbound → card at the recorder)', `${r.e2e.petitionsPerSecond}`, ''],
    ['bare baseline jobs/s (BullMQ + one INSERT, concurrency 8)', `${r.baseline.jobsPerSecond}`, ''],
    ['ratio ours / baseline', `${r.ratioToBaseline}`, '≥ 0.25'],
    ['outbox rows per petition (intake: taken in batches by the pump; notify: in the transaction; send: after commit)', Object.entries(r.e2e.outboxPerPetition).map(([k, n]) => `${k} ${n}`).join(', '), ''],
    ['webhook ack p50 / p99 (max rate)', `${r.e2e.ackP50Ms} / ${r.e2e.ackP99Ms} ms`, ''],
    [`webhook ack p50 / p99 (half load, ${r.halfLoad.ratePerSecond}/s)`, `${r.halfLoad.ackP50Ms} / ${r.halfLoad.ackP99Ms} ms`, 'p99 ≤ 20 ms'],
    [`inbound → card p50 / p99 (half load)`, `${r.halfLoad.inboundToCardP50Ms} / ${r.halfLoad.inboundToCardP99Ms} ms`, 'p99 ≤ 200 ms'],
    ['inbound → card p50 / p99 (max rate, queueing included)', `${r.e2e.inboundToCardP50Ms} / ${r.e2e.inboundToCardP99Ms} ms`, ''],
  ];
  if (r.wecom) {
    const w = r.wecom;
    rows.push(
      [`WeCom 微信客服: end-to-end petitions/s (${w.messages} kf callbacks → acknowledgement at kf/send_msg)`, w.petitionsPerSecond === null ? `incomplete: ${w.checks.acknowledged} of ${w.messages} acknowledged` : `${w.petitionsPerSecond}`, ''],
      ['WeCom callback answer p50 / p99 / max', `${w.callbackP50Ms} / ${w.callbackP99Ms} / ${w.callbackMaxMs} ms (${w.callbacksOver5s} over 5 s)`, 'WeCom: ≤ 5 s'],
      ['WeCom inbound → resident acknowledgement p50 / p99 (queueing included)', `${w.inboundToAckP50Ms} / ${w.inboundToAckP99Ms} ms`, ''],
      ['WeCom inbound → unit card (Telegram) p50 / p99', `${w.inboundToCardP50Ms} / ${w.inboundToCardP99Ms} ms`, ''],
      [
        'WeCom kf sync: sync_msg calls / sync runs (delivering, most in one) / failed runs; service CPU per petition',
        `${w.kfSyncCalls} / ${w.kfSyncDoneLogs} (${w.kfSyncRunsDelivering}, ${w.kfSyncMaxDelivered}) / ${w.kfSyncFailedLogs}; ${w.serviceCpuMsPerPetition} ms`,
        '',
      ],
      [
        'WeCom every message → exactly one petition',
        `${w.checks.exactlyOnePetitionEach ? 'yes' : 'NO'} (missing ${w.checks.missingPetition}, duplicate ${w.checks.duplicatePetition}, inbound rows ${w.checks.inboundMessages}, duplicate acks ${w.checks.duplicateAck}, no card ${w.checks.noCardAtUnit})`,
        '',
      ],
    );
  }
  rows.push(
    ['peak RSS of the service process', `${r.peakRssMb} MB`, '≤ 300 MB'],
    ['memory after max rate: RSS / V8 heap total / heap used / external', r.memoryAfterMaxRateMb ? `${r.memoryAfterMaxRateMb.rss} / ${r.memoryAfterMaxRateMb.heapTotal} / ${r.memoryAfterMaxRateMb.heapUsed} / ${r.memoryAfterMaxRateMb.external} MB` : 'n/a', ''],
    ['classifier messages/s (one core, CPU time)', `${r.classifier.messagesPerSecond}`, ''],
    ['service CPU per petition (max rate)', `${r.e2e.serviceCpuMsPerPetition} ms`, ''],
  );
  for (const c of r.cost) {
    rows.push([
      `cost with ${c.stored.toLocaleString('en')} stored`,
      `${c.petitionsPerSecond}/s, ${c.serviceCpuMsPerPetition} ms CPU, ${c.seqTuplesPerPetition} seq + ${c.indexTuplesPerPetition} idx tuples, ${c.buffersPerPetition} buffers, p50 ${c.inboundToCardP50Ms} ms; notices per petition ${Object.entries(c.noticesPerPetition).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      '',
    ]);
  }
  if (r.costRatio1mTo10k !== null) rows.push(['cost ratio 1M / 10k (service CPU per petition)', `${r.costRatio1mTo10k}`, 'flat (≈ 1)']);
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c} |`);
  return [
    `# Shaosheng benchmark ${r.date}${r.tag ? ` (${r.tag})` : ''}`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}, load average at the end ${m.loadavg.join(' ')}.`,
    'Service, Postgres, Redis, load generator and recording Bot API all share this machine.',
    '',
    `| ${'measure'.padEnd(w0)} | ${'value'.padEnd(w1)} | target |`,
    `|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|--------|`,
    ...lines,
    '',
    'Targets met: ' + Object.entries(r.targets as Record<string, { met: boolean | null }>).map(([k, v]) => `${k} ${v.met === null ? 'n/a' : v.met ? 'yes' : 'NO'}`).join(', '),
    '',
  ].join('\n');
}
