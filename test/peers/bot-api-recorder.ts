/**
 * A minimal Bot API server that accepts every send and records it: the
 * platform side of durability tests and benchmarks (no rate limits).
 * `failNext(n, status)` makes the next n sends answer an error; `failFor(ms, status, retryAfter)`
 * makes every send answer it for a while (a flood wait), as Telegram does. Refused calls are
 * recorded apart (`refused`).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface BotApiRecorder {
  apiRoot: string;
  calls: RecordedCall[];
  /** calls answered with an injected error */
  refused: RecordedCall[];
  sends(): RecordedCall[];
  failNext(n: number, status: number, retryAfter?: number): void;
  failFor(ms: number, status: number, retryAfter?: number): void;
  /** awaited before a call that succeeds is answered (the platform has the message; the sender does not know yet) */
  beforeAnswer?: (call: RecordedCall) => Promise<void> | void;
  close(): Promise<void>;
}

export async function startBotApiRecorder(): Promise<BotApiRecorder> {
  const calls: RecordedCall[] = [];
  const refused: RecordedCall[] = [];
  let messageId = 1000;
  let failures: { left: number; status: number; retryAfter?: number } = { left: 0, status: 500 };
  let window: { until: number; status: number; retryAfter?: number } = { until: 0, status: 500 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        body = { raw };
      }
      res.setHeader('content-type', 'application/json');
      const failure = method === 'getMe' ? null : window.until > Date.now() ? window : failures.left > 0 ? (failures.left--, failures) : null;
      if (failure) {
        refused.push({ method, body, at: Date.now() });
        res.statusCode = failure.status;
        res.end(JSON.stringify({ ok: false, error_code: failure.status, description: 'injected failure', parameters: failure.retryAfter ? { retry_after: failure.retryAfter } : undefined }));
        return;
      }
      const call = { method, body, at: Date.now() };
      calls.push(call);
      const hold = recorder.beforeAnswer?.(call);
      if (hold) void Promise.resolve(hold).then(() => answer(method, body, res));
      else answer(method, body, res);
    });
  });
  const answer = (method: string, body: Record<string, unknown>, res: ServerResponse) => {
    const result =
      method === 'getMe' ? { id: 1, is_bot: true, first_name: 'bot', username: 'shaosheng_bot' }
      : method === 'answerCallbackQuery' || method === 'setMyCommands' || method === 'setWebhook' ? true
      : { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text };
    res.end(JSON.stringify({ ok: true, result }));
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const recorder: BotApiRecorder = {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    refused,
    sends: () => calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto'),
    failNext(n, status, retryAfter) {
      failures = { left: n, status, retryAfter };
    },
    failFor(ms, status, retryAfter) {
      window = { until: Date.now() + ms, status, retryAfter };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  return recorder;
}
