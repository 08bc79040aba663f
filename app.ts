/**
 * The composition root: builds the service from a Config. `main.ts` calls it
 * for `npm start`; end-to-end tests call it to run the real service in-process.
 *
 *   message in:  adapters/<platform>  →  jobs/inbox (store + enqueue)
 *   decided in:  jobs/handlers (intake)  →  bots/router  →  core/workflow
 *   reply out:   core/workflow intents  →  jobs/handlers (notify → send)  →  adapters/<platform> sender
 */
import { Redis } from 'ioredis';
import type { Bot } from 'grammy';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import type { ChannelSender } from './core/channel.js';
import { wantsSandbox, type Config } from './core/config.js';
import { createSealer } from './core/crypto.js';
import { createDb, type PrismaClient } from './core/db.js';
import { SendError } from './core/errors.js';
import type { Logger } from './core/log.js';
import { seedDefaultOrg, seedReferenceData } from './core/org/index.js';
import { systemClock, type Clock, type WorkflowDeps } from './core/workflow/context.js';
import { policyFromConfig } from './core/workflow/policy.js';
import type { Understand } from './core/workflow/understanding-port.js';
import { understand as embeddedUnderstand } from './core/understanding/index.js';
import { geocoderFromConfig, type Geocoder } from './core/understanding/place/geocoder.js';
import { warmUpPlaceResolver } from './core/understanding/place/index.js';
import { resolvePin, resolvePlaceWithGeocoder } from './core/understanding/place/pin.js';
import { createRouter } from './bots/router.js';
import { createInboundSink } from './jobs/inbox.js';
import { createQueues, type Queues } from './jobs/queues.js';
import { afterCommit, intakePump, startRelay, startWorkers } from './jobs/runtime.js';
import { defaultSchedules } from './jobs/schedules.js';
import { createInsight } from './bots/insight.js';
import { fanOut, type Runtime } from './jobs/handlers.js';
import { createServer } from './adapters/http/server.js';
import { dashboardRoutes } from './adapters/http/dashboard/routes.js';
import { open311Routes } from './adapters/open311/routes.js';
import { createMetrics, metricsRoute } from './core/metrics.js';
import * as telegram from './adapters/telegram/index.js';
import * as wecom from './adapters/wecom/index.js';
import { applyMigrations, withStartupLock } from './prisma/migrate.js';
import { seedSandboxOrg } from './core/org/sandbox.js';

export interface App {
  config: Config;
  db: PrismaClient;
  redis: Redis;
  queues: Queues;
  server?: FastifyInstance;
  url?: string;
  deps: WorkflowDeps;
  sandbox?: telegram.Sandbox;
  bot?: Bot;
  close(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** replace the understanding (tests); default: embedded classifier or the configured LLM */
  understand?: Understand;
  /** skip migrations (tests that already migrated a schema) */
  migrate?: boolean;
  /** relay/timer pass interval */
  relayIntervalMs?: number;
}

export async function startApp(config: Config, opts: AppOptions): Promise<App> {
  const { logger } = opts;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'error while closing'));
  };
  try {
    const db = createDb({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, poolMax: config.DB_POOL_MAX, connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS });
    closers.push(() => db.$disconnect());
    // Services started at once migrate and seed one after the other (the second finds it done).
    await withStartupLock(config.DATABASE_URL, config.DB_SCHEMA, async () => {
      if (opts.migrate !== false) {
        const { applied } = await applyMigrations({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, logger });
        if (applied.length) logger.info({ applied }, 'migrations applied');
      }
      if ((await db.area.count()) === 0) {
        await seedReferenceData(db);
        const org = await seedDefaultOrg(db);
        logger.info({ units: org }, 'seeded the default org (16 districts, 343 streets/townships)');
      }
    });

    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    closers.push(() => redis.quit());
    const queues = createQueues(redis, config.REDIS_PREFIX, logger);
    closers.push(() => Promise.all(Object.values(queues).map((q) => q.close())));

    const geocoder = geocoderFromConfig(config, redis, logger);
    warmUpPlaceResolver(); // load the segmenter now, not on the first resident's message
    const understand: Understand = opts.understand ?? withGeocoder(await chooseUnderstanding(config, logger), geocoder);
    const deps: WorkflowDeps = {
      db,
      sealer: createSealer(config.DATA_KEY),
      clock: opts.clock ?? systemClock,
      logger,
      policy: policyFromConfig(config),
      timeZone: config.TIME_ZONE,
      understand,
      locate: geocoder ? (point) => resolvePin(point, geocoder) : undefined,
      fanOut,
      replyWindows: { wecom_kf: wecom.KF_REPLY_WINDOW },
    };
    // With an LLM each understanding may take seconds: one message per intake transaction.
    const intakeBatch = config.CLASSIFIER === 'llm' ? 1 : config.INTAKE_BATCH;
    const sink = createInboundSink(deps, { intakeBatch });
    const senders: Partial<Record<string, ChannelSender>> = {};
    const app: App = { config, db, redis, queues, deps, close };
    const web = config.ROLE !== 'worker';
    const server = web ? createServer({ db, redis, logger, trustedProxies: config.TRUSTED_PROXIES }) : undefined;

    // ---- Telegram (a real bot, or the sandbox when no platform is configured)
    const wantSandbox = wantsSandbox(config);
    let tg: { token: string; apiRoot: string } | null = config.TELEGRAM_BOT_TOKEN ? { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } : null;
    if (!tg && wantSandbox && web) {
      const sandbox = await telegram.startSandbox({ port: config.SANDBOX_PORT, logger });
      closers.push(() => sandbox.stop());
      app.sandbox = sandbox;
      tg = { token: sandbox.token, apiRoot: sandbox.apiRoot };
      await withStartupLock(config.DATABASE_URL, config.DB_SCHEMA, () => seedSandboxOrg(db));
      logger.warn('no platform configured (TELEGRAM_BOT_TOKEN or WECOM_CORP_ID): running the Telegram sandbox with a demo org; try `npm run chat`');
    } else if (!tg && !config.WECOM_CORP_ID) {
      logger.warn('no platform configured: set TELEGRAM_BOT_TOKEN and/or WECOM_CORP_ID (see README); the service runs without chat channels');
    }
    if (tg) {
      const limits = config.TELEGRAM_SEND_LIMITS === 'unlimited' ? { perChat: { limit: 1e6, windowMs: 1000 }, global: { limit: 1e6, windowMs: 1000 } } : undefined;
      senders.telegram = telegram.createTelegramSender({ ...tg, redis, keyPrefix: config.REDIS_PREFIX, logger, limits });
      if (web) {
        const bot = telegram.createTelegramBot({ ...tg, logger, sink, botInfo: app.sandbox ? telegram.SANDBOX_BOT_INFO : undefined });
        app.bot = bot;
        if (config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_BOT_TOKEN) {
          telegram.telegramWebhookRoute(server!, { path: '/telegram/webhook', secret: config.TELEGRAM_WEBHOOK_SECRET!, bot });
          await telegram.setWebhook({ ...tg, url: `${config.PUBLIC_URL!.replace(/\/$/, '')}/telegram/webhook`, secret: config.TELEGRAM_WEBHOOK_SECRET! }).catch((err: unknown) => logger.error({ err }, 'setWebhook failed'));
          await bot.init();
        } else {
          await bot.init();
          const polling = telegram.startPolling(bot, { idleDelayMs: app.sandbox ? 300 : 0, logger });
          closers.push(() => polling.stop());
        }
        // Coordinator chats (bound to an area) get the coordinator menu.
        const coordinatorChatIds = (await db.chatBinding.findMany({ where: { platform: 'telegram', areaCode: { not: null } }, select: { chatId: true } })).map((b) => b.chatId);
        void telegram.registerCommands(bot, { logger, coordinatorChatIds }).catch((err: unknown) => logger.warn({ err }, 'setMyCommands failed (ignored)'));
      }
    }

    // ---- WeCom (staff application + 微信客服 residents)
    const wc = wecom.wecomFromConfig(config, { redis, logger });
    if (wc) {
      if (wc.sender) senders.wecom = wc.sender;
      if (wc.kfSender) senders.wecom_kf = wc.kfSender;
      if (web) {
        await server!.register(wecom.wecomCallbackRoutes, {
          path: '/wecom/callback',
          ...wc.callbackKeys,
          sink,
          client: wc.client,
          logger,
          // The sync may outlast WeCom's 5 s answer deadline: run it after answering. A lost run is
          // harmless: the next event resumes from the cursor saved in Postgres.
          onKfEvent: async (token, openKfId) => {
            void wecom.syncKf({ client: wc.client, db, token, openKfId, sink, logger }).catch((err: unknown) => logger.error({ err }, 'kf sync failed; the next event resumes from the saved cursor'));
          },
        });
      }
    }

    // ---- what leaders look at and what other systems plug into
    const metrics = createMetrics({ db, queues: Object.values(queues), logger });
    // /metrics: on the public port only behind METRICS_TOKEN; on METRICS_PORT (an internal listener) without one.
    if (!config.METRICS_PORT && !config.METRICS_TOKEN) logger.info('/metrics is off: set METRICS_TOKEN (public port, bearer) or METRICS_PORT (internal listener)');
    if (config.METRICS_PORT) {
      const internal = Fastify({ logger: false });
      await internal.register(metricsRoute, { metrics });
      await internal.listen({ port: config.METRICS_PORT, host: config.METRICS_HOST });
      closers.push(() => internal.close());
    }
    if (server) {
      if (config.METRICS_TOKEN) await server.register(metricsRoute, { metrics, bearerToken: config.METRICS_TOKEN });
      await server.register(open311Routes, {
        db,
        apiKeys: config.OPEN311_API_KEYS,
        detailKeys: config.OPEN311_DETAIL_KEYS,
        sink,
        logger,
        publicUrl: config.PUBLIC_URL,
        timeZone: config.TIME_ZONE,
      });
      await server.register(dashboardRoutes, {
        db,
        queues: Object.values(queues),
        user: config.DASHBOARD_USER,
        password: config.DASHBOARD_PASSWORD,
        sessionSecret: config.SESSION_SECRET,
        logger,
        secureCookie: config.PUBLIC_URL?.startsWith('https:') ?? false,
        startDay: config.PERIOD_START_DAY,
        timeZone: config.TIME_ZONE,
        weights: config.ASSESS_WEIGHTS,
      });
    }

    // ---- workers, relay (reconciler) and deadline timers
    const periods = { startDay: config.PERIOD_START_DAY, timeZone: config.TIME_ZONE, weights: config.ASSESS_WEIGHTS };
    const rt: Runtime = {
      deps,
      senders,
      handleInbound: createRouter({ insight: createInsight({ ...periods, logger }) }),
      intakeBatch,
      onSendError: (platform, err) => {
        if (err instanceof SendError && err.reason === 'rate_limited') metrics.recordRateLimited(platform);
        metrics.recordSendFailure(platform, err instanceof SendError ? err.reason : ((err as Error)?.name ?? 'Error'));
      },
    };
    const pump = config.ROLE !== 'web' ? intakePump(rt, config.INTAKE_CONCURRENCY) : undefined;
    const committed = (deps.afterCommit = afterCommit(rt, queues, pump));
    // Closed in reverse: the server stops taking messages, then the relay, the pump and the workers
    // stop, then the sends they started leave, then the connections close.
    closers.push(() => committed.drain());
    if (config.ROLE !== 'web') {
      const workers: Worker[] = startWorkers(rt, { connection: redis, prefix: config.REDIS_PREFIX, logger });
      closers.push(() => Promise.all(workers.map((w) => w.close())));
      if (pump) closers.push(() => pump.stop());
      const relay = startRelay(rt, queues, { logger, pump, intervalMs: opts.relayIntervalMs ?? 1000, schedules: defaultSchedules(periods) });
      closers.push(() => relay.stop());
      if (wc?.kfSender) {
        // A 微信客服 sync that failed leaves its account flagged; pick it up without waiting for the next callback.
        const resume = setInterval(() => {
          wecom.resumePendingKf({ client: wc.client, db, sink, logger }).catch((err: unknown) => logger.error({ err }, 'resuming a pending kf sync failed; will try again'));
        }, 30_000);
        closers.push(async () => clearInterval(resume));
      }
    }

    if (server) {
      app.server = server;
      app.url = await server.listen({ port: config.PORT, host: config.HOST });
      closers.push(() => server.close());
      logger.info({ url: app.url, role: config.ROLE, platforms: Object.keys(senders) }, 'Shaosheng is running');
    }
    return app;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Addresses the dictionaries cannot place go to the geocoder, when one is configured. */
function withGeocoder(understand: Understand, geocoder: Geocoder | null): Understand {
  if (!geocoder) return understand;
  return async (text, o) => {
    const u = await understand(text, o);
    if (u.place.streetCode || u.needsMoreInfo) return u;
    const place = await resolvePlaceWithGeocoder(text, { history: o.history, geocoder });
    return place.streetCode ? { ...u, place, needsLocation: false, question: undefined } : u;
  };
}

async function chooseUnderstanding(config: Config, logger: Logger): Promise<Understand> {
  if (config.CLASSIFIER === 'llm' && config.LLM_BASE_URL) {
    const { understandWithLlm } = await import('./core/understanding/llm.js');
    const llm = { baseURL: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY ?? 'none', model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES };
    return (text, o) => understandWithLlm(text, o, llm, logger);
  }
  return async (text, o) => embeddedUnderstand(text, o);
}
