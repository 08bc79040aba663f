/**
 * Shared by `npm run bench` and `npm run chaos`: a throwaway Postgres schema
 * with the default org whose units are bound to private Telegram chats, the
 * real service (`node --import tsx main.ts`, with the node flags of `npm start`) as a child process in webhook
 * mode, Telegram updates posted with the secret header, and small statistics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb, type PrismaClient } from '../core/db.js';
import { seedDefaultOrg, seedReferenceData } from '../core/org/index.js';
import { applyMigrations, ensureDatabase, ident, withDatabase } from '../prisma/migrate.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Unit chats are private chats (positive ids) from here on: no group budget, no digests. */
export const UNIT_CHAT_BASE = 700_000_000;
export const BOT_TOKEN = '123456:BENCHTOKEN';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Schema {
  url: string;
  schema: string;
  db: PrismaClient;
  /** unit id → its (private) chat id */
  unitChats: Map<string, number>;
  sql(text: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/**
 * A fresh schema in `database` (its own database, so per-database statistics
 * are ours alone), migrated, seeded with the default org (604 units), every
 * unit bound to its own private Telegram chat.
 */
export async function createSchema(baseUrl: string, database: string, prefix = 'b'): Promise<Schema> {
  const url = withDatabase(baseUrl, database);
  await ensureDatabase(url);
  await dropStaleSchemas(url, prefix);
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await applyMigrations({ url, schema });
  const db = createDb({ url, schema, poolMax: 4 });
  await seedReferenceData(db);
  await seedDefaultOrg(db);
  const units = await db.unit.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  const unitChats = new Map(units.map((u, i) => [u.id, UNIT_CHAT_BASE + i] as const));
  await db.chatBinding.createMany({ data: units.map((u) => ({ platform: 'telegram', chatId: String(unitChats.get(u.id)), unitId: u.id })) });
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined); // an idle connection cut by a database restart (chaos suite) is simply replaced
  return {
    url,
    schema,
    db,
    unitChats,
    sql: (text, params) => pool.query(text, params as unknown[]),
    async drop() {
      await db.$disconnect();
      await pool.end();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      await c.end();
    },
  };
}

/** Schemas of crashed or interrupted runs (older than an hour) are removed. */
async function dropStaleSchemas(url: string, prefix: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${prefix}\\_%`]);
    for (const { nspname } of rows) {
      const born = parseInt(nspname.split('_')[1] ?? '', 36);
      if (Number.isFinite(born) && Date.now() - born > 3_600_000) await c.query(`DROP SCHEMA IF EXISTS ${ident(nspname)} CASCADE`).catch(() => undefined);
    }
  } finally {
    await c.end();
  }
}

export interface Service {
  proc: ChildProcess;
  pid: number;
  url: string;
  secret: string;
  /** everything the process wrote to stdout and stderr */
  logs(): string;
  /** VmHWM (peak resident set) of the process, in MB */
  peakRssMb(): number;
  /** user + system CPU seconds the process used so far */
  cpuSeconds(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export interface ServiceOptions {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  redisPrefix: string;
  apiRoot: string;
  role?: 'all' | 'web' | 'worker';
  port?: number;
  logLevel?: string;
  secret?: string;
  env?: Record<string, string>;
  /** extra node flags after those of `npm start`, e.g. --cpu-prof */
  nodeArgs?: string[];
}

const DATA_KEY = randomBytes(32).toString('hex');

/**
 * The node flags of `npm start` (package.json "start": `node <flags> --import tsx main.ts`), so the
 * service is measured as it runs in production (heap cap included); `nodeArgs` come after them and win.
 */
function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.start ?? '';
  const args = start.trim().split(/\s+/);
  const flags: string[] = [];
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--import') i++; // the loader is added below
    else if (args[i]!.startsWith('-')) flags.push(args[i]!);
    else break; // the entry point
  }
  return args[0] === 'node' ? flags : [];
}

/** /metrics of a benched service answers this bearer. */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0000';

/** Start `main.ts` (the real service) and wait until it listens (web/all) or has started (worker). */
export async function startService(o: ServiceOptions): Promise<Service> {
  const port = o.port ?? (await freePort());
  const secret = o.secret ?? 'bench_secret_' + randomBytes(8).toString('hex');
  const role = o.role ?? 'all';
  const proc = spawn(process.execPath, [...startNodeFlags(), ...(o.nodeArgs ?? []), '--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATA_KEY,
      ROLE: role,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: o.logLevel ?? 'info',
      DATABASE_URL: o.databaseUrl,
      DB_SCHEMA: o.schema,
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.redisPrefix,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: o.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
      TELEGRAM_SEND_LIMITS: 'unlimited',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SANDBOX: 'false',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      // BENCH_ENV_<NAME>=value sets <NAME> for the service (e.g. BENCH_ENV_INTAKE_BATCH=8)
      ...Object.fromEntries(Object.entries(process.env).flatMap(([k, v]) => (k.startsWith('BENCH_ENV_') ? [[k.slice(10), v]] : []))),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  let started = false;
  let onStart: () => void = () => undefined;
  const startedP = new Promise<void>((r) => (onStart = r));
  const collect = (b: Buffer) => {
    const s = b.toString();
    chunks.push(s);
    if (!started && /Shaosheng is running|"msg":"migrations applied"/.test(s)) {
      started = true;
      onStart();
    }
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited during start-up (${proc.exitCode}):\n${chunks.join('').slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`service did not start in 60 s:\n${chunks.join('').slice(-3000)}`);
    if (role === 'worker') {
      // A worker has no HTTP server: give it time to connect and run its first relay pass.
      await Promise.race([startedP, sleep(2500)]);
      await sleep(1500);
      break;
    }
    if (await healthy(url)) break;
    await sleep(100);
  }
  const pid = proc.pid!;
  let lastHwm = 0;
  let lastCpu = 0;
  const peakRssMb = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) lastHwm = Number(m[1]) / 1024;
    } catch {
      /* exited: keep the last reading */
    }
    return Math.round(lastHwm);
  };
  const cpuSeconds = () => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime + stime in clock ticks (USER_HZ = 100 on Linux)
      lastCpu = (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      /* exited */
    }
    return lastCpu;
  };
  return {
    proc,
    pid,
    url,
    secret,
    logs: () => chunks.join(''),
    peakRssMb,
    cpuSeconds,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      peakRssMb();
      cpuSeconds();
      proc.kill(signal);
      await exited;
    },
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`);
    return r.ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- Telegram updates

let updateSeq = 1;

export function textUpdate(userId: number, messageId: number, text: string): Record<string, unknown> {
  return {
    update_id: updateSeq++,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: '居民' },
      from: { id: userId, is_bot: false, first_name: '居民', language_code: 'zh-hans' },
      text,
    },
  };
}

export function callbackUpdate(userId: number, data: string, messageId = 1): Record<string, unknown> {
  return {
    update_id: updateSeq++,
    callback_query: {
      id: `cq${updateSeq}${randomBytes(3).toString('hex')}`,
      from: { id: userId, is_bot: false, first_name: '居民', language_code: 'zh-hans' },
      chat_instance: '1',
      data,
      message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: userId, type: 'private', first_name: '居民' }, text: 'x' },
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface PostResult {
  status: number;
  ms: number;
  body: string;
}

/** POST raw bytes to the service (the webhook path by default) with the secret header. */
export function postRaw(url: string, body: Buffer | string, headers: Record<string, string> = {}, pathName = '/telegram/webhook'): Promise<PostResult> {
  const t0 = performance.now();
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${pathName}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(buf.length), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}

export function postUpdate(svc: { url: string; secret: string }, update: object): Promise<PostResult> {
  return postRaw(svc.url, JSON.stringify(update), { 'x-telegram-bot-api-secret-token': svc.secret });
}

// ---------------------------------------------------------------- petition texts

/** Everyday complaints, one per common category; combined with every street of Beijing. */
const PROBLEMS = [
  '小区门口的垃圾桶满了好几天没人清运，味道很大',
  '楼下路灯坏了一个多星期，晚上黑漆漆的不安全',
  '我们楼从早上开始停水，也没有通知，什么时候能恢复',
  '晚上十二点以后还有工地在施工，噪音太大睡不着',
  '单元楼的电梯又坏了，老人上下楼很困难，物业不修',
  '路口有个井盖丢了，很危险，赶紧派人处理',
  '人行道上有商贩占道经营，行人只能走机动车道',
  '暖气一点都不热，屋里只有十五度',
  '小区里乱停车堵住了消防通道',
  '下水道堵了，污水漫到路面上',
  '楼道里堆满了杂物，物业一直不清理',
  '家门口的树枝快断了，刮风的时候很危险',
];

/**
 * Petition texts the embedded classifier places down to a street (so each
 * becomes a dispatched petition): every street of Beijing × everyday
 * complaints, shuffled, so a run rarely repeats a street and category (no
 * artificial cluster growth). Texts that read as a bot command are left out.
 */
export async function dispatchableTexts(): Promise<string[]> {
  const { understand } = await import('../core/understanding/index.js');
  const { parseCommand } = await import('../bots/commands.js');
  const areas = JSON.parse(readFileSync(path.join(ROOT, 'core/taxonomy/areas.json'), 'utf8')) as {
    districts: { name: string; streets: { code: string; name: string; communities?: { name: string }[] }[] }[];
  };
  const out: string[] = [];
  let k = 0;
  for (const d of areas.districts) {
    for (const st of d.streets) {
      const community = st.communities?.[0]?.name ?? '';
      for (const problem of PROBLEMS) {
        const text = `${d.name}${st.name}${community}${1 + (k++ % 20)}号楼，${problem}`;
        if (parseCommand({ text })) continue;
        const u = understand(text);
        if (u.place.streetCode === st.code && !u.needsMoreInfo && u.triage.kind === 'none') out.push(text);
      }
    }
  }
  if (out.length < 500) throw new Error(`only ${out.length} dispatchable texts`);
  // deterministic shuffle: neighbours differ in street and category
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------- statistics and machine

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function machine(databaseUrl: string, redisVersion: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const { rows } = await c.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version']);
  await c.end();
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30),
    loadavg: os.loadavg().map((x) => round(x, 2)),
    node: process.version,
    postgres: rows[0]!.v,
    redis: redisVersion,
    os: `${os.type()} ${os.release()}`,
  };
}

export { ident };
