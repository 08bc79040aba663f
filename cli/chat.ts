/**
 * `npm run chat`: a terminal Telegram client for the sandbox. It talks to the
 * embedded Bot API emulator the service started (`npm start` without a
 * TELEGRAM_BOT_TOKEN), playing one of three demo people:
 *
 *   resident     user 1001 in a private chat with the bot
 *   staff        user 2001 in the demo unit's group chat (-2001)
 *   coordinator  user 3001 in the street's coordination group (-3001)
 *
 * Plain lines are sent as messages, `/cmd args` as commands. The bot's
 * messages appear with their number (#14) and numbered buttons. Commands:
 *
 *   :as resident|staff|coordinator|housing|steward|lane_chief   switch person (r / s / c / h / w / l for short)
 *   :press N [#M]                    press button N (of message #M, default the latest with buttons)
 *   :reply #M text                   reply to message #M (a prompt that asked for a reply is answered automatically)
 *   :loc LAT LNG                     share a location (WGS-84), e.g. :loc 39.9219 116.4436
 *   :photo [caption]                 send a (placeholder) photo with a caption
 *   :voice [seconds]                 send a (placeholder) voice note (no text: the bot asks for words)
 *   :contact PHONE                   share your own phone number
 *   :lang zh|en                      the language your Telegram app reports
 *   :help   :quit
 *
 * Options: --port N (default SANDBOX_PORT, 9001), --token T (default the sandbox token).
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../core/config.js';
import { SANDBOX_TOKEN, SANDBOX_USERS, type SandboxAnswer, type SandboxRole } from '../adapters/telegram/sandbox.js';

interface BotButton {
  text: string;
  callback_data?: string;
}
interface StoredBotMessage {
  messageId: number;
  message: { chat_id: number | string; text?: string; caption?: string; reply_markup?: { inline_keyboard?: BotButton[][]; force_reply?: boolean } };
}

const ROLES = Object.keys(SANDBOX_USERS) as SandboxRole[];
const ROLE_ALIASES: Record<string, SandboxRole> = { r: 'resident', s: 'staff', c: 'coordinator', h: 'housing', w: 'steward', l: 'lane_chief' };

export interface ChatClientOptions {
  apiRoot: string;
  token: string;
  /** Where lines for the person go (console in the REPL, an array in tests). */
  print: (line: string) => void;
  /** Told when the person played changes (the REPL updates its prompt before printing). */
  onRole?: (role: SandboxRole) => void;
}

export function createChatClient(opts: ChatClientOptions) {
  let role: SandboxRole = 'resident';
  let language = 'zh';
  let nextPlaceholder = 1;
  /** Last rendering of each bot message, to show new and edited ones once. */
  const shown = new Map<number, string>();
  const messages = new Map<number, StoredBotMessage>();
  /** Pop-ups of button presses already shown (the sandbox's answers, see adapters/telegram/sandbox.ts). */
  let answersSeen = 0;

  const person = () => SANDBOX_USERS[role];
  /** The demo person whose chat this is: their usual chat, or (staff, coordinator) their private chat with the bot. */
  const roleOfChat = (chatId: string) => ROLES.find((r) => String(SANDBOX_USERS[r].chatId) === chatId) ?? ROLES.find((r) => String(SANDBOX_USERS[r].userId) === chatId);
  const isPrivateOfGroupRole = (chatId: string) => ROLES.some((r) => String(SANDBOX_USERS[r].userId) === chatId && String(SANDBOX_USERS[r].chatId) !== chatId);

  async function post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${opts.apiRoot}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}`);
    return res.json();
  }

  function from() {
    const p = person();
    return { id: p.userId, is_bot: false, first_name: p.firstName, username: `demo_${role}`, language_code: language };
  }
  function chat() {
    const p = person();
    return p.type === 'private'
      ? { id: p.chatId, type: 'private', first_name: p.firstName }
      : { id: p.chatId, type: 'group', title: p.chatTitle };
  }
  const meta = () => ({ botToken: opts.token, date: Math.floor(Date.now() / 1000), from: from(), chat: chat() });

  /** Messages of the current chat, oldest first. */
  function chatMessages(): StoredBotMessage[] {
    return [...messages.values()].filter((m) => String(m.message.chat_id) === String(person().chatId)).sort((a, b) => a.messageId - b.messageId);
  }
  function buttonsOf(m: StoredBotMessage): BotButton[] {
    return (m.message.reply_markup?.inline_keyboard ?? []).flat();
  }

  function render(m: StoredBotMessage, edited: boolean): string[] {
    const chatRole = roleOfChat(String(m.message.chat_id));
    const own = isPrivateOfGroupRole(String(m.message.chat_id)) ? ' · private' : '';
    const tag = chatRole === role && !own ? '' : `[${chatRole ?? m.message.chat_id}${own}] `;
    const head = `🤖 ${tag}#${m.messageId}${edited ? ' (edited)' : ''}: `;
    const body = (m.message.text ?? m.message.caption ?? '').split('\n');
    const lines = [head + body[0], ...body.slice(1).map((l) => '   ' + l)];
    let n = 0;
    for (const row of m.message.reply_markup?.inline_keyboard ?? []) {
      lines.push('   ' + row.map((b) => `[${++n}] ${b.text}`).join('   '));
    }
    if (m.message.reply_markup?.force_reply) lines.push('   ↩ (your next line answers this message)');
    return lines;
  }

  /** Fetch the bot's messages from the emulator and print what is new or changed. */
  async function poll(): Promise<number> {
    const res = (await post('getUpdatesHistory', { token: opts.token })) as { result?: (StoredBotMessage & { message: { chat_id?: unknown } })[] };
    let printed = 0;
    for (const u of res.result ?? []) {
      if (u.message?.chat_id === undefined) continue; // users' own messages
      if (!roleOfChat(String(u.message.chat_id))) continue;
      messages.set(u.messageId, u);
      const sig = JSON.stringify([u.message.text, u.message.caption, u.message.reply_markup]);
      const before = shown.get(u.messageId);
      if (before === sig) continue;
      shown.set(u.messageId, sig);
      for (const line of render(u, before !== undefined)) opts.print(line);
      printed++;
    }
    const answers = (await post('sandbox/answers', { since: answersSeen }).catch(() => ({}))) as { result?: SandboxAnswer[] };
    for (const a of answers.result ?? []) {
      answersSeen = Math.max(answersSeen, a.seq);
      if (!roleOfChat(a.chatId)) continue;
      opts.print(`💬 (${roleOfChat(a.chatId)}) ${a.text}`);
      printed++;
    }
    return printed;
  }

  function pendingPrompt(): StoredBotMessage | undefined {
    const last = chatMessages().at(-1);
    return last?.message.reply_markup?.force_reply ? last : undefined;
  }

  async function sendText(text: string, replyTo?: number) {
    const reply = replyTo !== undefined ? { reply_to_message: { message_id: replyTo, date: 0, chat: chat() } } : {};
    if (/^\/[A-Za-z0-9_]+/.test(text)) {
      const length = text.split(/\s/)[0]!.length;
      await post('sendCommand', { ...meta(), ...reply, text, entities: [{ offset: 0, length, type: 'bot_command' }] });
    } else {
      await post('sendMessage', { ...meta(), ...reply, text });
    }
  }

  const help = () =>
    [
      `You are the ${role} (user ${person().userId}, chat ${person().chatId}). Type a message, or /command.`,
      ':as resident|staff|coordinator|housing|steward|lane_chief   :press N [#M]   :reply #M text   :loc LAT LNG',
      ':photo [caption]   :voice [seconds]   :contact PHONE   :lang zh|en   :help   :quit',
    ].forEach((l) => opts.print(l));

  /** Handle one input line. Returns false for :quit. */
  async function input(line: string): Promise<boolean> {
    const text = line.trim();
    if (!text) return true;
    if (!text.startsWith(':')) {
      const prompt = pendingPrompt();
      if (prompt) opts.print(`   (reply to #${prompt.messageId})`);
      await sendText(text, prompt?.messageId);
      return true;
    }
    const [cmd, ...rest] = text.slice(1).split(/\s+/);
    switch (cmd) {
      case 'quit':
      case 'q':
        return false;
      case 'help':
        help();
        return true;
      case 'as': {
        const want = ROLE_ALIASES[rest[0] ?? ''] ?? (rest[0] as SandboxRole);
        if (!ROLES.includes(want)) {
          opts.print(`roles: ${ROLES.join(', ')}`);
          return true;
        }
        role = want;
        opts.onRole?.(role);
        opts.print(`now playing the ${role} (user ${person().userId}, chat ${person().chatId})`);
        return true;
      }
      case 'lang':
        language = rest[0] === 'en' ? 'en' : 'zh';
        opts.print(`language: ${language}`);
        return true;
      case 'press': {
        const n = Number(rest[0]);
        const ref = rest[1]?.replace('#', '');
        const target = ref ? messages.get(Number(ref)) : chatMessages().filter((m) => buttonsOf(m).length).at(-1);
        const button = target ? buttonsOf(target)[n - 1] : undefined;
        if (!target || !button?.callback_data) {
          opts.print(target ? `no button ${rest[0] ?? ''} on #${target.messageId}` : 'no message with buttons here');
          return true;
        }
        opts.print(`   (pressed “${button.text}” on #${target.messageId})`);
        const m = meta();
        await post('sendCallback', { botToken: m.botToken, date: m.date, from: m.from, data: button.callback_data, message: { message_id: target.messageId, chat: m.chat } });
        return true;
      }
      case 'reply': {
        const id = Number((rest[0] ?? '').replace('#', ''));
        if (!Number.isInteger(id) || rest.length < 2) {
          opts.print('usage: :reply #M text');
          return true;
        }
        await sendText(rest.slice(1).join(' '), id);
        return true;
      }
      case 'loc': {
        const [lat, lng] = rest.map(Number);
        if (!Number.isFinite(lat) || !Number.isFinite(lng)) {
          opts.print('usage: :loc LAT LNG   e.g. :loc 39.9219 116.4436');
          return true;
        }
        await post('sendMessage', { ...meta(), location: { latitude: lat, longitude: lng } });
        return true;
      }
      case 'photo': {
        const id = `sandbox-photo-${nextPlaceholder++}`;
        const caption = rest.join(' ') || undefined;
        await post('sendMessage', { ...meta(), caption, photo: [{ file_id: id, file_unique_id: id, width: 1280, height: 960 }] });
        return true;
      }
      case 'voice': {
        const id = `sandbox-voice-${nextPlaceholder++}`;
        await post('sendMessage', { ...meta(), voice: { file_id: id, file_unique_id: id, duration: Number(rest[0]) || 5, mime_type: 'audio/ogg' } });
        return true;
      }
      case 'contact': {
        if (!rest[0]) {
          opts.print('usage: :contact PHONE');
          return true;
        }
        const f = from();
        await post('sendMessage', { ...meta(), contact: { phone_number: rest[0], first_name: f.first_name, user_id: f.id } });
        return true;
      }
      default:
        opts.print(`unknown command :${cmd ?? ''} (try :help)`);
        return true;
    }
  }

  return { input, poll, help, get role() { return role; } };
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = Number(arg('port') ?? loadConfig().SANDBOX_PORT);
  const token = arg('token') ?? SANDBOX_TOKEN;
  const apiRoot = `http://127.0.0.1:${port}`;
  const ui: { rl?: ReturnType<typeof createInterface> } = {};
  const print = (line: string) => {
    process.stdout.write(`\r\x1b[K${line}\n`);
    ui.rl?.prompt(true);
  };
  const client = createChatClient({ apiRoot, token, print, onRole: (role) => ui.rl?.setPrompt(`${role}> `) });
  try {
    await client.poll();
  } catch {
    process.stderr.write(`No sandbox at ${apiRoot}. Start the service first: npm start (with no TELEGRAM_BOT_TOKEN).\n`);
    process.exit(1);
  }
  // Created only now, so no line typed (or piped) during the check above is lost.
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  ui.rl = rl;
  rl.setPrompt(`${client.role}> `);
  client.help();
  let failures = 0;
  const timer = setInterval(() => {
    client.poll().then(
      () => (failures = 0),
      () => {
        if (++failures === 3) print('(sandbox not answering — is the service still running?)');
      },
    );
  }, 500);
  rl.prompt();
  // Lines are handled one after another, in the order typed (or piped).
  let queue = Promise.resolve(true);
  rl.on('line', (line) => {
    queue = queue
      .then((go) => (go ? client.input(line) : false))
      .then((go) => {
        if (!go) rl.close();
        rl.setPrompt(`${client.role}> `);
        return go;
      })
      .catch((err: unknown) => {
        print(`error: ${err instanceof Error ? err.message : String(err)}`);
        return true;
      });
  });
  rl.on('close', () => {
    // let the bot answer the last lines (piped input closes at once), then show it
    void queue
      .then(() => new Promise((r) => setTimeout(r, 1500)))
      .then(() => client.poll())
      .catch(() => 0)
      .finally(() => {
        clearInterval(timer);
        process.stdout.write('\n');
        process.exit(0);
      });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
