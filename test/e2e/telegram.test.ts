/**
 * End to end on Telegram: the whole service (`startApp`: migrations, seeding,
 * sandbox, polling, workers, relay, HTTP) runs in-process against the
 * embedded Bot API emulator (telegram-test-api), and the tests play the
 * demo people with the emulator's client: every step is a real update that
 * goes through polling → inbox → queue → conversation → workflow → outbox →
 * sender → Bot API, and every assertion reads what a person's chat shows
 * (plus the database where "nothing changed" has to be proven).
 *
 * Each test starts its own service on a fresh schema and Redis prefix.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import type { Update } from 'grammy/types';
import { seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import { SANDBOX_ORG } from '../../core/org/sandbox.js';
import { startBotApiRecorder } from '../peers/bot-api-recorder.js';
import { COORDINATOR, RESIDENT, STAFF, startE2e, type BotMessage, type E2e, type Person } from './harness.js';

/** A service of this test only, stopped (schema dropped, Redis keys deleted) when the test ends. */
async function service(ctx: TestContext, opts: Parameters<typeof startE2e>[0] = {}): Promise<E2e> {
  const e = await startE2e(opts);
  ctx.onTestFinished(() => e.close());
  return e;
}

const GARBAGE = (n: number) => `朝阳区三里屯街道 ${n}号楼 垃圾桶满了好几天没人清运`;
const numberIn = (text: string) => /诉求编号 (\d{10,11})/.exec(text)?.[1];
const isCardOf = (no: string) => (m: BotMessage) => m.text.startsWith(`派单 ${no}`);
const labels = (m: BotMessage) => m.buttons.map((b) => b.text);

/** A resident files a petition; returns its number and the card the unit's group got. */
async function file(e: E2e, resident: Person, text: string): Promise<{ no: string; card: BotMessage }> {
  await resident.say(text);
  const ack = await e.waitFor(resident.chatId, (m) => !!numberIn(m.text));
  const no = numberIn(ack.text)!;
  expect(ack.text).toContain('已受理');
  const card = await e.waitFor(STAFF.chatId, isCardOf(no));
  return { no, card };
}

/** Largest number of messages (sends and edits) the bot put into `chatId` within any 60 s window. */
function busiestMinute(e: E2e, chatId: string): number {
  const times = e.calls.filter((c) => c.chatId === chatId && ['sendMessage', 'editMessageText', 'sendPhoto'].includes(c.method)).map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe.concurrent('Telegram end to end (service + Bot API emulator)', { timeout: 60_000 }, () => {
  it('files → card → accept → resolve by ForceReply → unhappy rating → coordinator reopens → the unit gets a new card', async (ctx) => {
    const e = await service(ctx);
    const resident = e.person(RESIDENT);
    const staff = e.person(STAFF);
    const coordinator = e.person(COORDINATOR);

    const { no, card } = await file(e, resident, GARBAGE(5));
    expect(card.text).toContain('垃圾');
    expect(card.text).toContain('三里屯');
    expect(labels(card)).toEqual(['签收', '进展', '办结', '延期', '退单', '📞 联系市民', '✅ 已联系']);

    await staff.press(card, '签收');
    await e.waitFor(STAFF.chatId, (m) => m.text === `已签收 ${no}。`);
    await e.waitFor(RESIDENT.chatId, (m) => m.text.includes(`诉求 ${no} 已由`) && m.text.includes('签收办理'));

    await staff.press(card, '办结');
    const prompt = await e.waitFor(STAFF.chatId, (m) => m.forceReply && m.text.includes('办结答复') && m.text.includes(no));
    await staff.reply(prompt, '已安排环卫清运，垃圾桶已清空并消毒');
    await e.waitFor(STAFF.chatId, (m) => m.text.startsWith(`${no} 已办结`));
    const answer = await e.waitFor(RESIDENT.chatId, (m) => m.text.includes(`诉求 ${no} 已办结`));
    expect(answer.text).toContain('答复：已安排环卫清运，垃圾桶已清空并消毒');
    expect(labels(answer)).toEqual(['是', '否']);

    await resident.press(answer, '是');
    const solved = await e.waitFor(RESIDENT.chatId, (m) => m.text === '您的问题是否已解决？');
    expect(labels(solved)).toEqual(['解决', '部分解决', '未解决']);
    await resident.press(solved, '未解决');
    const satisfied = await e.waitFor(RESIDENT.chatId, (m) => m.text === '您对办理结果是否满意？');
    await resident.press(satisfied, '不满意');
    await e.waitFor(RESIDENT.chatId, (m) => m.text.includes('提交重新办理审核'));
    // The bot now takes a remark on the rating; a new problem at a named place is still a new petition.
    await resident.say('朝阳区三里屯街道 工体北路8号院 路灯坏了一个星期，晚上漆黑一片');
    const other = await e.waitFor(RESIDENT.chatId, (m) => m.text.startsWith('已受理') && numberIn(m.text) !== no);
    expect(other.text).toContain('市政设施');
    expect(e.messages(RESIDENT.chatId).some((m) => m.text.startsWith('意见已记录'))).toBe(false);

    const review = await e.waitFor(COORDINATOR.chatId, (m) => m.text.startsWith(`【重办申请】诉求 ${no}`));
    expect(review.text).toContain('未解决');
    expect(review.text).toContain('不满意');
    expect(labels(review)).toEqual(['同意重办', '不予重办']);
    await coordinator.press(review, '同意重办');
    await e.waitFor(COORDINATOR.chatId, (m) => m.text === `${no} 已重办，原单位重新办理。`);

    await e.until(() => e.messages(STAFF.chatId).filter(isCardOf(no)).length === 2, 15_000, 'a second card for the reopened petition');
    const second = e.messages(STAFF.chatId).filter(isCardOf(no))[1]!;
    expect(second.messageId).toBeGreaterThan(card.messageId);
    expect(labels(second)).toEqual(['签收', '进展', '办结', '延期', '退单', '📞 联系市民', '✅ 已联系']);
    await e.waitFor(RESIDENT.chatId, (m) => m.text.startsWith(`诉求 ${no} 已重新交办`));
    // The coordinator is in the bound group: the request reached them there, not a second time in private.
    expect(e.messages(COORDINATOR.userId)).toHaveLength(0);

    const p = await e.app.db.petition.findUniqueOrThrow({ where: { number: no }, include: { assignments: { orderBy: { dispatchedAt: 'asc' } } } });
    expect(p.status).toBe('reopened');
    expect(p.reopenCount).toBe(1);
    expect(p.assignments.map((a) => [a.unitId, a.status])).toEqual([
      [SANDBOX_ORG.unitId, 'resolved'],
      [SANDBOX_ORG.unitId, 'dispatched'],
    ]);
  });

  it('a whistle with a 1-minute report window: one department reports, the other is late on the roll-call', async (ctx) => {
    const e = await service(ctx);
    const { no } = await file(e, e.person(RESIDENT), GARBAGE(7));
    const coordinator = e.person(COORDINATOR);
    const staff = e.person(STAFF);

    // A mistyped number is named as such (it used to read "no such departments").
    await coordinator.command('/whistle 2699999999 城管 住建 1');
    await e.waitFor(COORDINATOR.chatId, (m) => m.text === '找不到诉求 2699999999。');

    await coordinator.command(`/whistle ${no} 城管 住建 1`);
    const opened = await e.waitFor(COORDINATOR.chatId, (m) => m.text.startsWith('已吹哨 W'));
    const wno = /已吹哨 (W\d+)/.exec(opened.text)![1]!;
    expect(opened.text).toMatch(/主办：朝阳区城市管理委员会；协办：朝阳区住房/);
    const rollcall = () => e.messages(COORDINATOR.chatId).filter((m) => m.text.startsWith(`【点名】吹哨 ${wno}`));
    await e.until(() => rollcall().length > 0, 15_000, 'the roll-call');
    expect(rollcall()[0]!.text).toContain('报到 0/2');

    // Only the summoned unit with a chat gets the task; its staff reports.
    const task = await e.waitFor(STAFF.chatId, (m) => m.text.startsWith(`【吹哨报到】${wno}`));
    expect(labels(task)).toEqual(['报到', '完成']);
    await staff.press(task, '报到');
    await e.until(() => rollcall().some((m) => m.text.includes('报到 1/2')), 15_000, 'the roll-call to show one report');

    // The report window (1 minute) passes; the relay fires the timer.
    e.clock.advance(61_000);
    await e.until(() => rollcall().some((m) => m.text.includes('超时未报到')), 15_000, 'the roll-call to show the late unit');
    const live = rollcall().find((m) => m.text.includes('超时未报到'))!;
    expect(live.text).toMatch(/朝阳区城市管理委员会：🟢 已报到/);
    expect(live.text).toMatch(/朝阳区住房[^\n：]*：🔴 超时未报到/);
    expect(live.text).toContain('报到 1/2');

    // The coordinator asks again with the Chinese text command: the same picture.
    const before = e.messages(COORDINATOR.chatId).length;
    await coordinator.say('点名');
    const asked = await e.waitFor(COORDINATOR.chatId, (m) => m.messageId > (e.messages(COORDINATOR.chatId)[before - 1]?.messageId ?? 0) && m.text.startsWith(`【点名】吹哨 ${wno}`));
    expect(asked.text).toMatch(/朝阳区城市管理委员会：🟢 已报到/);
    expect(asked.text).toMatch(/朝阳区住房[^\n：]*：🔴 超时未报到/);
  });

  it('a return (退单) reviewed by the coordinator: approved → re-routed; refused → the unit keeps it', async (ctx) => {
    const e = await service(ctx);
    const staff = e.person(STAFF);
    const coordinator = e.person(COORDINATOR);

    // Approve.
    const a = await file(e, e.person(RESIDENT), GARBAGE(9));
    await staff.press(a.card, '退单');
    const ask = await e.waitFor(STAFF.chatId, (m) => m.forceReply && m.text.includes(`退单理由（单号 ${a.no}）`));
    await staff.reply(ask, '该楼属物业管理区域，应由物业公司清运');
    await e.waitFor(STAFF.chatId, (m) => m.text === `${a.no} 已退单，等待协调人审核。`);
    const review = await e.waitFor(COORDINATOR.chatId, (m) => m.text.startsWith('【退单审核】') && m.text.includes(a.no));
    expect(review.text).toContain('该楼属物业管理区域');
    expect(labels(review)).toEqual(['同意退单并改派', '驳回退单']);
    await coordinator.press(review, '同意退单');
    const done = await e.waitFor(COORDINATOR.chatId, (m) => m.text.startsWith(`已同意退单，${a.no} 改派`));
    const leads = await e.app.db.assignment.findMany({ where: { petition: { number: a.no }, role: 'lead' }, orderBy: { dispatchedAt: 'asc' } });
    expect(leads.map((x) => x.status)).toEqual(['returned', 'dispatched']);
    expect(leads[1]!.unitId).not.toBe(SANDBOX_ORG.unitId);
    // the unit's name, never its internal id
    const unit = await e.app.db.unit.findUniqueOrThrow({ where: { id: leads[1]!.unitId } });
    expect(done.text).toContain(unit.name);
    expect(done.text).not.toContain(leads[1]!.unitId);
    await e.waitFor(RESIDENT.chatId, (m) => m.text.startsWith(`诉求 ${a.no} 已改派`));

    // Refuse (another resident, another petition).
    const b = await file(e, e.person({ userId: 1002, chatId: 1002, type: 'private' }), GARBAGE(11));
    await staff.press(b.card, '退单');
    const ask2 = await e.waitFor(STAFF.chatId, (m) => m.forceReply && m.text.includes(`退单理由（单号 ${b.no}）`));
    await staff.reply(ask2, '人手不足');
    const review2 = await e.waitFor(COORDINATOR.chatId, (m) => m.text.startsWith('【退单审核】') && m.text.includes(b.no));
    await coordinator.press(review2, '驳回退单');
    const why = await e.waitFor(COORDINATOR.chatId, (m) => m.forceReply && m.text.includes(`驳回理由（单号 ${b.no}）`));
    await coordinator.reply(why, '清运属城管委职责，请继续办理');
    await e.waitFor(COORDINATOR.chatId, (m) => m.text === `已驳回 ${b.no} 的退单，原单位继续办理。`);
    const back = await e.waitFor(STAFF.chatId, (m) => m.text.startsWith(`诉求 ${b.no} 的退单未获同意`));
    expect(back.text).toContain('清运属城管委职责');
    expect(labels(back)).toEqual(['签收', '进展', '办结', '延期', '退单']);
    const leads2 = await e.app.db.assignment.findMany({ where: { petition: { number: b.no }, role: 'lead' }, orderBy: { dispatchedAt: 'asc' } });
    expect(leads2.map((x) => [x.unitId, x.status])).toEqual([
      [SANDBOX_ORG.unitId, 'cancelled'], // the refused return is void; the unit holds a fresh assignment
      [SANDBOX_ORG.unitId, 'dispatched'],
    ]);
  });

  it('a non-staff member pressing a card button gets a short refusal and nothing changes', async (ctx) => {
    const e = await service(ctx);
    const { no, card } = await file(e, e.person(RESIDENT), GARBAGE(13));
    await e.settle();
    const eventsBefore = await e.app.db.petitionEvent.count({ where: { petition: { number: no } } });
    const residentBefore = e.messages(RESIDENT.chatId).length;

    const stranger = e.person({ userId: 4444, chatId: STAFF.chatId, type: 'group', firstName: '路人' });
    await stranger.press(card, '签收');
    await e.until(() => e.calls.some((c) => c.method === 'answerCallbackQuery' && String(c.body.text ?? '').includes('无法操作')), 15_000, 'the refusal toast');
    await e.waitFor(STAFF.chatId, (m) => m.text.startsWith('您不是该单位登记的工作人员'));
    await stranger.press(card, '办结');
    await e.until(() => e.calls.filter((c) => c.method === 'answerCallbackQuery' && String(c.body.text ?? '').includes('无法操作')).length === 2, 15_000, 'the second refusal');
    await e.settle();

    const p = await e.app.db.petition.findUniqueOrThrow({ where: { number: no }, include: { assignments: true } });
    expect(p.status).toBe('dispatched');
    expect(p.assignments.map((a) => [a.status, a.acceptedAt])).toEqual([['dispatched', null]]);
    expect(await e.app.db.petitionEvent.count({ where: { petition: { number: no } } })).toBe(eventsBefore);
    expect(e.messages(STAFF.chatId).some((m) => m.forceReply)).toBe(false); // no answer prompt for the stranger
    expect(e.messages(RESIDENT.chatId)).toHaveLength(residentBefore);
    expect(await e.app.db.keyValue.count({ where: { key: { startsWith: 'prompt:' } } })).toBe(0);

    // The same button works for the registered staff member.
    await e.person(STAFF).press(card, '签收');
    await e.waitFor(STAFF.chatId, (m) => m.text === `已签收 ${no}。`);
  });

  it('a burst of 30 petitions into one unit becomes a digest, never more than 20 messages a minute in the group', async (ctx) => {
    const e = await service(ctx);
    const n = 30;
    const residents = Array.from({ length: n }, (_, i) => e.person({ userId: 5001 + i, chatId: 5001 + i, type: 'private' }));

    await Promise.all(residents.map((r, i) => r.say(GARBAGE(100 + i))));
    await e.until(async () => (await e.app.db.petition.count({ where: { status: 'dispatched' } })) === n, 30_000, `${n} dispatched petitions`);
    // Residents' acknowledgements do not queue behind the group's budget (they waited 10 s
    // and more when sends to the group held the workers while waiting for their turn).
    await e.until(() => residents.every((r) => e.messages(r.chatId).some((m) => m.text.startsWith('已受理'))), 15_000, 'every acknowledgement');
    // the platform shows a message a moment before the sender records it
    const ackWhere = { chatId: { in: residents.map((r) => String(r.chatId)) }, sentAt: { not: null } };
    await e.until(async () => (await e.app.db.delivery.count({ where: ackWhere })) === n, 5_000, 'every acknowledgement recorded');
    const acks = await e.app.db.delivery.findMany({ where: ackWhere, select: { createdAt: true, sentAt: true } });
    expect(acks).toHaveLength(n);
    const queued = acks.map((d) => d.sentAt!.getTime() - d.createdAt.getTime());
    expect(Math.max(...queued)).toBeLessThan(3_000);
    const numbers = (await e.app.db.petition.findMany({ select: { number: true } })).map((p) => p.number);
    // Every order reaches the group, as a card or as a digest line.
    await e.until(() => {
      const seen = e.messages(STAFF.chatId).map((m) => m.text).join('\n');
      return numbers.every((no) => seen.includes(`派单 ${no}`));
    }, 30_000, 'every order in the group');
    const groupBusy = () => e.app.db.delivery.count({ where: { chatId: String(STAFF.chatId), status: { in: ['pending', 'sending'] } } });
    await e.until(async () => (await groupBusy()) === 0, 30_000, 'the group backlog to clear');

    const group = e.messages(STAFF.chatId);
    const digests = group.filter((m) => m.text.startsWith('新派单汇总'));
    expect(digests.length).toBeGreaterThan(0);
    expect(group.length).toBeLessThanOrEqual(20);
    expect(busiestMinute(e, String(STAFF.chatId))).toBeLessThanOrEqual(20);
    // The coordinators' group got the cluster alerts in the same burst: also within budget.
    expect(busiestMinute(e, String(COORDINATOR.chatId))).toBeLessThanOrEqual(20);
    // Each order appears exactly once in the group (no card and digest line for the same one).
    const text = group.map((m) => m.text).join('\n');
    for (const no of numbers) expect(text.split(`派单 ${no}`).length - 1).toBe(1);
    // The digest tells staff how to act on bundled orders; the command works.
    expect(digests[0]!.text).toContain('签收 单号');
    const bundled = numbers.find((no) => digests.some((d) => d.text.includes(`派单 ${no}`)))!;
    const asked = Date.now();
    await e.person(STAFF).say(`签收 ${bundled}`);
    await e.waitFor(STAFF.chatId, (m) => m.text === `已签收 ${bundled}。`, 30_000);
    // Answered promptly: the burst no longer holds the outbound workers (it took 12 s when the
    // coordinator's private chat got a copy of every cluster alert, 1 a second).
    expect(Date.now() - asked).toBeLessThan(10_000);
  });

  it('a redelivered update (message and button press) creates nothing new', async (ctx) => {
    const e = await service(ctx);
    const bot = e.app.bot!;
    const date = Math.floor(Date.now() / 1000);
    const message: Update = {
      update_id: 700001,
      message: {
        message_id: 777,
        date,
        chat: { id: 1002, type: 'private', first_name: '居民二' },
        from: { id: 1002, is_bot: false, first_name: '居民二', language_code: 'zh-hans' },
        text: GARBAGE(15),
      },
    };
    await bot.handleUpdate(message);
    await bot.handleUpdate(message);
    await Promise.all([bot.handleUpdate(message), bot.handleUpdate(message)]);
    const ack = await e.waitFor(1002, (m) => !!numberIn(m.text));
    const no = numberIn(ack.text)!;
    const card = await e.waitFor(STAFF.chatId, isCardOf(no));
    await e.settle();
    expect(await e.app.db.inboundMessage.count()).toBe(1);
    expect(await e.app.db.petition.count()).toBe(1);
    expect(e.messages(1002)).toHaveLength(1);
    expect(e.messages(STAFF.chatId).filter(isCardOf(no))).toHaveLength(1);

    const press: Update = {
      update_id: 700002,
      callback_query: {
        id: 'redelivered-press-1',
        chat_instance: 'x',
        from: { id: STAFF.userId, is_bot: false, first_name: '工作人员' },
        message: { message_id: card.messageId, date, chat: { id: STAFF.chatId, type: 'group', title: STAFF.chatTitle }, text: card.text },
        data: `acc:${no}`,
      },
    };
    await bot.handleUpdate(press);
    await bot.handleUpdate(press);
    await e.waitFor(STAFF.chatId, (m) => m.text === `已签收 ${no}。`);
    await bot.handleUpdate(press);
    await e.settle();
    expect(e.messages(STAFF.chatId).filter((m) => m.text.includes(`签收 ${no}`))).toHaveLength(1);
    expect(e.messages(1002).filter((m) => m.text.includes('签收办理'))).toHaveLength(1);
    expect(e.calls.filter((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'redelivered-press-1')).toHaveLength(1);
    expect(await e.app.db.petitionEvent.count({ where: { action: 'accept' } })).toBe(1);
    expect(await e.app.db.inboundMessage.count()).toBe(2);
  });

  it('webhook mode: a wrong or missing secret is refused with 401 and nothing is enqueued; the right one is stored once', async (ctx) => {
    const recorder = await startBotApiRecorder();
    ctx.onTestFinished(() => recorder.close());
    const SECRET = 'e2e_Webhook-secret';
    const e = await service(ctx, {
      env: { TELEGRAM_MODE: 'webhook', TELEGRAM_BOT_TOKEN: '123456:E2E', TELEGRAM_API_ROOT: recorder.apiRoot, PUBLIC_URL: 'https://shaosheng.example', TELEGRAM_WEBHOOK_SECRET: SECRET },
      prepare: async (db) => {
        await seedReferenceData(db);
        await seedDefaultOrg(db);
        await db.chatBinding.create({ data: { platform: 'telegram', chatId: '-3001', areaCode: SANDBOX_ORG.areaCode } });
      },
    });
    expect(e.app.sandbox).toBeUndefined();
    const hook = recorder.calls.find((c) => c.method === 'setWebhook');
    expect(hook?.body).toMatchObject({ url: 'https://shaosheng.example/telegram/webhook', secret_token: SECRET });
    // The coordinator chat gets its own menu (registerCommands with the area-bound chats).
    await e.until(() => recorder.calls.some((c) => c.method === 'setMyCommands' && JSON.stringify(c.body.scope) === JSON.stringify({ type: 'chat', chat_id: -3001 })), 10_000, 'the coordinator menu');

    const update = {
      update_id: 800001,
      message: { message_id: 31, date: Math.floor(Date.now() / 1000), chat: { id: 1001, type: 'private', first_name: '居民' }, from: { id: 1001, is_bot: false, first_name: '居民' }, text: GARBAGE(17) },
    };
    const post = (headers: Record<string, string>) =>
      e.app.server!.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'content-type': 'application/json', ...headers }, payload: update });

    expect((await post({})).statusCode).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'e2e_Webhook-secreT' })).statusCode).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': '' })).statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(await e.app.db.inboundMessage.count()).toBe(0);
    expect(await e.app.db.outbox.count()).toBe(0);
    expect(await e.app.queues.intake.count()).toBe(0);
    expect(recorder.sends()).toHaveLength(0);

    // The right secret: stored and answered; Telegram delivering it again changes nothing.
    expect((await post({ 'x-telegram-bot-api-secret-token': SECRET })).statusCode).toBe(200);
    expect(await e.app.db.inboundMessage.count()).toBe(1);
    await e.until(() => recorder.sends().some((c) => String(c.body.chat_id) === '1001' && String(c.body.text).includes('已受理')), 15_000, 'the acknowledgement');
    expect((await post({ 'x-telegram-bot-api-secret-token': SECRET })).statusCode).toBe(200);
    await e.settle();
    expect(await e.app.db.inboundMessage.count()).toBe(1);
    expect(await e.app.db.petition.count()).toBe(1);
    expect(recorder.sends().filter((c) => String(c.body.chat_id) === '1001')).toHaveLength(1);
  });
});
