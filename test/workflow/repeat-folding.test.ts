/**
 * A resident's second message in the same category and street is folded into their open petition
 * only when it is the same problem; a different problem is a petition of its own; when unsure the
 * resident chooses. Whatever is added reaches the unit's chat, quoting the number.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => {
      const address = /工体北路/.test(text) ? '工体北路' : /三里屯路/.test(text) ? '三里屯路' : null;
      return { category: { code: 'municipal', confidence: 0.9 }, place: text.includes('三里屯') || address ? { districtCode: '110105', streetCode: '110105-sanlitun', address } : {} };
    }),
  });
  const units = await h.t.db.unit.findMany({ select: { id: true } });
  await h.t.db.chatBinding.createMany({ data: units.map((u, i) => ({ platform: 'telegram', chatId: String(700_000 + i), unitId: u.id })) });
});
afterAll(() => h?.close());

const filedBy = (userId: string) => h.t.db.petition.findMany({ where: { resident: { platformUserId: userId } }, orderBy: { number: 'asc' } });
const say = async (userId: string, text: string) => {
  await h.inbound({ userId, chatId: userId, text });
  await h.drain();
};
/** The unit chat that got the card of `number`. */
const unitChatOf = (number: string) => h.telegram.sent.find((m) => m.text.startsWith(`派单 ${number}`))!.chatId;

it('a different problem on another road is a petition of its own, and its unit gets its card', async () => {
  await say('diff', '三里屯路 井盖丢了，很危险');
  await say('diff', '工体北路 路灯不亮了');
  const filed = await filedBy('diff');
  expect(filed).toHaveLength(2);
  expect(filed.map((p) => p.status)).toEqual(['dispatched', 'dispatched']);
  for (const p of filed) expect(h.telegram.sent.some((m) => m.text.startsWith(`派单 ${p.number}`))).toBe(true);
  expect(h.telegram.to('diff').map((m) => m.text).join('\n')).not.toMatch(/无需重复提交/);
});

it('the same problem again is added to the open petition and the unit is told in its chat, quoting the number', async () => {
  await say('same', '三里屯 小区门口路灯不亮');
  const [p] = await filedBy('same');
  const chat = unitChatOf(p!.number);
  await say('same', '三里屯 小区门口路灯还是不亮，已经三天了');
  expect(await filedBy('same')).toHaveLength(1);
  expect(h.telegram.to('same').at(-1)!.text).toMatch(/无需重复提交/);
  const notice = h.telegram.to(chat).at(-1)!;
  expect(notice.text).toContain(p!.number);
  expect(notice.text).toContain('已经三天了');
  // threaded under the card in that chat
  const card = h.telegram.to(chat).find((m) => m.text.startsWith(`派单 ${p!.number}`))!;
  expect(notice.replyToMessageId).toBe(card.messageId);
});

it('when unsure the resident is asked; "new problem" files it as a new petition with its own card', async () => {
  await say('ask-new', '三里屯 路灯不亮');
  await say('ask-new', '三里屯 路灯那边晚上很黑');
  const [first] = await filedBy('ask-new');
  expect(await filedBy('ask-new')).toHaveLength(1);
  const question = h.telegram.to('ask-new').at(-1)!;
  expect(question.text).toContain(first!.number);
  const labels = question.buttons!.flat();
  expect(labels).toHaveLength(2);
  await h.inbound({ userId: 'ask-new', chatId: 'ask-new', action: { data: labels[1]!.data, ackId: 'n1' } });
  await h.drain();
  const filed = await filedBy('ask-new');
  expect(filed).toHaveLength(2);
  expect(filed[1]!.status).toBe('dispatched');
  expect(filed[1]!.maskedText).toContain('晚上很黑');
  expect(h.telegram.to('ask-new').at(-1)!.text).toContain(`已受理，诉求编号 ${filed[1]!.number}`);
  expect(h.telegram.sent.some((m) => m.text.startsWith(`派单 ${filed[1]!.number}`))).toBe(true);
});

it('when unsure and the resident answers "same problem", it is added and the unit is told', async () => {
  await say('ask-same', '三里屯 路灯不亮');
  const [p] = await filedBy('ask-same');
  const chat = unitChatOf(p!.number);
  await say('ask-same', '三里屯 路灯那边晚上很黑');
  const same = h.telegram.to('ask-same').at(-1)!.buttons!.flat()[0]!;
  await h.inbound({ userId: 'ask-same', chatId: 'ask-same', action: { data: same.data, ackId: 's1' } });
  await h.drain();
  expect(await filedBy('ask-same')).toHaveLength(1);
  expect(h.telegram.to(chat).at(-1)!.text).toMatch(new RegExp(`${p!.number}.*晚上很黑`));
  // pressing again changes nothing
  await h.inbound({ userId: 'ask-same', chatId: 'ask-same', action: { data: same.data, ackId: 's2' } });
  await h.drain();
  expect(await h.t.db.petitionEvent.count({ where: { petitionId: p!.id, action: 'add_info' } })).toBe(1);
});

it('a typed answer (channels without buttons) works, and an unanswered question files the message as new', async () => {
  await say('typed', '三里屯 路灯不亮');
  await say('typed', '三里屯 路灯那边晚上很黑');
  await say('typed', '2');
  expect(await filedBy('typed')).toHaveLength(2);

  await say('silent', '三里屯 路灯不亮');
  await say('silent', '三里屯 路灯那边晚上很黑');
  expect(await filedBy('silent')).toHaveLength(1);
  h.clock.advance(31 * 60_000);
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  const filed = await filedBy('silent');
  expect(filed).toHaveLength(2);
  expect(filed[1]!.status).toBe('dispatched');
});

it('补充 from /my (text, or a photo alone) reaches the unit chat, not only the record', async () => {
  await say('more', '三里屯 井盖松动');
  const [p] = await filedBy('more');
  const chat = unitChatOf(p!.number);
  await h.inbound({ userId: 'more', chatId: 'more', action: { data: `ad:${p!.number}`, ackId: 'm1' } });
  await say('more', '旁边还有一个井盖也松了');
  expect(h.telegram.to(chat).at(-1)!.text).toMatch(new RegExp(`${p!.number}.*旁边还有一个井盖`));
  await h.inbound({ userId: 'more', chatId: 'more', action: { data: `ad:${p!.number}`, ackId: 'm2' } });
  await h.inbound({ userId: 'more', chatId: 'more', photo: { fileId: 'photo-1' } });
  await h.drain();
  expect(h.telegram.to(chat).at(-1)!.text).toMatch(new RegExp(`${p!.number}.*照片`));
  const fresh = await h.t.db.petition.findUniqueOrThrow({ where: { id: p!.id } });
  expect(fresh.attachments).toEqual([expect.objectContaining({ kind: 'photo', fileId: 'photo-1' })]);
});
