/**
 * Callback routes against encrypted callbacks from the local WeCom server,
 * over real HTTP: URL check, each message kind, duplicates, and every way a
 * request can be forged or broken (4xx, nothing stored).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wecomCallbackRoutes } from '../../../adapters/wecom/callback.js';
import { WecomServer, wecomXml } from '../../peers/wecom-server.js';
import { memorySink, silentLogger } from './setup.js';

let server: WecomServer;
let app: FastifyInstance;
let url: string;
let sink: ReturnType<typeof memorySink>;
const kfEvents: { token: string; openKfId: string }[] = [];

beforeAll(async () => {
  server = await WecomServer.start();
  app = Fastify();
  await app.register(wecomCallbackRoutes, {
    path: '/wecom/callback',
    token: server.callbackToken,
    encodingAESKey: server.encodingAESKey,
    corpId: server.corpId,
    sink: (m) => sink.sink(m),
    onKfEvent: async (token, openKfId) => {
      kfEvents.push({ token, openKfId });
    },
    logger: silentLogger,
    bodyLimitBytes: 16 * 1024,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/wecom/callback`;
});

afterAll(async () => {
  await app.close();
  await server.close();
});

beforeEach(() => {
  sink = memorySink();
  kfEvents.length = 0;
});

describe('URL verification (GET)', () => {
  it('answers the decrypted echostr', async () => {
    const r = await server.verifyUrl(url);
    expect(r.status).toBe(200);
    expect(r.body).toBe(r.echo);
  });

  it('refuses a forged signature', async () => {
    const r = await server.verifyUrl(url, { forgeSignature: true });
    expect(r.status).toBe(401);
    expect(r.body).not.toContain(r.echo);
  });

  it('refuses an echostr addressed to another CorpID', async () => {
    const r = await server.verifyUrl(url, { receiverId: 'wwsomeoneelse' });
    expect(r.status).toBe(403);
  });

  it('refuses a request without parameters', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(400);
  });
});

describe('messages and events (POST)', () => {
  it('hands a text message to the sink once, keeping the 64-bit MsgId exact', async () => {
    const fields = server.textMessage('zhangsan', '签收 2611250001');
    const r = await server.deliver(url, fields);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(sink.calls).toHaveLength(1);
    const m = sink.calls[0]!;
    expect(m).toMatchObject({
      platform: 'wecom',
      messageId: `msg:${fields.MsgId}`,
      chatId: 'user:zhangsan',
      chatType: 'private',
      userId: 'zhangsan',
      text: '签收 2611250001',
    });
    expect(String(fields.MsgId)).toMatch(/^\d{19}$/);
    expect(m.receivedAt.getTime()).toBe(Number(fields.CreateTime) * 1000);
  });

  it('accepts the body whatever Content-Type it comes with', async () => {
    for (const contentType of ['text/xml; charset=utf-8', 'application/xml', 'text/plain', 'application/octet-stream']) {
      expect((await server.deliver(url, server.textMessage('a', contentType), { contentType })).status).toBe(200);
    }
    expect(sink.calls.map((m) => m.text)).toEqual(['text/xml; charset=utf-8', 'application/xml', 'text/plain', 'application/octet-stream']);
  });

  it('keeps markup-like characters in CDATA text as written', async () => {
    await server.deliver(url, server.textMessage('zhangsan', '退单 2611250001 <不属于本单位> & "城管" ]]> 完'));
    expect(sink.calls[0]?.text).toBe('退单 2611250001 <不属于本单位> & "城管" ]]> 完');
  });

  it('translates images, locations and card clicks', async () => {
    await server.deliver(url, server.imageMessage('lisi', 'MEDIA_123'));
    await server.deliver(url, server.locationMessage('lisi', 39.9087, 116.3975, '天安门广场'));
    await server.deliver(url, server.cardClick('lisi', 'acc:2611250001', 'task_1', 'RESP_CODE_1', 1764000000));
    const [img, loc, click] = sink.calls;
    expect(img).toMatchObject({ photo: { fileId: 'MEDIA_123' }, chatId: 'user:lisi' });
    expect(loc?.location).toEqual({ lat: 39.9087, lng: 116.3975, coordSystem: 'gcj02', label: '天安门广场' });
    expect(click).toMatchObject({
      messageId: 'evt:lisi:1764000000:template_card_event:task_1:acc:2611250001',
      action: { data: 'acc:2611250001', ackId: 'RESP_CODE_1' },
    });
  });

  it('a redelivered callback carries the same messageId and the sink absorbs it', async () => {
    const fields = server.textMessage('wangwu', '办结 2611250001 已清理完毕');
    const first = await server.deliver(url, fields);
    const again = await server.deliver(url, fields);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[0]!.messageId).toBe(sink.calls[1]!.messageId);
    expect(sink.stored.size).toBe(1);
  });

  it('a kf_msg_or_event schedules a sync and stores nothing', async () => {
    const r = await server.deliver(url, server.kfNotice('wkOPENKF1', 'TOKEN_ABC'));
    expect(r.status).toBe(200);
    expect(kfEvents).toEqual([{ token: 'TOKEN_ABC', openKfId: 'wkOPENKF1' }]);
    expect(sink.calls).toHaveLength(0);
  });

  it('answers 5xx when the sink fails, so WeCom re-sends', async () => {
    sink = memorySink({ failOn: () => true });
    const r = await server.deliver(url, server.textMessage('zhaoliu', 'hello'));
    expect(r.status).toBeGreaterThanOrEqual(500);
  });
});

describe('forged or broken requests: 4xx and nothing enqueued', () => {
  it('forged signature', async () => {
    const r = await server.deliver(url, server.textMessage('mallory', 'fake'), { forgeSignature: true });
    expect(r.status).toBe(401);
    expect(sink.calls).toHaveLength(0);
  });

  it('ciphertext addressed to another CorpID', async () => {
    const r = await server.deliver(url, server.textMessage('mallory', 'fake'), { receiverId: 'wwanothercorp' });
    expect(r.status).toBe(403);
    expect(sink.calls).toHaveLength(0);
  });

  it('broken envelope XML', async () => {
    const r = await server.deliver(url, server.textMessage('a', 'b'), { rawBody: '<xml><Encrypt><![CDATA[abc]]></Encrypt' });
    expect(r.status).toBe(400);
    expect(sink.calls).toHaveLength(0);
  });

  it('broken inner XML (correctly encrypted and signed)', async () => {
    const r = await server.deliver(url, {}, { innerXml: '<xml><MsgType>text</MsgType><Content>unclosed' });
    expect(r.status).toBe(400);
    expect(sink.calls).toHaveLength(0);
  });

  it('ciphertext that does not decrypt (signed, so only the key is wrong)', async () => {
    const r = await server.deliver(url, server.textMessage('a', 'b'), { corruptCiphertext: true });
    expect(r.status).toBe(400);
    expect(sink.calls).toHaveLength(0);
  });

  it('envelope without Encrypt', async () => {
    const r = await server.deliver(url, server.textMessage('a', 'b'), { rawBody: wecomXml({ ToUserName: server.corpId }) });
    expect(r.status).toBe(400);
    expect(sink.calls).toHaveLength(0);
  });

  it('an envelope with a DOCTYPE (entity expansion) is refused before anything else', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>`;
    const r = await server.deliver(url, server.textMessage('a', 'b'), { rawBody: bomb });
    expect(r.status).toBe(400);
    expect(sink.calls).toHaveLength(0);
  });

  it('oversized body', async () => {
    const big = wecomXml({ ToUserName: server.corpId, Encrypt: 'A'.repeat(20 * 1024) });
    const r = await server.deliver(url, server.textMessage('a', 'b'), { rawBody: big });
    expect(r.status).toBe(413);
    expect(sink.calls).toHaveLength(0);
  });
});

describe('mounting', () => {
  it('also works called directly on the app (not awaited), leaving the host app’s parsers alone', async () => {
    const host = Fastify();
    const seen = memorySink();
    void wecomCallbackRoutes(host, {
      path: '/wx',
      token: server.callbackToken,
      encodingAESKey: server.encodingAESKey,
      corpId: server.corpId,
      sink: seen.sink,
      onKfEvent: async () => undefined,
      logger: silentLogger,
    });
    host.post('/json', async (req) => ({ echo: req.body }));
    const base = await host.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await server.verifyUrl(`${base}/wx`)).status).toBe(200);
      expect((await server.deliver(`${base}/wx`, server.textMessage('a', 'hi'))).status).toBe(200);
      expect(seen.calls).toHaveLength(1);
      // the XML catch-all parser stayed inside the plugin: an unknown content type elsewhere is still 415
      const res = await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
      expect(res.status).toBe(415);
    } finally {
      await host.close();
    }
  });
});
