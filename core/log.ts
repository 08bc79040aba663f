/**
 * pino with a central redaction list. Secrets are removed by path; phone
 * numbers, ID numbers and e-mails are masked in every string that is logged,
 * wherever it sits, because free text from residents can end up in an error.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { maskText } from './pii.js';

export type { Logger };

const REDACT_PATHS = [
  '*.token',
  '*.secret',
  '*.password',
  '*.apiKey',
  '*.accessToken',
  '*.access_token',
  '*.authorization',
  'headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
  '*.phone',
  '*.idNumber',
  '*.text',
  '*.originalText',
  'config.DATA_KEY',
  'config.TELEGRAM_BOT_TOKEN',
  'config.WECOM_AGENT_SECRET',
  'config.WECOM_KF_SECRET',
  'config.LLM_API_KEY',
];

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value).replace(/bot\d+:[\w-]{20,}/g, 'bot<token>');
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, depth + 1), stack: scrub(value.stack, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

export function createLogger(opts: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'shaosheng',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrub(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
