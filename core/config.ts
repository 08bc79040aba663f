/**
 * The one place that reads the environment. `loadConfig()` is called once at
 * start-up; every module receives the typed `Config` (or the part it needs)
 * as a parameter. A bad or missing value stops start-up with every problem
 * listed at once.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_WEIGHTS } from './insight/weights.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const url = z.url();
const optionalUrl = url.optional();
const optional = z.string().min(1).optional();
/** comma-separated values */
const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .default([]);

/** 32 bytes for AES-256-GCM, given as 64 hex chars or base64. */
const dataKey = z.string().transform((v, ctx) => {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (buf.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes (64 hex characters or base64)' });
    return z.NEVER;
  }
  return buf;
});

/** Development-only key so `npm start` works on a fresh clone; production must set DATA_KEY. */
const DEV_DATA_KEY = '0000000000000000000000000000000000000000000000000000000000000000';

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** all = web + workers + bots in one process; web = HTTP + bots only; worker = queue workers only. */
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    PORT: int(3000),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TIME_ZONE: z.string().default('Asia/Shanghai'),

    DATABASE_URL: url.default('postgresql://postgres@127.0.0.1:5432/shaosheng'),
    /** Explicit because Prisma 7's pg defaults wait forever for a connection. */
    /** Workers run 8 intake + 8 outbound jobs at once, plus the relay and the inbox: keep headroom. */
    DB_POOL_MAX: int(24, 1),
    DB_CONNECT_TIMEOUT_MS: int(5000, 1),
    DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
    REDIS_URL: url.default('redis://127.0.0.1:6379'),
    /** Prefix of every Redis key (queues, limiters, caches); tests use one per file. */
    REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('shaosheng'),
    DATA_KEY: dataKey.optional(),

    TELEGRAM_BOT_TOKEN: optional,
    TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).optional(),
    PUBLIC_URL: optionalUrl,
    /**
     * Send budgets of the Telegram sender. `telegram` (default): Telegram's limits (1/s per chat,
     * 20/min per group, 30/s per bot). `unlimited`: per-chat and per-bot budgets lifted (group budget kept),
     * only for a local Bot API without limits, e.g. `npm run bench`; never against api.telegram.org.
     */
    TELEGRAM_SEND_LIMITS: z.enum(['telegram', 'unlimited']).default('telegram'),
    /** Start the embedded Bot API emulator with a demo org when no platform is configured. */
    SANDBOX: bool.optional(),
    SANDBOX_PORT: int(9001),

    WECOM_CORP_ID: optional,
    WECOM_API_BASE: url.default('https://qyapi.weixin.qq.com'),
    WECOM_TOKEN: optional,
    WECOM_ENCODING_AES_KEY: z.string().length(43).optional(),
    WECOM_AGENT_ID: optional,
    WECOM_AGENT_SECRET: optional,
    WECOM_KF_SECRET: optional,
    WECOM_ROBOT_WEBHOOK_URL: optionalUrl,

    CLASSIFIER: z.enum(['embedded', 'llm']).default('embedded'),
    LLM_BASE_URL: optionalUrl,
    LLM_API_KEY: optional,
    LLM_MODEL: z.string().default('gpt-4o-mini'),
    LLM_TIMEOUT_MS: int(8000, 1),
    LLM_MAX_RETRIES: int(1),

    GEOCODER_BASE_URL: optionalUrl,
    GEOCODER_KEY: optional,
    GEOCODER_TIMEOUT_MS: int(3000, 1),
    GEOCODER_DAILY_QUOTA: int(5000),

    /** most inbound messages one intake transaction takes (those waiting when it starts); 1 with CLASSIFIER=llm */
    INTAKE_BATCH: int(32, 1),
    /** intake transactions a process runs at once (its pump); more than the cores only makes batches smaller */
    INTAKE_CONCURRENCY: int(2, 1),

    REPEAT_WINDOW_DAYS: int(30, 1),
    RATING_WINDOW_DAYS: int(14, 1),
    /** hours a question to the resident waits for an answer before the petition goes on without it */
    INFO_WAIT_HOURS: int(24, 1),
    WHISTLE_REPORT_MINUTES: int(30, 1),
    PERIOD_START_DAY: int(19, 1).pipe(z.number().max(28)),
    WORKING_DAY_CALENDAR: bool.default(false),
    CLUSTER_THRESHOLD: int(3, 2),
    /** times one staff member may reveal a resident's phone (📞 联系市民) in 24 h */
    PHONE_REVEALS_PER_DAY: int(20, 0),
    /**
     * Weights of the three rates' composite and of 基本满意 / 部分解决 inside their rates, e.g.
     * `response=0.1,resolution=0.5,satisfaction=0.4,basically=0.9,partly=0` (the default: Beijing's
     * assessment); the first three must add up to 1. Shown on the dashboard.
     */
    ASSESS_WEIGHTS: z
      .string()
      .transform((v, ctx) => {
        const out: Record<string, number> = {};
        for (const part of v.split(',').map((x) => x.trim()).filter(Boolean)) {
          const m = /^(response|resolution|satisfaction|basically|partly)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
          if (!m || Number(m[2]) > 1) {
            ctx.addIssue({ code: 'custom', message: `"${part}" is not name=number (response, resolution, satisfaction, basically, partly; 0–1)` });
            return z.NEVER;
          }
          out[m[1]!] = Number(m[2]);
        }
        const w = { ...DEFAULT_WEIGHTS, ...out };
        if (Math.abs(w.response + w.resolution + w.satisfaction - 1) > 1e-9) {
          ctx.addIssue({ code: 'custom', message: `response + resolution + satisfaction must be 1 (is ${w.response + w.resolution + w.satisfaction})` });
          return z.NEVER;
        }
        return w;
      })
      .optional(),

    DASHBOARD_USER: z.string().default('admin'),
    DASHBOARD_PASSWORD: optional,
    SESSION_SECRET: z.string().min(32).optional(),
    OPEN311_API_KEYS: list,
    /** Open311 keys that may read requests in full (masked text, exact address); everyone else gets the summary and the coarse place */
    OPEN311_DETAIL_KEYS: list,

    /**
     * Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs, or `loopback`);
     * default none: the client is the socket's peer, so nobody can pick their own address (login limits).
     */
    TRUSTED_PROXIES: list,
    /** `Authorization: Bearer <token>` that /metrics on the public port requires; unset: /metrics is not on the public port */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** a separate listener for /metrics only (no token), on METRICS_HOST; for Prometheus on an internal network */
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    METRICS_HOST: z.string().default('127.0.0.1'),
  })
  .superRefine((c, ctx) => {
    const need = (cond: boolean, path: string, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    need(c.NODE_ENV === 'production' && !c.DATA_KEY, 'DATA_KEY', 'is required in production');
    need(
      c.TELEGRAM_MODE === 'webhook' && !!c.TELEGRAM_BOT_TOKEN && !c.PUBLIC_URL,
      'PUBLIC_URL',
      'is required when TELEGRAM_MODE=webhook',
    );
    need(
      c.TELEGRAM_MODE === 'webhook' && !!c.TELEGRAM_BOT_TOKEN && !c.TELEGRAM_WEBHOOK_SECRET,
      'TELEGRAM_WEBHOOK_SECRET',
      'is required when TELEGRAM_MODE=webhook',
    );
    if (c.WECOM_CORP_ID) {
      for (const k of ['WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const) {
        need(!c[k], k, 'is required when WECOM_CORP_ID is set');
      }
      need(!c.WECOM_AGENT_SECRET && !c.WECOM_KF_SECRET, 'WECOM_AGENT_SECRET', 'or WECOM_KF_SECRET is required when WECOM_CORP_ID is set');
    }
    need(c.CLASSIFIER === 'llm' && !c.LLM_BASE_URL, 'LLM_BASE_URL', 'is required when CLASSIFIER=llm');
  })
  .transform((c) => ({ ...c, DATA_KEY: c.DATA_KEY ?? Buffer.from(DEV_DATA_KEY, 'hex') }));

export type Config = z.infer<typeof configSchema>;

/** Parse the environment (or any record, for tests). Throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "not set", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}
