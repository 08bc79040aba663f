/**
 * A local OpenAI-compatible chat-completions server for tests: a real HTTP
 * server on an ephemeral port. Each request is recorded; the reply is decided
 * by `respond` (set per test): a JSON answer, raw content, an HTTP status, or a delay.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: unknown;
  [k: string]: unknown;
}

export type Reply =
  | { kind: 'json'; answer: unknown }
  | { kind: 'content'; content: string }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number; then: Reply };

export interface LlmPeer {
  baseURL: string;
  requests: ChatRequest[];
  respond: (req: ChatRequest, n: number) => Reply;
  close(): Promise<void>;
}

function completion(model: string, content: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

export async function startLlmPeer(respond: LlmPeer['respond'] = () => ({ kind: 'json', answer: { category: 'other' } })): Promise<LlmPeer> {
  const sockets = new Set<import('node:net').Socket>();
  const peer: LlmPeer = { baseURL: '', requests: [], respond, close: async () => undefined };

  const send = (res: ServerResponse, reply: Reply, model: string): void => {
    if (res.destroyed) return;
    switch (reply.kind) {
      case 'delay':
        setTimeout(() => send(res, reply.then, model), reply.ms).unref();
        return;
      case 'status':
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}`, type: 'server_error' } }));
        return;
      case 'json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion(model, JSON.stringify(reply.answer))));
        return;
      case 'content':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion(model, reply.content)));
        return;
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'bad json' } }));
        return;
      }
      peer.requests.push(body);
      send(res, peer.respond(body, peer.requests.length), body.model);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  peer.baseURL = `http://127.0.0.1:${port}/v1`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return peer;
}

/** The resident's message as the server received it (the user turn's JSON "message" field). */
export function userMessage(req: ChatRequest): string {
  const user = req.messages.find((m) => m.role === 'user');
  if (!user) return '';
  try {
    return (JSON.parse(user.content) as { message?: string }).message ?? '';
  } catch {
    return user.content;
  }
}
