/**
 * Start-up checks that a configuration can be read and still fail: Postgres or Redis that cannot be
 * reached, a port another program holds. They run before anything starts (main.ts), each with a
 * short timeout, and answer as configuration problems naming the variable and the host:port.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { wantsSandbox, type Config, type ConfigProblem } from './config.js';

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function hostPort(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || defaultPort}`;
  } catch {
    return url;
  }
}

/** Why a connection failed, in words (no credentials: the URL is never repeated). */
function reason(err: unknown, timeoutMs: number): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED') return 'connection refused (is it running?)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  if (e.code === 'ETIMEDOUT' || /timeout|timed out/i.test(e.message ?? '')) return `no answer within ${seconds(timeoutMs)}`;
  if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') return 'host unreachable';
  if (e.code === '28P01' || e.code === '28000') return `login refused (${e.message})`;
  return e.message?.split('\n')[0] ?? String(err);
}

/** null when Postgres answers (a database that does not exist yet is fine: start-up creates it). */
export async function checkPostgres(url: string, timeoutMs = 3000): Promise<ConfigProblem | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    if ((err as { code?: string }).code === '3D000') return null; // database missing: created by the migrations
    return { variable: 'DATABASE_URL', message: `cannot reach Postgres at ${hostPort(url, 5432)}: ${reason(err, timeoutMs)}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** null when Redis answers PING. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<ConfigProblem | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let first: unknown; // ioredis rejects with "Connection is closed"; the cause is the first error event
  redis.on('error', (err) => (first ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), late]);
    return null;
  } catch (err) {
    return { variable: 'REDIS_URL', message: `cannot reach Redis at ${hostPort(url, 6379)}: ${reason(first ?? err, timeoutMs)}` };
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/** null when `port` on `host` can be listened on (0 = any port: always). */
export async function checkPortFree(variable: string, host: string, port: number): Promise<ConfigProblem | null> {
  if (port === 0) return null;
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is in use by another program' : err.code === 'EACCES' ? 'may not be used by this user' : err.message;
      resolve({ variable, message: `port ${port} on ${host} ${why}` });
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * What must hold before anything starts, checked at once with short timeouts: Postgres and Redis
 * answer, and the ports this process will listen on are free (PORT for the HTTP server, SANDBOX_PORT
 * for the sandbox). Runs on whatever variables parsed, so it is listed beside the configuration's
 * own problems.
 */
export async function startupChecks(c: Partial<Config>, opts: { timeoutMs?: number } = {}): Promise<ConfigProblem[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const web = (c.ROLE ?? 'all') !== 'worker';
  const sandbox = web && wantsSandbox(c) && !c.TELEGRAM_BOT_TOKEN;
  const checks = [
    c.DATABASE_URL ? checkPostgres(c.DATABASE_URL, timeoutMs) : null,
    c.REDIS_URL ? checkRedis(c.REDIS_URL, timeoutMs) : null,
    web && c.PORT !== undefined && c.HOST ? checkPortFree('PORT', c.HOST, c.PORT) : null,
    sandbox && c.SANDBOX_PORT !== undefined && c.SANDBOX_PORT !== c.PORT ? checkPortFree('SANDBOX_PORT', '127.0.0.1', c.SANDBOX_PORT) : null,
  ];
  return (await Promise.all(checks)).filter((p): p is ConfigProblem => !!p);
}
