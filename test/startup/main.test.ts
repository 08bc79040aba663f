/**
 * `npm start` as a person runs it: `node --import tsx main.ts` in a child process. A broken
 * configuration, an unreachable Postgres or Redis, or a port in use stops it before anything starts
 * with one readable block and exit code 78; `.env` is read by the start script; two services started
 * at once on a fresh database both come up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { dropDatabase, withDatabase } from '../../prisma/migrate.js';
import { testDatabaseUrl } from '../helpers/db.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** The machine's PATH and nothing else of this process's environment (no stray settings). */
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? root, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; stderr: ${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const startService = (env: Record<string, string>) => run(process.execPath, ['--import', 'tsx', 'main.ts'], { env: { ...baseEnv(), ...env } });

async function listen(port = 0): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as { port: number }).port, server };
}

/** A local port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('npm start with a broken set-up', () => {
  it('lists every wrong setting, cross-setting problem and unreachable service in one block, exit 78', async () => {
    const [pg, redis] = [await closedPort(), await closedPort()];
    const r = await startService({
      PORT: 'eighty',
      TELEGRAM_MODE: 'hook',
      LOG_LEVEL: 'loud',
      DB_POOL_MAX: '0',
      CLASSIFIER: 'llm',
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pg}/shaosheng`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
    });
    expect(r.code).toBe(78);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.stderr).toContain('Shaosheng cannot start: 7 problems');
    const line = (v: string) => new RegExp(`^ {2}${v} +\\S.*$`, 'm');
    for (const v of ['PORT', 'TELEGRAM_MODE', 'LOG_LEVEL', 'DB_POOL_MAX', 'LLM_BASE_URL']) expect(r.stderr).toMatch(line(v));
    expect(r.stderr).toMatch(new RegExp(`^ {2}DATABASE_URL +cannot reach Postgres at 127\\.0\\.0\\.1:${pg}: connection refused`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^ {2}REDIS_URL +cannot reach Redis at 127\\.0\\.0\\.1:${redis}: connection refused`, 'm'));
    // one readable block, not a JSON log line with escaped newlines; nothing started
    expect(r.stderr).not.toContain('\\n');
    expect(r.stderr).not.toMatch(/^\{"level"/m);
    expect(r.stdout).not.toContain('running');
  });

  it('names PORT and SANDBOX_PORT when they are in use, before anything starts', async () => {
    const web = await listen();
    const sandbox = await listen();
    const r = await startService({ PORT: String(web.port), HOST: '127.0.0.1', SANDBOX_PORT: String(sandbox.port), REDIS_URL: loadConfig().REDIS_URL, DATABASE_URL: testDatabaseUrl() });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('2 problems');
    expect(r.stderr).toMatch(new RegExp(`^ {2}PORT +port ${web.port} on 127\\.0\\.0\\.1 is in use`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^ {2}SANDBOX_PORT +port ${sandbox.port} on 127\\.0\\.0\\.1 is in use`, 'm'));
    expect(r.stderr).not.toContain('EADDRINUSE');
  });

  it('the start script reads .env from the working directory (the environment wins over it)', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain('--env-file-if-exists=.env');
    const dir = await mkdtemp(path.join(tmpdir(), 'shaosheng-env-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    await writeFile(path.join(dir, '.env'), 'TELEGRAM_MODE=hook\nPORT=from-dotenv\nLOG_LEVEL=loud\n');
    const script = pkg.scripts.start!.replace(/ main\.ts$/, ` ${path.join(root, 'main.ts')}`);
    const r = await run('sh', ['-c', script], { cwd: dir, env: { ...baseEnv(), LOG_LEVEL: 'info' } });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^ {2}TELEGRAM_MODE +must be one of polling, webhook \(got "hook"\)$/m);
    expect(r.stderr).toMatch(/^ {2}PORT +must be a number \(got "from-dotenv"\)$/m);
    expect(r.stderr).not.toMatch(/^ {2}LOG_LEVEL/m);
  });
});

describe('npm start twice at once on a fresh database', () => {
  it('both services come up: migrations and the default org are done once, under a lock', async () => {
    const url = withDatabase(testDatabaseUrl(), `shaosheng_twostart_${randomBytes(4).toString('hex')}`);
    cleanups.push(() => dropDatabase(url));
    const prefix = `test_twostart_${randomBytes(4).toString('hex')}`;
    const ports = [await closedPort(), await closedPort()];
    const children: ChildProcess[] = [];
    const outputs = ['', ''];
    const up = ports.map(
      (port, i) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
            cwd: root,
            env: { ...baseEnv(), DATABASE_URL: url, REDIS_URL: loadConfig().REDIS_URL, REDIS_PREFIX: prefix, ROLE: 'web', PORT: String(port), HOST: '127.0.0.1', SANDBOX: 'false', DB_POOL_MAX: '4', NODE_ENV: 'test' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          children.push(child);
          child.stdout!.on('data', (d: Buffer) => (outputs[i] += d.toString()));
          child.stderr!.on('data', (d: Buffer) => (outputs[i] += d.toString()));
          child.once('exit', (code) => reject(new Error(`service ${i} exited with ${code}: ${outputs[i]!.slice(-3000)}`)));
          const poll = async () => {
            const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
            if (ok) resolve();
            else setTimeout(() => void poll(), 250);
          };
          void poll();
        }),
    );
    cleanups.push(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    });
    await Promise.all(up);
    for (const c of children) c.removeAllListeners('exit');
    const stopped = children.map((c) => new Promise<number | null>((r) => c.once('exit', r)));
    for (const c of children) c.kill('SIGTERM');
    expect(await Promise.all(stopped)).toEqual([0, 0]);
    expect(outputs.join('\n')).not.toContain('Area_pkey');
  }, 120_000);
});
