/**
 * The local sandbox: an embedded Bot API emulator (telegram-test-api) that
 * the service talks to exactly as it would to Telegram, and that the terminal
 * client (`npm run chat`, cli/chat.ts) drives as three demo people.
 *
 * What the emulator implements: getMe, getUpdates (no long polling: it
 * answers at once), sendMessage, editMessageText, editMessageReplyMarkup,
 * deleteMessage, answerCallbackQuery, setWebhook, deleteWebhook. Anything
 * else (sendPhoto, setMyCommands, sendChatAction…) answers an error, which
 * the adapter tolerates (photo → text, menu → skipped). Its webhook mode
 * sends no secret header, so the sandbox always polls.
 *
 * The emulator knows no media methods; the sandbox takes sendPhoto, sendVoice, sendVideo,
 * sendDocument and sendLocation by file id (how evidence reaches a unit) and stores each as a bot
 * message whose text says what it is (`[voice] <file_id>`, `[location] lat,lng`), so the chat
 * client and the tests see it. Uploads (multipart, e.g. charts) still answer an error.
 *
 * The emulator forgets the text of answerCallbackQuery (the pop-up a button
 * press shows); the sandbox keeps it, with the chat of the press, and serves
 * them at `POST /sandbox/answers` so the terminal client can show them.
 */
import { createServer } from 'node:net';
import telegramTestApi from 'telegram-test-api';
import type { TelegramServer as TelegramServerClass, TelegramServerConfig } from 'telegram-test-api/lib/telegramServer.js';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from '../../core/log.js';

// CommonJS default export: tsx/vitest hand over either the class or the module object.
type ServerCtor = new (config?: Partial<TelegramServerConfig>) => TelegramServerClass;
const TelegramServer: ServerCtor =
  (telegramTestApi as unknown as { default?: ServerCtor }).default ?? (telegramTestApi as unknown as ServerCtor);
export type TelegramTestServer = TelegramServerClass;

/** Fixed demo token: the emulator accepts any token, and a fixed one lets `npm run chat` find the bot without setup. */
export const SANDBOX_TOKEN = '1234567890:SANDBOX';

/** The emulator's getMe answer; pass as `botInfo` to skip the call. */
export const SANDBOX_BOT_INFO: UserFromGetMe = {
  id: 666,
  is_bot: true,
  first_name: 'Test First name',
  username: 'TestNameBot',
  can_join_groups: true,
  can_read_all_group_messages: true,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/**
 * The demo people. The org seeding binds staff.chatId (and housing.chatId) to a
 * demo unit's group and coordinator.chatId to a street's coordination group,
 * registers the userIds as staff / coordinator of those, and the steward and
 * the lane chief with their places in the same street.
 */
export const SANDBOX_USERS = {
  resident: { userId: 1001, chatId: 1001, type: 'private', firstName: '居民', chatTitle: '居民' },
  staff: { userId: 2001, chatId: -2001, type: 'group', firstName: '工作人员', chatTitle: '示范单位工作群' },
  coordinator: { userId: 3001, chatId: -3001, type: 'group', firstName: '协调员', chatTitle: '街道吹哨协调群' },
  /** a second department (住建委) for a whistle with a lead and a co-handler */
  housing: { userId: 2201, chatId: -2201, type: 'group', firstName: '住建工作人员', chatTitle: '住建委工作群' },
  steward: { userId: 4001, chatId: 4001, type: 'private', firstName: '小巷管家', chatTitle: '小巷管家' },
  lane_chief: { userId: 4101, chatId: 4101, type: 'private', firstName: '街巷长', chatTitle: '街巷长' },
} as const;
export type SandboxRole = keyof typeof SANDBOX_USERS;

/** A free TCP port on 127.0.0.1 (the emulator treats port 0 as "use 9000"). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The pop-up a button press got (answerCallbackQuery with text). */
export interface SandboxAnswer {
  seq: number;
  chatId: string;
  userId: string;
  text: string;
}

export interface Sandbox {
  /** Give this to createTelegramBot / createTelegramSender as apiRoot. */
  apiRoot: string;
  token: string;
  port: number;
  server: TelegramTestServer;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** config.SANDBOX_PORT (default 9001); 0 picks a free port (tests). */
  port: number;
  logger: Logger;
  /** Seconds the emulator keeps messages (read or not). Default 3600 so a long demo keeps its history. */
  storeTimeoutSec?: number;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const port = opts.port === 0 ? await findFreePort() : opts.port;
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: opts.storeTimeoutSec ?? 3600 });
  keepAnswers(server);
  acceptMedia(server);
  await server.start();
  const apiRoot = `http://127.0.0.1:${port}`;
  opts.logger.info({ apiRoot, botUsername: SANDBOX_BOT_INFO.username }, 'Telegram sandbox (telegram-test-api) started; talk to it with `npm run chat`');
  let stopped = false;
  return {
    apiRoot,
    token: SANDBOX_TOKEN,
    port,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

interface StoredCallback {
  callbackId?: number;
  callbackQuery?: { from?: { id?: number }; message?: { chat?: { id?: number } } };
}
type ExpressLike = {
  _router: { stack: { name: string }[] };
  use: (fn: (req: { path: string; method: string; body?: Record<string, unknown> }, res: { json: (v: unknown) => void }, next: () => void) => void) => void;
};

/** Records answerCallbackQuery texts with the chat they answer, and serves them (see the header). */
function keepAnswers(server: TelegramTestServer) {
  const answers: SandboxAnswer[] = [];
  const web = (server as unknown as { webServer: ExpressLike }).webServer;
  const storage = (server as unknown as { storage: { userMessages: StoredCallback[] } }).storage;
  web.use((req, res, next) => {
    if (req.path === '/sandbox/answers') {
      const since = Number(req.body?.since ?? 0);
      return res.json({ ok: true, result: answers.filter((a) => a.seq > since) });
    }
    const text = req.body?.text;
    if (/^\/bot[^/]+\/answerCallbackQuery$/.test(req.path) && typeof text === 'string' && text) {
      const press = storage.userMessages.find((u) => String(u.callbackId) === String(req.body?.callback_query_id));
      const userId = String(press?.callbackQuery?.from?.id ?? '');
      answers.push({ seq: answers.length + 1, chatId: String(press?.callbackQuery?.message?.chat?.id ?? userId), userId, text });
    }
    next();
  });
  // Run right after the emulator's body parsers, before its routes answer.
  const stack = web._router.stack;
  const layer = stack.pop()!;
  stack.splice(stack.findIndex((l) => l.name === 'urlencodedParser') + 1, 0, layer);
}

const MEDIA_METHODS: Record<string, string> = { sendPhoto: 'photo', sendVoice: 'voice', sendVideo: 'video', sendDocument: 'document', sendLocation: 'location' };

/** Media re-sent by file id, stored as bot messages that say what they are (see the header). */
function acceptMedia(server: TelegramTestServer) {
  const web = (server as unknown as { webServer: ExpressLike }).webServer;
  const store = server as unknown as { addBotMessage: (message: Record<string, unknown>, token: string) => unknown };
  web.use((req, res, next) => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    const kind = m ? MEDIA_METHODS[m[2]!] : undefined;
    const body = req.body;
    if (!m || !kind || !body?.chat_id) return next();
    const file = kind === 'location' ? `${String(body.latitude)},${String(body.longitude)}` : body[kind];
    if (typeof file !== 'string' || !file) return next();
    const caption = typeof body.caption === 'string' && body.caption ? ` ${body.caption}` : '';
    res.json({ ok: true, result: store.addBotMessage({ ...body, text: `[${kind}] ${file}${caption}`, media: { kind, file } }, m[1]!) });
  });
  const stack = web._router.stack;
  const layer = stack.pop()!;
  stack.splice(stack.findIndex((l) => l.name === 'urlencodedParser') + 1, 0, layer);
}
