/**
 * A minimal Bot API server that accepts every send and records it: the
 * platform side of durability tests and benchmarks (no rate limits).
 * `failNext(n, status)` makes the next n sends answer an error.
 */
import { createServer, type Server } from 'node:http';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface BotApiRecorder {
  apiRoot: string;
  calls: RecordedCall[];
  sends(): RecordedCall[];
  failNext(n: number, status: number, retryAfter?: number): void;
  close(): Promise<void>;
}

export async function startBotApiRecorder(): Promise<BotApiRecorder> {
  const calls: RecordedCall[] = [];
  let messageId = 1000;
  let failures: { left: number; status: number; retryAfter?: number } = { left: 0, status: 500 };
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
      if (failures.left > 0 && method !== 'getMe') {
        failures.left -= 1;
        res.statusCode = failures.status;
        res.end(JSON.stringify({ ok: false, error_code: failures.status, description: 'injected failure', parameters: failures.retryAfter ? { retry_after: failures.retryAfter } : undefined }));
        return;
      }
      calls.push({ method, body, at: Date.now() });
      const result =
        method === 'getMe' ? { id: 1, is_bot: true, first_name: 'bot', username: 'shaosheng_bot' }
        : method === 'answerCallbackQuery' || method === 'setMyCommands' || method === 'setWebhook' ? true
        : { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text };
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    sends: () => calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto'),
    failNext(n, status, retryAfter) {
      failures = { left: n, status, retryAfter };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
