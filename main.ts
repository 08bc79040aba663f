/**
 * `npm start`: read the configuration once, start the service, stop cleanly
 * on SIGINT/SIGTERM. A bad configuration stops start-up with every problem listed.
 *
 * Migrations run in a short-lived child process while the service's modules load:
 * Prisma's WebAssembly schema engine (≈ 35–50 MB resident once used) never enters
 * the long-running process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
const app = await Promise.all([migrateInChild(), import('./app.js')])
  .then(([, { startApp }]) => startApp(config, { logger: appLogger, migrate: false }))
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
 * `prisma/migrate.ts deploy` in a child node with this process's flags (profilers excluded):
 * it prints what it applied and exits; start-up fails if it fails.
 */
function migrateInChild(): Promise<void> {
  const execArgv = process.execArgv.filter((a) => !/^--(?:cpu-prof|heap-prof|prof|inspect)/.test(a));
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./prisma/migrate.ts', import.meta.url)), ['deploy'], { execArgv, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`migrations failed (${signal ?? `exit code ${code}`})`))));
  });
}
