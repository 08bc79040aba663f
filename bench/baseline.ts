/**
 * The bare baseline: a BullMQ worker whose job does one Postgres INSERT, at
 * the service's worker concurrency, on the same Redis and Postgres. Run as its
 * own process by bench/run.ts:
 *
 *   node --import tsx bench/baseline.ts <redisUrl> <databaseUrl> <schema> <jobs> <concurrency>
 *
 * Prints one JSON line: { jobs, seconds, jobsPerSecond }.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

const [redisUrl, databaseUrl, schema, jobsArg, concArg] = process.argv.slice(2);
if (!redisUrl || !databaseUrl || !schema) throw new Error('usage: baseline.ts <redisUrl> <databaseUrl> <schema> <jobs> <concurrency>');
const jobs = Number(jobsArg ?? 3000);
const concurrency = Number(concArg ?? 8);
const prefix = 'baseline';

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, options: `-c search_path=${schema}` });
await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, job text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue('{baseline}', { connection, prefix });
await queue.obliterate({ force: true }).catch(() => undefined);

// Queue everything first, then time the worker draining it.
for (let i = 0; i < jobs; i += 500) {
  await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'insert', data: { n: i + k }, opts: { removeOnComplete: { count: 2000 } } })));
}
let done = 0;
let finish: () => void = () => undefined;
const finished = new Promise<void>((r) => (finish = r));
const t0 = performance.now();
const worker = new Worker(
  '{baseline}',
  async (job) => {
    await pool.query('INSERT INTO bench_baseline (job) VALUES ($1)', [job.id]);
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency },
);
worker.on('completed', () => {
  if (++done === jobs) finish();
});
await finished;
const seconds = (performance.now() - t0) / 1000;
const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_baseline');
await worker.close();
await queue.obliterate({ force: true }).catch(() => undefined);
await queue.close();
connection.disconnect();
await pool.query('DROP TABLE bench_baseline');
await pool.end();
process.stdout.write(JSON.stringify({ jobs, inserted: Number(rows[0]!.n), concurrency, seconds: Math.round(seconds * 100) / 100, jobsPerSecond: Math.round(jobs / seconds) }) + '\n');
process.exit(0);
