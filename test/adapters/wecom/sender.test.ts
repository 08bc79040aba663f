/**
 * Senders against the local WeCom server: what staff and residents actually
 * receive (text limits, cards, group chats, menus) and the 微信客服 48 h /
 * 5-message budget.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWecomKfSender, createWecomSender } from '../../../adapters/wecom/sender.js';
import { wecomFromConfig } from '../../../adapters/wecom/from-config.js';
import { loadConfig } from '../../../core/config.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { WecomServer } from '../../peers/wecom-server.js';
import { clientFor, silentLogger } from './setup.js';

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

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe("staff sender ('wecom')", () => {
  it('sends text to a member and returns WeCom’s msgid', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const res = await sender.send({ chatId: 'user:zhangsan', text: '请于24小时内反馈' });
    expect(server.appMessages).toHaveLength(1);
    expect(server.appMessages[0]).toMatchObject({ msgid: res.messageId, touser: ['zhangsan'], text: '请于24小时内反馈' });
  });

  it('splits text over 2048 bytes at line breaks, losing nothing', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const lines = Array.from({ length: 60 }, (_, i) => `第${i + 1}项：朝阳区某街道某社区某小区门口垃圾未清运`);
    const text = lines.join('\n');
    expect(bytes(text)).toBeGreaterThan(2048 * 2);
    await sender.send({ chatId: 'user:zhangsan', text });
    const parts = server.appMessages.map((m) => m.text!);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(bytes(p)).toBeLessThanOrEqual(2048);
    expect(parts.join('\n')).toBe(text);
    expect(server.callsTo('message/send').every((c) => c.errcode === 0)).toBe(true);
  });

  it('renders a dispatch card as a button_interaction template card', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const res = await sender.send({
      chatId: 'user:lisi',
      text: '居民反映小区门口垃圾堆积一周，请核实处理。',
      card: {
        title: '新工单 2611250001',
        fields: [
          { label: '类别', value: '环境卫生' },
          { label: '时限', value: '24小时' },
        ],
        taskId: 'disp_2611250001_1',
      },
      buttons: [[{ label: '签收', data: 'acc:2611250001' }, { label: '退单', data: 'ret:2611250001' }]],
    });
    const m = server.appMessages.find((x) => x.msgid === res.messageId)!;
    expect(m.msgtype).toBe('template_card');
    expect(m.card).toMatchObject({
      card_type: 'button_interaction',
      task_id: 'disp_2611250001_1',
      main_title: { title: '新工单 2611250001' },
      sub_title_text: '居民反映小区门口垃圾堆积一周，请核实处理。',
      horizontal_content_list: [
        { keyname: '类别', value: '环境卫生' },
        { keyname: '时限', value: '24小时' },
      ],
      button_list: [
        { text: '签收', key: 'acc:2611250001' },
        { text: '退单', key: 'ret:2611250001' },
      ],
    });
  });

  it('a card whose text is too long for the card sends the full text first', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const long = '情况说明：' + '楼道堆物严重影响消防通道，'.repeat(20);
    await sender.send({ chatId: 'user:lisi', text: long, card: { title: '工单 2611250002', fields: [] }, buttons: [[{ label: '签收', data: 'acc:2611250002' }]] });
    expect(server.appMessages.map((m) => m.msgtype)).toEqual(['text', 'template_card']);
    expect(server.appMessages[0]!.text).toContain(long);
  });

  it('acknowledges a click by greying out the card (update_template_card with the ResponseCode)', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const code = server.knownResponseCode();
    await sender.answerAction!(code, '已签收');
    expect(server.callsTo('message/update_template_card')[0]).toMatchObject({
      errcode: 0,
      body: { response_code: code, button: { replace_name: '已签收' } },
    });
    // a ResponseCode works once
    await expect(sender.answerAction!(code, '已签收')).rejects.toMatchObject({ permanent: true, platformCode: 40058 });
  });

  it('group chats get text with numbered choices (appchat takes no buttons)', async () => {
    server.addAppchat('unit_cg', ['zhangsan', 'lisi']);
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    const res = await sender.send({
      chatId: 'chat:unit_cg',
      text: '吹哨：2611250001 请城管、住建30分钟内报到',
      buttons: [[{ label: '报到', data: 'rep:w1' }, { label: '无法到场', data: 'norep:w1' }]],
    });
    expect(res.messageId).toMatch(/^appchat:unit_cg:/);
    expect(server.appchatMessages).toEqual([
      expect.objectContaining({ chatid: 'unit_cg', content: '吹哨：2611250001 请城管、住建30分钟内报到\n1. 报到\n2. 无法到场' }),
    ]);
  });

  it('group robots by name: text with numbered choices, split at 2048 bytes; unknown names refused', async () => {
    const hook = server.addRobot('robotkey123');
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger, robots: { notices: hook } });
    const res = await sender.send({ chatId: 'robot:notices', text: '今日超时工单 3 件', buttons: [[{ label: '查看', data: 'list:overdue' }]] });
    expect(res.messageId).toMatch(/^robot:notices:/);
    expect(server.callsTo('webhook/send')[0]?.body).toEqual({ msgtype: 'text', text: { content: '今日超时工单 3 件\n1. 查看' } });
    await expect(sender.send({ chatId: 'robot:other', text: 'x' })).rejects.toMatchObject({ permanent: true, reason: 'invalid_message' });
  });

  it('refuses a chatId that is neither user: nor chat:', async () => {
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    await expect(sender.send({ chatId: 'zhangsan', text: 'x' })).rejects.toMatchObject({ permanent: true, reason: 'invalid_message' });
    expect(server.calls).toHaveLength(0);
  });

  it('classifies failures: unknown member or chat is permanent (not retried), a storm stays transient', async () => {
    server.setMembers(['zhangsan']);
    server.addAppchat('unit_cg', ['zhangsan']);
    const sender = createWecomSender({ client: clientFor(server, r), logger: silentLogger });
    await expect(sender.send({ chatId: 'user:nobody', text: 'x' })).rejects.toMatchObject({ permanent: true, reason: 'chat_not_found', platformCode: 81013 });
    await expect(sender.send({ chatId: 'chat:gone', text: 'x' })).rejects.toMatchObject({ permanent: true, reason: 'chat_not_found', platformCode: 86003 });
    server.failNext('message/send', 45009, 1);
    // 45009: one call, then the wait of WeCom's minute ban for the send job
    const before = server.callsTo('message/send').length;
    await expect(sender.send({ chatId: 'user:zhangsan', text: 'x' })).rejects.toMatchObject({ permanent: false, reason: 'rate_limited', retryAfterMs: 60_000, platformCode: 45009 });
    expect(server.callsTo('message/send').length - before).toBe(1);
    // a click acknowledged twice: the second ResponseCode use is refused, permanently
    await expect(sender.answerAction!('RC-unknown', 'ok')).rejects.toMatchObject({ permanent: true, reason: 'invalid_message' });
  });
});

describe("resident sender ('wecom_kf')", () => {
  const KF = 'wkKF0001';
  const U = 'wmRESIDENT';

  it('replies with text and with a 菜单消息 whose click ids are the button data', async () => {
    server.addKfCustomerMessage(KF, U, { msgtype: 'text', text: { content: '路灯坏了' } });
    const sender = createWecomKfSender({ client: clientFor(server, r), logger: silentLogger });
    const a = await sender.send({ chatId: U, channelAccount: KF, text: '已受理，工单号 2611250001' });
    const b = await sender.send({
      chatId: U,
      channelAccount: KF,
      text: '请对处理结果评价：',
      buttons: [[{ label: '满意', data: 'rate:2611250001:s' }, { label: '基本满意', data: 'rate:2611250001:b' }], [{ label: '不满意', data: 'rate:2611250001:u' }]],
    });
    expect(server.kfSent.map((m) => m.msgid)).toEqual([a.messageId, b.messageId]);
    expect(server.kfSent[1]!.body).toMatchObject({
      touser: U,
      open_kfid: KF,
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: '请对处理结果评价：',
        list: [
          { type: 'click', click: { id: 'rate:2611250001:s', content: '满意' } },
          { type: 'click', click: { id: 'rate:2611250001:b', content: '基本满意' } },
          { type: 'click', click: { id: 'rate:2611250001:u', content: '不满意' } },
        ],
      },
    });
  });

  it('long text costs one message: truncated, never split', async () => {
    server.addKfCustomerMessage(KF, U, { msgtype: 'text', text: { content: '进展如何' } });
    const sender = createWecomKfSender({ client: clientFor(server, r), logger: silentLogger });
    await sender.send({ chatId: U, channelAccount: KF, text: '处理进展：'.repeat(300) });
    expect(server.kfSent).toHaveLength(1);
    const content = (server.kfSent[0]!.body.text as { content: string }).content;
    expect(bytes(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
  });

  it('the 48 h / 5-message budget: the 6th reply and any reply after 48 h are refused with a typed error', async () => {
    const sender = createWecomKfSender({ client: clientFor(server, r), logger: silentLogger });
    // no message from the resident yet: no window. a permanent SendError: the worker does not retry it.
    await expect(sender.send({ chatId: U, channelAccount: KF, text: '您好' })).rejects.toMatchObject({
      permanent: true,
      reason: 'window_closed',
      platformCode: 95018,
    });
    server.addKfCustomerMessage(KF, U, { msgtype: 'text', text: { content: '投诉噪音' } });
    for (let i = 1; i <= 5; i++) await sender.send({ chatId: U, channelAccount: KF, text: `回复 ${i}` });
    const sixth = await sender.send({ chatId: U, channelAccount: KF, text: '回复 6' }).catch((e: unknown) => e);
    expect(sixth).toMatchObject({ permanent: true, reason: 'budget_spent', platformCode: 95001 });
    // budget errors are not retried
    expect(server.callsTo('kf/send_msg').filter((c) => c.errcode === 95001)).toHaveLength(1);

    // the resident writes again: a fresh window of 5
    server.addKfCustomerMessage(KF, U, { msgtype: 'text', text: { content: '还没处理' } });
    await sender.send({ chatId: U, channelAccount: KF, text: '正在处理' });
    // 48 h later the window is closed
    server.advance(48 * 3600 * 1000 + 1000);
    await expect(sender.send({ chatId: U, channelAccount: KF, text: '请评价' })).rejects.toMatchObject({ reason: 'window_closed' });
    expect(server.kfSent.map((m) => (m.body.text as { content: string }).content)).toEqual([
      '回复 1',
      '回复 2',
      '回复 3',
      '回复 4',
      '回复 5',
      '正在处理',
    ]);
  });

  it('needs an open_kfid', async () => {
    const sender = createWecomKfSender({ client: clientFor(server, r), logger: silentLogger });
    await expect(sender.send({ chatId: U, text: 'x' })).rejects.toMatchObject({ permanent: true, reason: 'invalid_message' });
  });
});

describe('wecomFromConfig', () => {
  it('wires client and senders from the environment; null when WeCom is not configured', async () => {
    expect(wecomFromConfig(loadConfig({}), { redis: r.redis, logger: silentLogger })).toBeNull();
    const config = loadConfig({
      WECOM_CORP_ID: server.corpId,
      WECOM_API_BASE: server.url,
      WECOM_TOKEN: server.callbackToken,
      WECOM_ENCODING_AES_KEY: server.encodingAESKey,
      WECOM_AGENT_ID: String(server.agentId),
      WECOM_AGENT_SECRET: server.agentSecret,
      REDIS_PREFIX: r.prefix,
    });
    const setup = wecomFromConfig(config, { redis: r.redis, logger: silentLogger })!;
    expect(setup.kfSender).toBeNull();
    expect(setup.callbackKeys).toEqual({ token: server.callbackToken, encodingAESKey: server.encodingAESKey, corpId: server.corpId });
    const res = await setup.sender!.send({ chatId: 'user:zhangsan', text: '配置连通' });
    expect(server.appMessages[0]).toMatchObject({ msgid: res.messageId, text: '配置连通' });
  });
});
