/**
 * The Procfile is what a deployment runs: its `release` command migrates a fresh schema, its `web`
 * command serves /healthz and /readyz and stops cleanly on SIGTERM. The systemd units run the same
 * commands as the Procfile.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { ident } from '../../prisma/migrate.js';
import { testDatabaseUrl } from '../helpers/db.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schema = `t_${Date.now().toString(36)}_proc${randomBytes(3).toString('hex')}`;
const prefix = `test_proc_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const c = new pg.Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).finally(() => c.end());
});

/** `name: command` lines (comments and blank lines skipped), as Procfile runners read them. */
function procfile(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path.join(root, 'Procfile'), 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line.trim());
    if (m && !line.trim().startsWith('#')) out[m[1]!] = m[2]!;
  }
  return out;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  NODE_ENV: 'test',
  DATABASE_URL: testDatabaseUrl(),
  DB_SCHEMA: schema,
  REDIS_URL: loadConfig().REDIS_URL,
  REDIS_PREFIX: prefix,
  SANDBOX: 'false',
  DB_POOL_MAX: '4',
  ...extra,
});

describe('Procfile', () => {
  it('has release, web and worker; release migrates, web serves /readyz and stops on SIGTERM', async () => {
    const p = procfile();
    expect(Object.keys(p).sort()).toEqual(['release', 'web', 'worker']);
    expect(p.web).toContain('ROLE=web');
    expect(p.worker).toContain('ROLE=worker');

    const release = spawn('sh', ['-c', p.release!], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let releaseOut = '';
    release.stdout.on('data', (d: Buffer) => (releaseOut += d.toString()));
    release.stderr.on('data', (d: Buffer) => (releaseOut += d.toString()));
    expect(await new Promise((r) => release.once('exit', r)), releaseOut).toBe(0);
    expect(releaseOut).toMatch(/applied \d+ migration/);

    const port = await freePort();
    const web = spawn('sh', ['-c', p.web!], { cwd: root, env: env({ PORT: String(port), HOST: '127.0.0.1' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    web.stdout.on('data', (d: Buffer) => (out += d.toString()));
    web.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => web.once('exit', r));
    try {
      const end = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < end && web.exitCode === null) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready, out.slice(-3000)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(out).toContain('"role":"web"');
    } finally {
      if (web.exitCode === null) process.kill(-web.pid!, 'SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('the systemd units run the Procfile commands', () => {
    const p = procfile();
    for (const [unit, role] of [['shaosheng-web.service', 'web'], ['shaosheng-worker@.service', 'worker']] as const) {
      const text = readFileSync(path.join(root, 'deploy/systemd', unit), 'utf8');
      expect(text).toContain(`Environment=ROLE=${role}`);
      const exec = /^ExecStart=(\S+) (.+)$/m.exec(text)!;
      expect(exec[1]).toMatch(/\/node$/);
      expect(p[role]).toContain(`exec node ${exec[2]}`);
      expect(text).toContain('RestartPreventExitStatus=78');
    }
  });
});
