/**
 * The terminal client (`npm run chat`) against a running sandbox: what a
 * person types reaches the sink as the right InboundMessage, and what the
 * bot sends shows up with numbered buttons that can be pressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatClient } from '../../../cli/chat.js';
import { createTelegramBot, startPolling, type PollingHandle } from '../../../adapters/telegram/bot.js';
import { SANDBOX_BOT_INFO, SANDBOX_USERS, startSandbox, type Sandbox } from '../../../adapters/telegram/sandbox.js';
import { createTelegramSender, type TelegramSender } from '../../../adapters/telegram/sender.js';
import { createLogger } from '../../../core/log.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';
import { createRecordingSink } from './harness.js';
import { shorten } from '../../../bots/texts.js';

let sandbox: Sandbox;
let polling: PollingHandle;
let r: TestRedis;
let sender: TelegramSender;
const rec = createRecordingSink();
const printed: string[] = [];
let client: ReturnType<typeof createChatClient>;
const roles: string[] = [];

beforeAll(async () => {
  const logger = createLogger({ level: 'silent' });
  sandbox = await startSandbox({ port: 0, logger });
  r = await createTestRedis();
  const bot = createTelegramBot({ token: sandbox.token, apiRoot: sandbox.apiRoot, logger, sink: rec.sink, botInfo: SANDBOX_BOT_INFO });
  polling = startPolling(bot, { idleDelayMs: 20 });
  sender = createTelegramSender({ token: sandbox.token, apiRoot: sandbox.apiRoot, redis: r.redis, keyPrefix: r.prefix, logger, limits: { perChat: { limit: 1, windowMs: 10 } } });
  client = createChatClient({ apiRoot: sandbox.apiRoot, token: sandbox.token, print: (l) => printed.push(l), onRole: (r) => roles.push(r) });
});
afterAll(async () => {
  await polling.stop();
  await sandbox.stop();
  await r.cleanup();
});

async function typed(line: string) {
  const next = rec.received.length + 1;
  await client.input(line);
  return rec.waitFor(next);
}

describe('npm run chat (terminal client for the sandbox)', () => {
  it('sends a resident’s lines from the private chat', async () => {
    const m = await typed('小区门口路灯不亮');
    expect(m).toMatchObject({ chatId: '1001', userId: '1001', chatType: 'private', text: '小区门口路灯不亮', language: 'zh' });
  });

  it('shows bot messages with numbered buttons, presses them by number, and shows edits', async () => {
    const card = await sender.send({ chatId: '1001', text: '请选择类别', buttons: [[{ label: '路灯', data: 'cat:light' }, { label: '道路', data: 'cat:road' }], [{ label: '其他', data: 'cat:other' }]] });
    printed.length = 0;
    await client.poll();
    expect(printed).toEqual([`🤖 #${card.messageId}: 请选择类别`, '   [1] 路灯   [2] 道路', '   [3] 其他']);

    const press = await typed(':press 2');
    expect(press.action).toMatchObject({ data: 'cat:road', messageId: card.messageId });
    // the pop-up the bot answers the press with is shown too
    await sender.answerAction!(press.action!.ackId!, '已选择道路');
    printed.length = 0;
    await client.poll();
    expect(printed).toContain('💬 (resident) 已选择道路');
    expect(await client.poll()).toBe(0);

    await sender.send({ chatId: '1001', text: '已选择：道路', editMessageId: card.messageId });
    printed.length = 0;
    await client.poll();
    expect(printed[0]).toBe(`🤖 #${card.messageId} (edited): 已选择：道路`);
    const shown = printed.length;
    expect(await client.poll()).toBe(0); // an unchanged message is shown once
    expect(printed).toHaveLength(shown);
  });

  it('answers a ForceReply prompt with the next plain line', async () => {
    const prompt = await sender.send({ chatId: '1001', text: '请补充具体位置', forceReply: true });
    await client.poll();
    const m = await typed('东三环北路27号');
    expect(m.replyToMessageId).toBe(prompt.messageId);
  });

  it('shares location, photo and own phone', async () => {
    expect((await typed(':loc 39.9219 116.4436')).location).toEqual({ lat: 39.9219, lng: 116.4436, coordSystem: 'wgs84' });
    const photo = await typed(':photo 垃圾堆在路边');
    expect(photo.photo?.fileId).toMatch(/^sandbox-photo-/);
    expect(photo.text).toBe('垃圾堆在路边');
    expect((await typed(':contact 13800138000')).contactPhone).toBe('13800138000');
    const voice = await typed(':voice 8');
    expect(voice.media).toEqual([{ kind: 'voice', fileId: expect.stringMatching(/^sandbox-voice-/), mime: 'audio/ogg', durationSec: 8 }]);
    expect(voice.text).toBeUndefined();
  });

  it('switches to staff and coordinator, whose commands come from their group chats', async () => {
    await client.input(':as staff');
    expect(roles.at(-1)).toBe('staff'); // the prompt changes before the line saying so is printed
    const staff = await typed('/help');
    expect(staff).toMatchObject({ chatId: String(SANDBOX_USERS.staff.chatId), userId: '2001', chatType: 'group', command: { name: 'help', args: '' } });
    await client.input(':as c');
    const whistle = await typed('/whistle 2611250001 城管 住建 30');
    expect(whistle).toMatchObject({ chatId: '-3001', userId: '3001', command: { name: 'whistle', args: '2611250001 城管 住建 30' } });

    // a message in another person's chat is shown tagged with that person
    await sender.send({ chatId: '-2001', text: '新工单 2611250001' });
    printed.length = 0;
    await client.poll();
    expect(printed[0]).toMatch(/^🤖 \[staff\] #\d+: 新工单 2611250001$/);
  });
});

describe('shorten (summaries in /my)', () => {
  it('cuts between words, never inside one', () => {
    expect(shorten('垃圾分类与清运｜朝阳区三里屯街道｜朝阳区三里屯北街1号楼下垃圾堆了三天', 20)).toBe('垃圾分类与清运｜朝阳区三里屯街道｜朝阳…');
    expect(shorten('The street light at the corner of Sanlitun Road is broken', 20)).toBe('The street light at…');
    expect(shorten('路灯不亮', 20)).toBe('路灯不亮');
  });
});
