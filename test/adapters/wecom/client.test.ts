/**
 * The API client against the local WeCom server and the real Redis: token
 * caching shared by processes, expiry mid-flow, wrong secrets, 45009 (one attempt)
 * storms, and send quotas that wait or refuse instead of being dropped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WecomApiError, WecomConfigError, WecomQuotaError } from '../../../adapters/wecom/errors.js';
import { createQuota } from '../../../adapters/wecom/quota.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { WecomServer } from '../../peers/wecom-server.js';
import { clientFor } from './setup.js';

let server: WecomServer;
let r: TestRedis;

beforeEach(async () => {
  server = await WecomServer.start();
  r = await createTestRedis();
});

afterEach(async () => {
  await server.close();
  await r.cleanup();
});

describe('access tokens', () => {
  it('fetches one token for many concurrent sends from several processes', async () => {
    const a = clientFor(server, r);
    const b = clientFor(server, r); // a second process: same Redis, own memory
    const sends = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).sendAppText(`user${i}`, `通知 ${i}`));
    const results = await Promise.all(sends);
    expect(new Set(results.map((x) => x.msgid)).size).toBe(10);
    expect(server.callsTo('gettoken')).toHaveLength(1);
    expect(server.callsTo('message/send').every((c) => c.errcode === 0)).toBe(true);
  });

  it('token expiry mid-flow (42001): refreshes once, retries once, the send succeeds', async () => {
    const client = clientFor(server, r);
    await client.sendAppText('zhangsan', '第一条');
    server.expireAllTokens();
    const { msgid } = await client.sendAppText('zhangsan', '第二条');
    expect(msgid).not.toBe('');
    const sends = server.callsTo('message/send').map((c) => c.errcode);
    expect(sends).toEqual([0, 42001, 0]);
    expect(server.callsTo('gettoken')).toHaveLength(2);
    // and the refreshed token is the one cached for everybody
    await clientFor(server, r).sendAppText('lisi', '第三条');
    expect(server.callsTo('gettoken')).toHaveLength(2);
  });

  it('after an expiry, many refused calls in several processes cause one gettoken', async () => {
    const a = clientFor(server, r);
    const b = clientFor(server, r);
    await a.sendAppText('u0', 'warm');
    server.expireAllTokens();
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).sendAppText(`u${i}`, `after ${i}`)));
    expect(server.callsTo('gettoken')).toHaveLength(2);
    expect(server.callsTo('message/send').filter((c) => c.errcode === 0)).toHaveLength(9);
  });

  it('caches a token no longer than its expires_in', async () => {
    server.tokenTtlSec = 1;
    const client = clientFor(server, r);
    await client.sendAppText('zhangsan', 'a');
    await new Promise((res) => setTimeout(res, 1100));
    await client.sendAppText('zhangsan', 'b');
    expect(server.callsTo('gettoken')).toHaveLength(2);
    expect(server.callsTo('message/send').map((c) => c.errcode)).toEqual([0, 0]);
  });

  it('a token refused twice in a row is not refreshed in a loop', async () => {
    const client = clientFor(server, r);
    await client.sendAppText('zhangsan', 'a');
    server.failNext('message/send', 40014, 5);
    await expect(client.sendAppText('zhangsan', 'b')).rejects.toMatchObject({ name: 'WecomApiError', errcode: 40014 });
    expect(server.callsTo('message/send')).toHaveLength(3); // first ok, then refused, refreshed, refused
    expect(server.callsTo('gettoken')).toHaveLength(2);
  });

  it('a wrong secret (40001) is a loud WecomConfigError, tried once, secret never in the message', async () => {
    const client = clientFor(server, r, {
      apps: { agent: { agentId: server.agentId, secret: 'wrong-secret-value' } },
    });
    const err = await client.sendAppText('zhangsan', 'hi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomConfigError);
    expect((err as WecomConfigError).name).toBe('WecomConfigError');
    expect((err as WecomConfigError).errcode).toBe(40001);
    expect((err as Error).message).not.toContain('wrong-secret-value');
    expect(server.callsTo('gettoken')).toHaveLength(1);
    expect(server.callsTo('message/send')).toHaveLength(0);
  });

  it('an application that is not configured is a WecomConfigError', async () => {
    const client = clientFor(server, r, { apps: { agent: { agentId: server.agentId, secret: server.agentSecret } } });
    await expect(client.kfSendMsg('wk1', 'wm1', { msgtype: 'text', text: { content: 'x' } })).rejects.toBeInstanceOf(WecomConfigError);
    expect(server.calls).toHaveLength(0);
  });
});

describe('media', () => {
  it('downloads an inbound photo by its media_id with the receiving application’s token, refreshing an expired one', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    server.addMedia('MEDIA_KF_9', jpeg, 'kf');
    const client = clientFor(server, r);
    const first = await client.getMedia('kf', 'MEDIA_KF_9');
    expect(first.data.equals(jpeg)).toBe(true);
    expect(first.contentType).toBe('image/jpeg');
    server.expireAllTokens();
    expect((await client.getMedia('kf', 'MEDIA_KF_9')).data.equals(jpeg)).toBe(true);
    expect(server.callsTo('media/get').map((c) => c.errcode)).toEqual([0, 42001, 0]);
    await expect(client.getMedia('kf', 'NO_SUCH_MEDIA')).rejects.toMatchObject({ name: 'WecomApiError', errcode: 40007 });
  });
});

describe('busy and rate limits', () => {
  it('a 45009 (minute ban) is one call and a typed error at once: no in-process wait of a minute', async () => {
    const client = clientFor(server, r);
    server.failNext('message/send', 45009, 1);
    const t0 = Date.now();
    const err = await client.sendAppText('zhangsan', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'WecomApiError', errcode: 45009 });
    expect(server.callsTo('message/send')).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(1000);
    // the ban over, the next attempt (the send job's) goes through
    const { msgid } = await client.sendAppText('zhangsan', '风暴之后');
    expect(msgid).not.toBe('');
  });

  it('a busy answer (-1) is one call and a typed error, the token never in it', async () => {
    const client = clientFor(server, r);
    server.failNext('message/send', -1, 1);
    const err = await client.sendAppText('zhangsan', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect((err as WecomApiError).errcode).toBe(-1);
    expect(server.callsTo('message/send')).toHaveLength(1);
    expect((err as Error).message).not.toMatch(/access_token=|AT(agent|kf)/);
  });

  it('other errcodes are not retried', async () => {
    const client = clientFor(server, r);
    await expect(client.appchatSend('nochat', { msgtype: 'text', text: { content: 'x' } })).rejects.toMatchObject({ errcode: 86003 });
    expect(server.callsTo('appchat/send')).toHaveLength(1);
  });
});

describe('send quotas (WeCom drops the excess silently)', () => {
  it('refuses the 4th message to one member in a minute instead of letting WeCom drop it', async () => {
    const a = clientFor(server, r, { quota: { maxWaitMs: 50, appMessagesPerMinute: 3 } });
    const b = clientFor(server, r, { quota: { maxWaitMs: 50, appMessagesPerMinute: 3 } });
    await a.sendAppText('zhangsan', '1');
    await b.sendAppText('zhangsan', '2');
    await a.sendAppText('zhangsan', '3');
    const err = await b.sendAppText('zhangsan', '4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomQuotaError);
    expect((err as WecomQuotaError).retryAfterMs).toBeGreaterThan(50_000);
    // another member is unaffected
    await a.sendAppText('lisi', '1');
    expect(server.callsTo('message/send')).toHaveLength(4);
    expect(server.calls.some((c) => c.dropped)).toBe(false);
  });

  it('the server really drops the excess without an error when no quota is kept', async () => {
    const client = clientFor(server, r, { quota: { appMessagesPerMinute: 1000 } });
    for (let i = 0; i < 31; i++) await client.sendAppText('zhangsan', `#${i}`);
    const sends = server.callsTo('message/send');
    expect(sends.every((c) => c.errcode === 0)).toBe(true);
    expect(sends.filter((c) => c.dropped)).toHaveLength(1);
  });

  it('waits for a free slot when it comes within maxWaitMs', async () => {
    const q = createQuota(r.redis, r.prefix, 'test', [{ windowMs: 300, limit: 2 }]);
    const t0 = Date.now();
    await q.take(['m'], 1000);
    await q.take(['m'], 1000);
    await q.take(['m'], 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    // the first two left the window (the 2nd was taken a moment after the 1st: a few ms of slack, far
    // below the 300 ms a full window would need); the 3rd and a 4th fill it again
    await q.take(['m'], 50);
    await expect(q.take(['m'], 10)).rejects.toBeInstanceOf(WecomQuotaError);
  });

  it('counts two windows at once: the hour limit holds even when the minute has room', async () => {
    const q = createQuota(r.redis, r.prefix, 'two', [
      { windowMs: 100, limit: 5 },
      { windowMs: 60_000, limit: 3 },
    ]);
    await q.take(['m'], 0);
    await q.take(['m'], 0);
    await q.take(['m'], 0);
    await expect(q.take(['m'], 200)).rejects.toMatchObject({ name: 'WecomQuotaError' });
  });

  it('group chat messages count for every member of the chat', async () => {
    server.addAppchat('chatA', ['zhangsan', 'lisi']);
    server.addAppchat('chatB', ['lisi', 'wangwu']);
    const client = clientFor(server, r, { quota: { maxWaitMs: 20, appchatPerMinute: 2 } });
    await client.appchatSend('chatA', { msgtype: 'text', text: { content: '1' } });
    await client.appchatSend('chatB', { msgtype: 'text', text: { content: '2' } });
    // lisi has had 2 group messages this minute: a third to any chat with lisi waits/refuses
    await expect(client.appchatSend('chatA', { msgtype: 'text', text: { content: '3' } })).rejects.toBeInstanceOf(WecomQuotaError);
    expect(server.calls.some((c) => c.dropped)).toBe(false);
  });

  it('robot webhooks: sends text, 20/min per robot, unknown key is an API error', async () => {
    const hook = server.addRobot();
    const client = clientFor(server, r, { quota: { maxWaitMs: 10, robotPerMinute: 2 } });
    await client.robotSend(hook, '通知一');
    await client.robotSend(hook, '通知二');
    await expect(client.robotSend(hook, '通知三')).rejects.toBeInstanceOf(WecomQuotaError);
    expect(server.callsTo('webhook/send').map((c) => (c.body?.text as { content: string }).content)).toEqual(['通知一', '通知二']);
    const err = await client.robotSend(`${server.url}/cgi-bin/webhook/send?key=nope`, 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ errcode: 93000 });
    expect((err as Error).message).not.toContain('nope');
  });
});
