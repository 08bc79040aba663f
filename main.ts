/**
 * `npm start`: read the configuration once, check it and what it points at,
 * start the service, stop cleanly on SIGINT/SIGTERM. A bad configuration, an
 * unreachable Postgres or Redis, or a port in use stops start-up with every
 * problem listed in one block.
 *
 * Migrations run in a short-lived child process (under the start-up advisory
 * lock: prisma/migrate.ts): Prisma's WebAssembly schema engine (≈ 35–50 MB
 * resident once used) never enters the long-running process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatConfigProblems, parseConfig, type ConfigProblem } from './core/config.js';
import { createLogger } from './core/log.js';
import { startupChecks } from './core/preflight.js';

const logger = createLogger({ level: 'info' });

// Every problem at once, before anything starts: the variables, then (on whatever parsed) Postgres,
// Redis and the ports. One readable block on stderr, exit code 78 (EX_CONFIG).
const parsed = parseConfig();
const problems: ConfigProblem[] = [...parsed.problems, ...(await startupChecks(parsed.values))];
if (problems.length || !parsed.config) {
  process.stderr.write(formatConfigProblems(problems));
  process.exit(78);
}
const config = parsed.config;

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
 * `prisma/migrate.ts deploy` in a child node with this process's flags (profilers and .env excluded):
 * it prints what it applied and exits; start-up fails if it fails.
 */
function migrateInChild(): Promise<void> {
  // the child inherits this process's environment, .env included: it need not read .env again
  const execArgv = process.execArgv.filter((a) => !/^--(?:cpu-prof|heap-prof|prof|inspect|env-file)/.test(a));
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./prisma/migrate.ts', import.meta.url)), ['deploy'], { execArgv, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`migrations failed (${signal ?? `exit code ${code}`})`))));
  });
}
