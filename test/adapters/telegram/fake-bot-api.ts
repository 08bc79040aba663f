/**
 * A tiny Bot API server for failure cases the emulator cannot produce
 * (429, 5xx, dropped connections, migration, 4xx). `reply` decides each
 * answer from the method, the parsed JSON body and the call's index.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCall {
  method: string;
  body: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
  contentType: string;
}

export type FakeReply = { status: number; body: unknown } | 'drop';

let nextMessageId = 100;
/** A successful sendMessage-like answer for the call. */
export function okMessage(call: FakeCall): FakeReply {
  return { status: 200, body: { ok: true, result: { message_id: nextMessageId++, date: 0, chat: { id: Number(call.body.chat_id), type: 'group' }, text: call.body.text } } };
}

export async function startFakeBotApi(reply: (call: FakeCall, index: number) => FakeReply) {
  const calls: FakeCall[] = [];
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const raw = await readBody(req);
    const method = (req.url ?? '').split('/').pop() ?? '';
    const contentType = String(req.headers['content-type'] ?? '');
    let body: Record<string, unknown> = {};
    if (contentType.includes('json') && raw) body = JSON.parse(raw) as Record<string, unknown>;
    if (contentType.includes('multipart')) {
      const chat = /name="chat_id"\r\n\r\n([^\r]*)/.exec(raw)?.[1];
      if (chat) body.chat_id = chat;
    }
    const call = { method, body, at, contentType };
    calls.push(call);
    const r = reply(call, calls.length - 1);
    if (r === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
