/**
 * `npm start`: read the configuration once, start the service, stop cleanly
 * on SIGINT/SIGTERM. A bad configuration stops start-up with every problem listed.
 */
import { loadConfig, type Config } from './core/config.js';
import { ConfigError } from './core/errors.js';
import { createLogger } from './core/log.js';
import { startApp } from './app.js';

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

const app = await startApp(config, { logger: createLogger({ level: config.LOG_LEVEL }) }).catch((err: unknown) => {
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
