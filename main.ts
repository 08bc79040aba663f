/**
 * `npm start`: read the configuration once, start the service, stop cleanly
 * on SIGINT/SIGTERM. A bad configuration stops start-up with every problem listed.
 *
 * Migrations run in a short-lived child process while the service's modules load:
 * Prisma's WebAssembly schema engine (≈ 35–50 MB resident once used) never enters
 * the long-running process.
 */
import { spawn } from 'node:child_process';
import { loadConfig, type Config } from './core/config.js';
import { ConfigError } from './core/errors.js';
import { createLogger } from './core/log.js';

const logger = createLogger({ level: 'info' });

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    logger.fatal({ problems: err.problems }, err.message);
    process.exit(78);
  }
  throw err;
}

const appLogger = createLogger({ level: config.LOG_LEVEL });
const app = await Promise.all([migrateInChild(config), import('./app.js')])
  .then(([applied, { startApp }]) => {
    if (applied.length) appLogger.info({ applied }, 'migrations applied');
    return startApp(config, { logger: appLogger, migrate: false });
  })
  .catch((err: unknown) => {
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    app.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

/**
 * `applyMigrations` (prisma/migrate.ts) in a child node with this process's flags, logging
 * as the service does; resolves to the names of the migrations it applied.
 */
function migrateInChild(config: Config): Promise<string[]> {
  const script = `
process.once('message', ({ migrate, log, url, schema, level }) => {
  process.once('disconnect', () => process.exit(1));
  Promise.all([import(migrate), import(log)])
    .then(([m, l]) => m.applyMigrations({ url, schema, logger: l.createLogger({ level }) }))
    .then(({ applied }) => process.send({ applied }), (err) => process.send({ error: { message: String(err && err.message || err), stack: err && err.stack } }))
    .finally(() => process.disconnect());
});`;
  const execArgv = process.execArgv.filter((a) => !/^--(?:cpu-prof|heap-prof|prof|inspect)/.test(a));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, '-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    type Answer = { applied?: string[]; error?: { message: string; stack?: string } };
    let answer: Answer | undefined;
    child.on('message', (m: Answer) => (answer = m));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer?.applied) return resolve(answer.applied);
      const err = new Error(answer?.error?.message ?? `migrations: child process exited (${signal ?? code})`);
      if (answer?.error?.stack) err.stack = answer.error.stack;
      reject(err);
    });
    child.send({
      migrate: new URL('./prisma/migrate.ts', import.meta.url).href,
      log: new URL('./core/log.ts', import.meta.url).href,
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      level: config.LOG_LEVEL,
    });
  });
}
