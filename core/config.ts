/**
 * The one place that reads the environment. `loadConfig()` is called once at
 * start-up; every module receives the typed `Config` (or the part it needs)
 * as a parameter. A bad or missing value stops start-up with every problem
 * listed at once: each variable is parsed on its own, and the checks between
 * variables run on whatever parsed (main.ts adds the connection and port checks
 * and prints them as one block).
 *
 * Adding a variable: its parser in `variables`, its one line in `configDocs` (the
 * type requires it), a cross-check in `crossChecks` if it depends on another;
 * then `npm run docs:env` rewrites README's table and .env.example from these.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_WEIGHTS } from './insight/weights.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
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

/** Every variable and its parser (defaults included). */
export const variables = {
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** all = web + workers + bots in one process; web = HTTP + bots only; worker = queue workers only. */
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    PORT: port(3000),
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
    SANDBOX_PORT: port(9001),

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
    /** minutes an emergency without a place waits for the resident to say where before a coordinator is alerted to call back */
    EMERGENCY_PLACE_WAIT_MINUTES: int(5, 1),
    /** minutes a message waits for the resident to say whether it is their open petition's problem; then it is filed as new */
    REPEAT_CHOICE_WAIT_MINUTES: int(30, 1),
    WHISTLE_REPORT_MINUTES: int(30, 1),
    PERIOD_START_DAY: int(19, 1).pipe(z.number().max(28)),
    WORKING_DAY_CALENDAR: bool.default(true),
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
} satisfies Record<string, z.ZodType>;

export type VariableName = keyof typeof variables;
type Parsed = { [K in VariableName]: z.output<(typeof variables)[K]> };

/** A variable and what is wrong with it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * Checks between variables. Each runs on the variables that parsed; one that needs a variable that
 * did not parse is skipped (that variable is already listed).
 */
function crossChecks(c: Partial<Parsed>, failed: Set<string>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const need = (cond: boolean, variable: string, message: string) => {
    if (cond && !failed.has(variable)) out.push({ variable, message });
  };
  need(c.NODE_ENV === 'production' && !c.DATA_KEY, 'DATA_KEY', 'is required in production (64 hex characters; e.g. `openssl rand -hex 32`)');
  const webhook = c.TELEGRAM_MODE === 'webhook' && !!c.TELEGRAM_BOT_TOKEN;
  need(webhook && !c.PUBLIC_URL, 'PUBLIC_URL', 'is required when TELEGRAM_MODE=webhook');
  need(webhook && !c.TELEGRAM_WEBHOOK_SECRET, 'TELEGRAM_WEBHOOK_SECRET', 'is required when TELEGRAM_MODE=webhook');
  need(c.TELEGRAM_MODE === 'webhook' && !c.TELEGRAM_BOT_TOKEN, 'TELEGRAM_BOT_TOKEN', 'is required when TELEGRAM_MODE=webhook');
  if (c.WECOM_CORP_ID) {
    for (const k of ['WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const) {
      need(!c[k], k, 'is required when WECOM_CORP_ID is set');
    }
    need(!c.WECOM_AGENT_SECRET && !c.WECOM_KF_SECRET, 'WECOM_AGENT_SECRET', 'or WECOM_KF_SECRET is required when WECOM_CORP_ID is set');
  }
  need(!!c.WECOM_AGENT_SECRET && !!c.WECOM_CORP_ID && !c.WECOM_AGENT_ID, 'WECOM_AGENT_ID', 'is required when WECOM_AGENT_SECRET is set');
  need(c.CLASSIFIER === 'llm' && !c.LLM_BASE_URL, 'LLM_BASE_URL', 'is required when CLASSIFIER=llm');
  need(!!c.GEOCODER_BASE_URL && !c.GEOCODER_KEY, 'GEOCODER_KEY', 'is required when GEOCODER_BASE_URL is set');
  need(!!c.DASHBOARD_PASSWORD && !c.SESSION_SECRET, 'SESSION_SECRET', 'is required when DASHBOARD_PASSWORD is set (at least 32 characters; e.g. `openssl rand -hex 32`)');
  const sandbox = wantsSandbox(c);
  need(
    sandbox && c.ROLE !== 'worker' && !!c.PORT && c.PORT === c.SANDBOX_PORT,
    'SANDBOX_PORT',
    `is the same port as PORT (${c.PORT}); the sandbox needs a port of its own`,
  );
  return out;
}

/** The embedded Telegram sandbox runs when asked for, or when no platform is configured. */
export function wantsSandbox(c: Partial<Pick<Parsed, 'SANDBOX' | 'TELEGRAM_BOT_TOKEN' | 'WECOM_CORP_ID'>>): boolean {
  return c.SANDBOX ?? (!c.TELEGRAM_BOT_TOKEN && !c.WECOM_CORP_ID);
}

/** Readable text for one parse issue of `variable`. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & { expected?: string; minimum?: number | bigint; maximum?: number | bigint; exact?: boolean; values?: unknown[]; format?: string; origin?: string };
  switch (i.code) {
    case 'invalid_type':
      return i.expected === 'int' ? 'must be a whole number' : i.expected === 'number' ? 'must be a number' : `must be a ${i.expected}`;
    case 'too_small':
      if (i.origin === 'string') return i.exact ? `must be exactly ${i.minimum} characters` : `must be at least ${i.minimum} characters`;
      return `must be at least ${i.minimum}`;
    case 'too_big':
      return i.origin === 'string' ? `must be at most ${i.maximum} characters` : `must be at most ${i.maximum}`;
    case 'invalid_value':
      return `must be one of ${(i.values ?? []).join(', ')}`;
    case 'invalid_format':
      if (i.format === 'url') return 'must be a URL (scheme://host…)';
      if (i.format === 'regex') return 'has characters that are not allowed';
      return `must be a valid ${i.format}`;
    default:
      return i.message;
  }
}

/** Values shown next to a problem only when they are not secrets. */
const quoteValue = (name: string, value: string | undefined) =>
  value === undefined || configDocs[name as VariableName]?.secret ? '' : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;

export interface ParsedConfig {
  /** the configuration, when nothing is wrong */
  config?: Config;
  /** every variable that parsed (defaults applied): lets the start-up checks run beside the problems */
  values: Partial<Parsed>;
  problems: ConfigProblem[];
}

/** Parse every variable on its own, then the checks between them: every problem at once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): ParsedConfig {
  // Empty strings mean "not set", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, schema] of Object.entries(variables) as [VariableName, z.ZodType][]) {
    const r = schema.safeParse(cleaned[name]);
    if (r.success) values[name] = r.data;
    else {
      const messages = [...new Set(r.error.issues.map(describeIssue))];
      problems.push({ variable: name, message: `${messages.join('; ')}${quoteValue(name, cleaned[name])}` });
    }
  }
  problems.push(...crossChecks(values as Partial<Parsed>, new Set(problems.map((p) => p.variable))));
  if (problems.length) return { values: values as Partial<Parsed>, problems };
  const parsed = values as Parsed;
  return { config: { ...parsed, DATA_KEY: parsed.DATA_KEY ?? Buffer.from(DEV_DATA_KEY, 'hex') }, values: parsed, problems };
}

export type Config = Omit<Parsed, 'DATA_KEY'> & { DATA_KEY: Buffer };

/** Parse the environment (or any record, for tests). Throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const { config, problems } = parseConfig(env);
  if (!config) throw new ConfigError(problems.map((p) => `${p.variable}: ${p.message}`));
  return config;
}

/**
 * One readable block for a person starting the service: each variable and what is wrong with it.
 * `problems` may mix configuration problems and start-up checks (connections, ports).
 */
export function formatConfigProblems(problems: ConfigProblem[]): string {
  const width = Math.min(28, Math.max(...problems.map((p) => p.variable.length)));
  const lines = problems.map((p) => `  ${p.variable.padEnd(width)}  ${p.message}`);
  return [
    `Shaosheng cannot start: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`} with the configuration`,
    '(read from the environment, and from .env when npm scripts start it)',
    '',
    ...lines,
    '',
    'Every variable is listed with its default in .env.example and in README.md (Configuration).',
    '',
  ].join('\n');
}

export interface VariableDoc {
  /** one line: what it is for (README table and .env.example) */
  doc: string;
  /** what the table shows as the default when the parser's default is not the clearest (or there is none) */
  default?: string;
  /** a secret: never echoed back in a problem, never given a value in .env.example */
  secret?: boolean;
}

/** One line per variable. README's table and .env.example are generated from this (`npm run docs:env`). */
export const configDocs: Record<VariableName, VariableDoc> = {
  NODE_ENV: { doc: '`production` requires DATA_KEY; `test` is what the test suite uses' },
  ROLE: { doc: '`all` (web + workers in one process), `web` (HTTP + bots), `worker` (queue workers, relay, timers)' },
  PORT: { doc: 'HTTP port (`0`: any free port)' },
  HOST: { doc: 'HTTP address to listen on' },
  LOG_LEVEL: { doc: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  TIME_ZONE: { doc: 'IANA zone of deadlines, periods and every date shown' },
  DATABASE_URL: { doc: 'Postgres; the database is created if missing (tests replace its name with `shaosheng_test`)' },
  DB_POOL_MAX: { doc: 'connections per process (workers run 8 intake + 8 send jobs at once: keep headroom)' },
  DB_CONNECT_TIMEOUT_MS: { doc: 'how long to wait for a Postgres connection (explicit: Prisma 7 waits forever by default)' },
  DB_SCHEMA: { doc: 'Postgres schema of the tables' },
  REDIS_URL: { doc: 'Redis: queues, send budgets, caches (nothing that is not also in Postgres)' },
  REDIS_PREFIX: { doc: 'prefix of every Redis key (several deployments can share one Redis)' },
  DATA_KEY: { doc: '32 bytes (64 hex characters or base64) for AES-256-GCM of personal data; **required in production**', default: 'development key', secret: true },
  TELEGRAM_BOT_TOKEN: { doc: 'enables Telegram (from @BotFather)', secret: true },
  TELEGRAM_API_ROOT: { doc: 'any Bot API server (a local one, an emulator)' },
  TELEGRAM_MODE: { doc: '`polling`, or `webhook` (needs PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET)' },
  TELEGRAM_WEBHOOK_SECRET: { doc: 'checked on every webhook request (1–256 of A–Z a–z 0–9 _ -)', secret: true },
  PUBLIC_URL: { doc: 'the public https:// address of this service (webhooks, Open311 discovery, secure cookies)' },
  TELEGRAM_SEND_LIMITS: { doc: "`telegram`: Telegram's budgets (1/s per chat, 20/min per group, 30/s per bot); `unlimited`: only for a local Bot API (`npm run bench`)" },
  SANDBOX: { doc: 'run the embedded Bot API emulator with a demo org (`npm run chat`)', default: 'when no platform is configured' },
  SANDBOX_PORT: { doc: 'port of the sandbox Bot API emulator' },
  WECOM_CORP_ID: { doc: 'enables WeCom callbacks at `/wecom/callback` (needs WECOM_TOKEN, WECOM_ENCODING_AES_KEY)' },
  WECOM_API_BASE: { doc: 'WeCom API server' },
  WECOM_TOKEN: { doc: 'callback token (WeCom admin console)', secret: true },
  WECOM_ENCODING_AES_KEY: { doc: 'callback EncodingAESKey, 43 characters', secret: true },
  WECOM_AGENT_ID: { doc: 'the staff application that sends cards and messages' },
  WECOM_AGENT_SECRET: { doc: "that application's secret", secret: true },
  WECOM_KF_SECRET: { doc: 'residents through 微信客服 (customer service accounts)', secret: true },
  WECOM_ROBOT_WEBHOOK_URL: { doc: 'a group robot webhook for group notices (optional)', secret: true },
  CLASSIFIER: { doc: '`embedded`, or `llm` (LLM_*; falls back to the embedded classifier)' },
  LLM_BASE_URL: { doc: 'OpenAI-compatible API for CLASSIFIER=llm' },
  LLM_API_KEY: { doc: 'its key', secret: true },
  LLM_MODEL: { doc: 'its model' },
  LLM_TIMEOUT_MS: { doc: 'per LLM call' },
  LLM_MAX_RETRIES: { doc: 'retries per LLM call before falling back' },
  GEOCODER_BASE_URL: { doc: 'reverse geocoding of location pins and unknown addresses (AMap-style API)' },
  GEOCODER_KEY: { doc: 'its key', secret: true },
  GEOCODER_TIMEOUT_MS: { doc: 'per geocoder call' },
  GEOCODER_DAILY_QUOTA: { doc: 'geocoder calls per day, all processes together' },
  INTAKE_BATCH: { doc: 'most waiting messages one intake transaction takes; CLASSIFIER=llm always uses 1' },
  INTAKE_CONCURRENCY: { doc: 'intake transactions a working process runs at once; more than its cores only makes batches smaller (`npm run bench`)' },
  REPEAT_WINDOW_DAYS: { doc: "days in which a resident's open petition of the same category and street may be the same problem (folded only when it is; asked when unsure)" },
  RATING_WINDOW_DAYS: { doc: 'days the satisfaction survey waits for an answer' },
  REPEAT_CHOICE_WAIT_MINUTES: { doc: 'how long a message waits for the resident to say "same problem" or "new problem"; then it is filed as a new petition' },
  EMERGENCY_PLACE_WAIT_MINUTES: { doc: "an emergency without a place gets safety advice at once; still no place after this, the district's coordinator (or, with no district, the admins) is alerted to call back" },
  INFO_WAIT_HOURS: { doc: 'how long a question to the resident (where is it?) waits; then the petition goes to its district, or is closed' },
  WHISTLE_REPORT_MINUTES: { doc: 'default 报到 window of a whistle' },
  PERIOD_START_DAY: { doc: 'day of the month an assessment period starts (1–28)' },
  WORKING_DAY_CALENDAR: { doc: 'count limits longer than a day (7 d, 15 d, extensions) in working days with Chinese holidays and 调休 (`chinese-days`); 24 h and shorter limits run on the clock' },
  CLUSTER_THRESHOLD: { doc: 'residents on one problem in one street before the coordinator is offered merge/whistle' },
  ASSESS_WEIGHTS: { doc: "weights of the three rates' composite and of 基本满意 / 部分解决 (`name=number,…`; the first three add up to 1); shown on the dashboard", default: 'response=0.1,resolution=0.5,satisfaction=0.4,basically=0.9,partly=0' },
  DASHBOARD_USER: { doc: 'login of `/dashboard` and `/admin/queues`' },
  DASHBOARD_PASSWORD: { doc: 'its password; without it (and SESSION_SECRET) the dashboard is off', secret: true },
  SESSION_SECRET: { doc: 'signs dashboard sessions, at least 32 characters (`openssl rand -hex 32`)', secret: true },
  PHONE_REVEALS_PER_DAY: { doc: "how many times one staff member may reveal a resident's phone in 24 h (the 📞 button; each reveal is audited)" },
  OPEN311_API_KEYS: { doc: 'comma-separated keys for `POST /open311/v2/requests`', secret: true },
  OPEN311_DETAIL_KEYS: { doc: 'comma-separated keys whose `GET` reads see requests in full (masked text, exact address); others get the summary and the coarse place', secret: true },
  TRUSTED_PROXIES: { doc: 'proxies whose X-Forwarded-For is believed (addresses, CIDRs, `loopback`); none by default (SECURITY.md)' },
  METRICS_TOKEN: { doc: '`/metrics` on the public port answers only `Authorization: Bearer <token>` (16+ characters); unset: not on the public port', secret: true },
  METRICS_PORT: { doc: 'a separate listener for `/metrics` only, without a token (for Prometheus on an internal network)' },
  METRICS_HOST: { doc: 'address of the METRICS_PORT listener' },
};

/** The default a person reads in the table ('' when there is none). */
export function defaultText(name: VariableName): string {
  const d = configDocs[name];
  if (d.default !== undefined) return d.default;
  const r = (variables[name] as z.ZodType).safeParse(undefined);
  if (!r.success || r.data === undefined) return '';
  return Array.isArray(r.data) ? r.data.join(',') : String(r.data);
}
