/**
 * Peers the chaos suite may break: a throwaway Postgres cluster (initdb +
 * pg_ctl in a temp dir, on a free port; the machine's shared Postgres is never
 * restarted), a TCP proxy in front of Postgres that can refuse connections for
 * a while (a database outage without stopping any server), and a redis-server
 * that can be stopped and started again on the same port.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, sleep } from '../../bench/lib.js';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function until(cond: () => Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} did not come up in ${ms} ms`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------- Postgres

export interface OwnPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server binaries, or null. */
function pgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

/**
 * initdb a cluster in a temp dir and start it on a free port. As root the
 * server must run as `postgres` (runuser). Returns a reason string when this
 * machine cannot do it (the caller skips the fault with that message).
 */
export async function startOwnPostgres(): Promise<OwnPostgres | string> {
  const bin = pgBin();
  if (!bin) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  const root = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (root) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    } catch {
      return 'running as root and there is no postgres user to run a server as';
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shaosheng-chaos-pg-'));
  const data = path.join(dir, 'data');
  if (root) {
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args]) as [string, string[]];
  try {
    const [c, a] = as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    execFileSync(c, a, { stdio: 'ignore' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${(err as Error).message.split('\n')[0]}`;
  }
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=64MB`;
  const ctl = (action: string, extra: string[] = []) => {
    const [c, a] = as('pg_ctl', [action, '-D', data, '-w', '-t', '30', ...extra]);
    execFileSync(c, a, { stdio: 'ignore' });
  };
  try {
    ctl('start', ['-o', opts, '-l', path.join(dir, 'log')]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `pg_ctl start failed: ${(err as Error).message.split('\n')[0]}`;
  }
  await until(() => answers(port), 20_000, 'postgres');
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      // asynchronously: the caller keeps sending while the server is down (the log file keeps the
      // server from holding pg_ctl's output pipes open, which would never let execFile finish)
      const [c, a] = as('pg_ctl', ['restart', '-D', data, '-w', '-t', '30', '-m', 'fast', '-o', opts, '-l', path.join(dir, 'log')]);
      await promisify(execFile)(c, a);
      await until(() => answers(port), 20_000, 'postgres');
    },
    async stop() {
      try {
        ctl('stop', ['-m', 'immediate']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------- Postgres behind a proxy

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's */
  via(url: string): string;
  /** cut every connection and refuse new ones (nothing listens on the port) until `accept` */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP proxy on a free port to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const x of [client, upstream]) x.on('error', end).on('close', end);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });
  await listen();
  const refuse = async () => {
    const s = server;
    server = null;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const x of sockets) x.destroy();
    sockets.clear();
    await closed;
  };
  return {
    port,
    via: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    refuse,
    async accept() {
      if (!server) await listen();
    },
    stop: refuse,
  };
}

// ---------------------------------------------------------------- Redis

export interface RestartableRedis {
  url: string;
  port: number;
  flushAll(): Promise<void>;
  /** stop the server (everything in it is lost: no persistence) and start it again on the same port after `downMs` */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  let proc: ChildProcess;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until(() => answers(port), 10_000, 'redis-server');
  };
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    async flushAll() {
      const admin = new Redis(url, { maxRetriesPerRequest: 3 });
      await admin.flushall();
      admin.disconnect();
    },
    async restart(downMs = 1000) {
      await stop();
      await sleep(downMs);
      await start();
    },
    stop,
  };
}
