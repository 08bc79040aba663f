/**
 * 微信客服 sync against the local WeCom server, with the cursor in a fresh
 * Postgres schema: translation, a crash between pages and in the middle of
 * a page (every message reaches the sink exactly once), concurrent syncs,
 * and an expired callback token.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kfCursorKey, resumePendingKf, syncKf } from '../../../adapters/wecom/kf-sync.js';
import type { WecomClient } from '../../../adapters/wecom/client.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { WecomServer } from '../../peers/wecom-server.js';
import { clientFor, memorySink, silentLogger } from './setup.js';

const KF = 'wkSHAOSHENG12345';
let t: TestDb;
let server: WecomServer;
let r: TestRedis;
let client: WecomClient;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  server = await WecomServer.start();
  r = await createTestRedis();
  client = clientFor(server, r);
  await t.db.keyValue.deleteMany({});
});
afterEach(async () => {
  await server.close();
  await r.cleanup();
});

const run = (sink: ReturnType<typeof memorySink>, token: string | undefined, extra: { pageSize?: number } = {}) =>
  syncKf({ client, db: t.db, token, openKfId: KF, sink: sink.sink, logger: silentLogger, ...extra });

describe('syncKf', () => {
  it("translates residents' text, image, location, menu clicks and voice notes; skips events and other accounts", async () => {
    server.addKfEvent(KF, 'wmRESIDENT1', 'enter_session');
    const m1 = server.addKfCustomerMessage(KF, 'wmRESIDENT1', { msgtype: 'text', text: { content: '小区门口垃圾堆了一周' } });
    server.addKfCustomerMessage(KF, 'wmRESIDENT1', { msgtype: 'image', image: { media_id: 'MEDIA_KF_1' } });
    server.addKfCustomerMessage(KF, 'wmRESIDENT1', {
      msgtype: 'location',
      location: { latitude: 39.93, longitude: 116.45, name: '朝阳门', address: '北京市东城区' },
    });
    server.addKfCustomerMessage(KF, 'wmRESIDENT1', { msgtype: 'text', text: { content: '满意', menu_id: 'rate:2611250001:s' } });
    server.addKfCustomerMessage(KF, 'wmRESIDENT1', { msgtype: 'voice', voice: { media_id: 'V1' } });
    server.addKfCustomerMessage('wkOTHERACCOUNT', 'wmRESIDENT2', { msgtype: 'text', text: { content: '别的账号' } });
    const sink = memorySink();
    const res = await run(sink, server.issueKfToken());
    const msgs = sink.messages();
    expect(msgs).toHaveLength(5);
    expect(msgs[0]).toMatchObject({
      platform: 'wecom_kf',
      messageId: `kf:${m1}`,
      chatId: 'wmRESIDENT1',
      userId: 'wmRESIDENT1',
      chatType: 'private',
      channelAccount: KF,
      text: '小区门口垃圾堆了一周',
    });
    expect(msgs[1]?.photo).toMatchObject({ fileId: 'MEDIA_KF_1' });
    expect(msgs[2]?.location).toEqual({ lat: 39.93, lng: 116.45, coordSystem: 'gcj02', label: '朝阳门 北京市东城区' });
    expect(msgs[3]?.action).toMatchObject({ data: 'rate:2611250001:s' });
    expect(msgs[4]?.media).toMatchObject([{ kind: 'voice', fileId: 'V1' }]);
    expect(res).toMatchObject({ delivered: 5, duplicates: 0, skipped: 1 });
    const saved = await t.db.keyValue.findUnique({ where: { key: kfCursorKey(KF) } });
    expect(saved?.value).toBe(res.cursor);
    // the sync asked only for this account, with the callback token
    expect(server.callsTo('kf/sync_msg')[0]?.body).toMatchObject({ open_kfid: KF, token: expect.stringMatching(/^ENC/) });
  });

  it('a crash between pages loses and doubles nothing: the next sync resumes from the saved cursor', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => server.addKfCustomerMessage(KF, `wmU${i}`, { msgtype: 'text', text: { content: `第${i}条` } }));
    const token = server.issueKfToken();
    // The process dies when it reaches the first message of page 2.
    const crashing = memorySink({ failOn: (m) => m.messageId === `kf:${ids[2]}` });
    await expect(run(crashing, token, { pageSize: 2 })).rejects.toThrow('sink crashed');
    const afterCrash = await t.db.keyValue.findUnique({ where: { key: kfCursorKey(KF) } });
    expect(afterCrash?.value).toBeTruthy();

    // "Restart": a new sink view of the same store, a new sync.
    const restarted = memorySink();
    for (const m of crashing.messages()) restarted.stored.set(`${m.platform}|${m.messageId}`, m);
    const res = await run(restarted, token, { pageSize: 2 });
    expect(res.duplicates).toBe(0); // resumed exactly at page 2: page 1 was not fetched again
    expect(restarted.messages().map((m) => m.messageId)).toEqual(ids.map((id) => `kf:${id}`));
    const firstCalls = server.callsTo('kf/sync_msg');
    expect(firstCalls[2]?.body?.cursor).toBe(afterCrash?.value);
  });

  it('a crash in the middle of a page: the redelivered part is absorbed by the sink, the rest arrives once', async () => {
    const ids = Array.from({ length: 4 }, (_, i) => server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: `#${i}` } }));
    const store = memorySink({ failOn: (m) => m.messageId === `kf:${ids[3]}` && !recovered });
    let recovered = false;
    await expect(run(store, undefined, { pageSize: 2 })).rejects.toThrow();
    expect(store.stored.size).toBe(3); // #2 reached the sink, but page 2's cursor was never saved
    recovered = true;
    const res = await run(store, undefined, { pageSize: 2 });
    expect(res).toMatchObject({ delivered: 1, duplicates: 1 });
    expect([...store.stored.keys()]).toEqual(ids.map((id) => `wecom_kf|kf:${id}`));
  });

  it('concurrent syncs of one account are serialized: no page is fetched twice', async () => {
    for (let i = 0; i < 6; i++) server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: `#${i}` } });
    const sink = memorySink();
    const other = clientFor(server, r); // another process
    const [a, b] = await Promise.all([
      run(sink, undefined, { pageSize: 2 }),
      syncKf({ client: other, db: t.db, openKfId: KF, sink: sink.sink, logger: silentLogger, pageSize: 2 }),
    ]);
    expect(a.delivered + b.delivered).toBe(6);
    expect(a.duplicates + b.duplicates).toBe(0);
    expect(sink.calls).toHaveLength(6);
  });

  it('a burst of callbacks during a sync: the others return at once, and a message that arrives mid-run is still fetched by the run', async () => {
    server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: 'first' } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inSink = new Promise<void>((resolve) => (entered = resolve));
    const sink = memorySink();
    const slow = { ...sink, sink: async (m: Parameters<typeof sink.sink>[0]) => (entered(), await held, sink.sink(m)) };
    const first = run(slow, undefined);
    await inSink; // the first run is inside its page
    server.addKfCustomerMessage(KF, 'wmV', { msgtype: 'text', text: { content: 'second' } });
    const others = await Promise.all(Array.from({ length: 5 }, () => syncKf({ client: clientFor(server, r), db: t.db, openKfId: KF, sink: sink.sink, logger: silentLogger })));
    expect(others.map((o) => o.handedOver)).toEqual([true, true, true, true, true]);
    release();
    const res = await first;
    expect(res.delivered).toBe(2);
    expect(sink.calls.map((m) => m.text)).toEqual(['first', 'second']);
    // one run fetched twice (the flag was up again), no other sync_msg call was made
    expect(server.callsTo('kf/sync_msg')).toHaveLength(2);
  });

  it('a sync that failed leaves its account flagged, and the periodic resume fetches what it missed', async () => {
    server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: 'lost?' } });
    await expect(run(memorySink({ failOn: () => true }), undefined)).rejects.toThrow('sink crashed');
    const sink = memorySink();
    expect(await resumePendingKf({ client, db: t.db, sink: sink.sink, logger: silentLogger })).toBe(1);
    expect(sink.calls.map((m) => m.text)).toEqual(['lost?']);
    // nothing left flagged: the next pass has nothing to do
    expect(await resumePendingKf({ client, db: t.db, sink: sink.sink, logger: silentLogger })).toBe(0);
  });

  it('an expired callback token (95007) falls back to a sync without token', async () => {
    server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: 'hi' } });
    const sink = memorySink();
    const res = await run(sink, 'ENC-expired-token');
    expect(res.delivered).toBe(1);
    expect(server.callsTo('kf/sync_msg').map((c) => c.errcode)).toEqual([95007, 0]);
    expect(server.callsTo('kf/sync_msg')[1]?.body?.token).toBeUndefined();
  });

  it('nothing new: the cursor stays and nothing reaches the sink', async () => {
    server.addKfCustomerMessage(KF, 'wmU', { msgtype: 'text', text: { content: 'hi' } });
    const sink = memorySink();
    await run(sink, undefined);
    const again = await run(sink, undefined);
    expect(again).toMatchObject({ delivered: 0, duplicates: 0, pages: 1 });
    expect(sink.calls).toHaveLength(1);
  });
});
