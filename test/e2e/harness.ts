/**
 * The running service for end-to-end tests: `startApp` in-process on a fresh
 * Postgres schema and a unique Redis prefix, talking to the embedded Bot API
 * emulator (telegram-test-api) exactly as `npm start` does. Test code plays
 * people with the emulator's client and reads what the bot sent from the
 * emulator's store; a small recorder on the emulator also notes the Bot API
 * calls it does not store (answerCallbackQuery) and the time of every send.
 *
 *   const e = await startE2e();                 // beforeEach / inside a test
 *   const resident = e.person({ userId: 1001, chatId: 1001, type: 'private' });
 *   await resident.say('朝阳区三里屯…垃圾…');
 *   const card = await e.waitFor('-2001', (m) => m.text.includes('派单'));
 *   await e.person(STAFF).press(card, '签收');
 *   await e.close();                            // afterEach
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startApp, type App } from '../../app.js';
import { loadConfig } from '../../core/config.js';
import { createDb, type PrismaClient } from '../../core/db.js';
import { createLogger } from '../../core/log.js';
import type { Clock } from '../../core/workflow/context.js';
import { findFreePort, SANDBOX_USERS } from '../../adapters/telegram/index.js';
import type { TelegramTestServer } from '../../adapters/telegram/sandbox.js';
import { applyMigrations, ident } from '../../prisma/migrate.js';
import { testDatabaseUrl } from '../helpers/db.js';

export const RESIDENT = { userId: 1001, chatId: 1001, type: 'private' as const, firstName: '居民' };
export const STAFF = { userId: 2001, chatId: -2001, type: 'group' as const, firstName: '工作人员', chatTitle: SANDBOX_USERS.staff.chatTitle };
export const COORDINATOR = { userId: 3001, chatId: -3001, type: 'group' as const, firstName: '协调员', chatTitle: SANDBOX_USERS.coordinator.chatTitle };

/** A clock that follows real time plus an offset the test moves forward. */
export class ShiftClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

export interface Button {
  text: string;
  callback_data: string;
}

/** A bot message as a chat shows it now (edits applied). */
export interface BotMessage {
  messageId: number;
  chatId: string;
  text: string;
  buttons: Button[];
  forceReply: boolean;
  /** the message this one is threaded to (reply_parameters / reply_to_message_id) */
  replyTo?: number;
}

export interface ApiCall {
  method: string;
  chatId?: string;
  body: Record<string, unknown>;
  at: number;
}

export interface Person {
  readonly userId: number;
  readonly chatId: number;
  /** a plain text message */
  say(text: string, extra?: Record<string, unknown>): Promise<void>;
  /** a message without text: a voice note, a video, a document, a sticker… (`{ voice: { file_id, … } }`) */
  send(fields: Record<string, unknown>): Promise<void>;
  /** a slash command, e.g. `/whistle 2611250001 城管 住建 1` */
  command(text: string): Promise<void>;
  /** reply to one of the bot's messages (a ForceReply prompt or a card) */
  reply(to: BotMessage, text: string): Promise<void>;
  /** press the button whose label contains `label` */
  press(on: BotMessage, label: string): Promise<void>;
  /** press with raw callback data */
  pressData(on: BotMessage, data: string): Promise<void>;
}

export interface E2e {
  app: App;
  server: TelegramTestServer;
  clock: ShiftClock;
  token: string;
  schema: string;
  calls: ApiCall[];
  person(p: { userId: number; chatId: number; type: 'private' | 'group'; firstName?: string; chatTitle?: string }): Person;
  /** every message the bot sent to a chat, oldest first */
  messages(chatId: string | number): BotMessage[];
  /** wait until a bot message in the chat satisfies `match` (default 15 s) */
  waitFor(chatId: string | number, match: (m: BotMessage) => boolean, timeoutMs?: number): Promise<BotMessage>;
  /** wait until `cond` holds (polled) */
  until(cond: () => Promise<boolean> | boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** wait until every outbox row is done and nothing has been added for a moment */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface E2eOptions {
  env?: Record<string, string>;
  /** runs on the migrated, empty schema before the service starts (seed, bind chats…) */
  prepare?: (db: PrismaClient) => Promise<void>;
  relayIntervalMs?: number;
}

let migrating: Promise<unknown> = Promise.resolve();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records Bot API calls on the emulator (it stores messages but not answerCallbackQuery). */
function recordCalls(server: TelegramTestServer, calls: ApiCall[]) {
  const web = (server as unknown as { webServer: { _router: { stack: { name: string }[] }; use: (fn: unknown) => void } }).webServer;
  web.use((req: { path: string; body?: unknown }, _res: unknown, next: () => void) => {
    const m = /^\/bot[^/]+\/(\w+)$/.exec(req.path);
    if (m) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      calls.push({ method: m[1]!, chatId: body.chat_id === undefined ? undefined : String(body.chat_id), body, at: Date.now() });
    }
    next();
  });
  // Run right after the body parsers, before the routes answer.
  const stack = web._router.stack;
  const layer = stack.pop()!;
  const after = stack.findIndex((l) => l.name === 'urlencodedParser');
  stack.splice(after + 1, 0, layer);
}

export async function startE2e(opts: E2eOptions = {}): Promise<E2e> {
  const url = testDatabaseUrl();
  const schema = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const prefix = `e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  // The schema engine takes one advisory lock per database: migrate one schema at a time.
  const turn = migrating.then(() => applyMigrations({ url, schema }));
  migrating = turn.catch(() => undefined);
  await turn;
  if (opts.prepare) {
    const db = createDb({ url, schema, poolMax: 2 });
    try {
      await opts.prepare(db);
    } finally {
      await db.$disconnect();
    }
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DB_SCHEMA: schema,
    // 8 intake + 8 outbound workers, the inbox and the test's own queries share the pool
    DB_POOL_MAX: '14',
    REDIS_URL: loadConfig().REDIS_URL,
    REDIS_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX_PORT: String(await findFreePort()),
    ...opts.env,
  });
  const clock = new ShiftClock();
  const logger = createLogger({ level: process.env.E2E_LOG ?? 'silent' });
  let app: App;
  try {
    app = await startApp(config, { logger, clock, migrate: false, relayIntervalMs: opts.relayIntervalMs ?? 200 });
  } catch (err) {
    await dropSchema(url, schema);
    throw err;
  }
  const calls: ApiCall[] = [];
  const server = app.sandbox?.server as TelegramTestServer;
  if (server) recordCalls(server, calls);
  const token = app.sandbox?.token ?? config.TELEGRAM_BOT_TOKEN ?? '';

  const messages = (chatId: string | number): BotMessage[] => {
    if (!server) return [];
    const store = (server as unknown as { storage: { botMessages: { messageId: number; message: Record<string, unknown> }[] } }).storage.botMessages;
    return store
      .filter((u) => String(u.message.chat_id) === String(chatId))
      .map((u) => {
        const markup = (u.message.reply_markup ?? {}) as { inline_keyboard?: Button[][]; force_reply?: boolean };
        const thread = (u.message.reply_parameters as { message_id?: number } | undefined)?.message_id ?? (u.message.reply_to_message_id as number | undefined);
        return {
          messageId: u.messageId,
          chatId: String(chatId),
          text: String(u.message.text ?? ''),
          buttons: (markup.inline_keyboard ?? []).flat(),
          forceReply: !!markup.force_reply,
          ...(thread !== undefined ? { replyTo: Number(thread) } : {}),
        };
      })
      .sort((a, b) => a.messageId - b.messageId);
  };

  const until = async (cond: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = 'condition') => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await cond()) return;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  };

  const waitFor = async (chatId: string | number, match: (m: BotMessage) => boolean, timeoutMs = 15_000) => {
    let found: BotMessage | undefined;
    await until(
      () => {
        found = messages(chatId).find(match);
        return !!found;
      },
      timeoutMs,
      `a bot message in chat ${chatId}; it has: ${JSON.stringify(messages(chatId).map((m) => m.text.slice(0, 60)))}`,
    );
    return found!;
  };

  const person = (p: { userId: number; chatId: number; type: 'private' | 'group'; firstName?: string; chatTitle?: string }): Person => {
    const client = server.getClient(token, { userId: p.userId, chatId: p.chatId, type: p.type, firstName: p.firstName ?? `user${p.userId}`, chatTitle: p.chatTitle ?? p.firstName ?? `chat${p.chatId}`, timeout: 5000 });
    const withLang = <T extends { from: object }>(m: T) => ({ ...m, from: { ...m.from, language_code: 'zh-hans' } });
    return {
      userId: p.userId,
      chatId: p.chatId,
      async say(text, extra) {
        await client.sendMessage(withLang(client.makeMessage(text, extra)));
      },
      async send(fields) {
        await client.sendMessage(withLang({ ...client.makeMessage(''), text: undefined, ...fields } as ReturnType<typeof client.makeMessage>));
      },
      async command(text) {
        await client.sendCommand(withLang(client.makeCommand(text)));
      },
      async reply(to, text) {
        await client.sendMessage(withLang(client.makeMessage(text, { reply_to_message: { message_id: to.messageId, chat: { id: p.chatId, type: p.type }, date: Math.floor(Date.now() / 1000), text: to.text } })));
      },
      async press(on, label) {
        const b = on.buttons.find((x) => x.text.includes(label));
        if (!b) throw new Error(`no button "${label}" on message #${on.messageId}: ${on.buttons.map((x) => x.text).join(' | ')}`);
        await this.pressData(on, b.callback_data);
      },
      async pressData(on, data) {
        const cb = client.makeCallbackQuery(data, { message: { message_id: on.messageId, text: on.text, date: Math.floor(Date.now() / 1000) } });
        await client.sendCallback({ ...cb, from: { ...cb.from, language_code: 'zh-hans' } } as typeof cb);
      },
    };
  };

  const settle = async (timeoutMs = 15_000) => {
    let quietSince = 0;
    let lastCount = -1;
    await until(
      async () => {
        const [open, total] = await Promise.all([app.db.outbox.count({ where: { doneAt: null } }), app.db.outbox.count()]);
        if (open > 0 || total !== lastCount) {
          lastCount = total;
          quietSince = Date.now();
          return false;
        }
        return Date.now() - quietSince > 600;
      },
      timeoutMs,
      'the outbox to drain',
    );
  };

  let closed = false;
  return {
    app,
    server,
    clock,
    token,
    schema,
    calls,
    person,
    messages,
    waitFor,
    until,
    settle,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await dropSchema(url, schema);
      const r = new Redis(config.REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await r.unlink(...keys);
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}

async function dropSchema(url: string, schema: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
  } finally {
    await c.end();
  }
}
