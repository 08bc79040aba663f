/**
 * Postgres is the record: two real worker processes (`main.ts` with
 * ROLE=worker) share the work, Redis is flushed mid-flow, and still every
 * message becomes exactly one petition whose card reaches the unit once and
 * whose acknowledgement reaches the resident once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createDb, type PrismaClient } from '../../core/db.js';
import { createSealer } from '../../core/crypto.js';
import { createLogger } from '../../core/log.js';
import { seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import { DEFAULT_POLICY } from '../../core/workflow/policy.js';
import { systemClock, type WorkflowDeps } from '../../core/workflow/context.js';
import { understand } from '../../core/understanding/index.js';
import { applyMigrations, ident } from '../../prisma/migrate.js';
import { createInboundSink } from '../../jobs/inbox.js';
import { fanOut } from '../../jobs/handlers.js';
import { createQueues, enqueueOutbox, type Queues } from '../../jobs/queues.js';
import { testDatabaseUrl } from '../helpers/db.js';
import { startBotApiRecorder, type BotApiRecorder } from '../peers/bot-api-recorder.js';
import { startOwnRedis, type OwnRedis } from '../peers/redis-server.js';
import pg from 'pg';

const N = 30;
let url: string;
let schema: string;
let db: PrismaClient;
let redis: OwnRedis;
let producer: Redis;
let queues: Queues;
let recorder: BotApiRecorder;
const workers: ChildProcess[] = [];
const logger = createLogger({ level: 'silent' });

function startWorker(prefix: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      ROLE: 'worker',
      LOG_LEVEL: 'error',
      DATABASE_URL: url,
      DB_SCHEMA: schema,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: '123456:TESTTOKEN',
      TELEGRAM_API_ROOT: recorder.apiRoot,
      SANDBOX: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  url = testDatabaseUrl();
  schema = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await applyMigrations({ url, schema });
  db = createDb({ url, schema, poolMax: 4 });
  await seedReferenceData(db);
  await seedDefaultOrg(db);
  await db.chatBinding.create({ data: { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_mgmt' } });
  redis = await startOwnRedis();
  recorder = await startBotApiRecorder();
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
  await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
  producer?.disconnect();
  await redis?.stop();
  await recorder?.close();
  await db?.$disconnect();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
  await c.end();
});

async function waitFor(cond: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting');
}

describe('outbox + reconciler', () => {
  it('two workers and a FLUSHALL mid-flow: nothing lost, nothing doubled', async () => {
    const prefix = 'dur';
    producer = new Redis(redis.url, { maxRetriesPerRequest: null });
    queues = createQueues(producer, prefix, logger);
    const deps: WorkflowDeps = {
      db,
      sealer: createSealer(Buffer.alloc(32, 0)),
      clock: systemClock,
      logger,
      policy: DEFAULT_POLICY,
      timeZone: 'Asia/Shanghai',
      understand: async (t, o) => understand(t, o),
      fanOut,
      afterCommit: (rows) => enqueueOutbox(queues, rows),
    };
    const sink = createInboundSink(deps);
    const send = (i: number) =>
      sink({ platform: 'telegram', messageId: `m${i}`, chatId: String(5000 + i), chatType: 'private', userId: String(5000 + i), text: `朝阳区三里屯街道 ${i}号楼 垃圾桶满了好几天没人清运`, receivedAt: new Date() });

    // Messages queued before any worker runs, then a flush wipes those jobs.
    for (let i = 0; i < N / 2; i++) await send(i);
    await redis.flushAll();
    startWorker(prefix);
    startWorker(prefix);
    for (let i = N / 2; i < N; i++) await send(i);
    // Every message delivered twice by the platform: the second is a no-op.
    for (let i = 0; i < N; i++) expect(await send(i)).toBe(false);
    await waitFor(async () => (await db.petition.count()) >= N / 2, 60_000);
    await redis.flushAll();

    await waitFor(async () => (await db.outbox.count({ where: { doneAt: null } })) === 0 && (await db.petition.count()) === N, 90_000);
    // let any duplicate that might still be in flight arrive
    await new Promise((r) => setTimeout(r, 1500));

    expect(await db.petition.count()).toBe(N);
    expect(await db.inboundMessage.count({ where: { status: 'processed' } })).toBe(N);
    const numbers = (await db.petition.findMany({ select: { number: true } })).map((p) => p.number);
    const cards = recorder.sends().filter((c) => c.body.chat_id === -2001);
    // Each order reaches the unit's group once: as its own card, or inside one digest when the group's budget is spent.
    for (const n of numbers) expect(cards.filter((c) => String(c.body.text).includes(`派单 ${n}`))).toHaveLength(1);
    for (let i = 0; i < N; i++) {
      const acks = recorder.sends().filter((c) => c.body.chat_id === 5000 + i);
      expect(acks.map((a) => String(a.body.text).slice(0, 40))).toHaveLength(1);
    }
  }, 150_000);
});
