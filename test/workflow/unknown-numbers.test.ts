/**
 * A button or a command naming a petition that does not exist (a typo, or data anyone can forge) is
 * answered "no such petition" and finished: never a failed lookup that the queue retries, and in a
 * batch never a failure that sends every message of the batch round again alone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runIntakes } from '../../jobs/handlers.js';
import { countingTransactions } from '../helpers/count.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
const COORD = { userId: '3001', chatId: '3001' };
const BOGUS = '0000000000';

beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => ({ category: { code: 'water', confidence: 0.9 }, place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {} })),
  });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: COORD.userId, role: 'coordinator', areaCode: '110105-sanlitun' } });
});
afterAll(() => h?.close());

let n = 0;
const noSuch = /找不到诉求 0000000000|No petition 0000000000/;

it.each([
  ['coordinator', '/dispatch', { command: { name: 'dispatch', args: `${BOGUS} 城管` } }],
  ['coordinator', '/contact', { command: { name: 'contact', args: BOGUS } }],
  ['coordinator', '派单 (text)', { text: `派单 ${BOGUS} 城管` }],
  ['resident', '/contact', { command: { name: 'contact', args: BOGUS } }],
  ['resident', 'rr: button', { action: { data: `rr:${BOGUS}`, ackId: 'x' } }],
  ['resident', 'wh: button', { action: { data: `wh:${BOGUS}`, ackId: 'x' } }],
  ['resident', 'od: button', { action: { data: `od:${BOGUS}`, ackId: 'x' } }],
  ['coordinator', 'mg: button', { action: { data: `mg:${BOGUS}:${BOGUS}`, ackId: 'x' } }],
  ['resident', 'acc: button', { action: { data: `acc:${BOGUS}`, ackId: 'x' } }],
  ['resident', '撤回 (text)', { text: `撤回 ${BOGUS}` }],
])('%s sending %s naming no petition is answered, not retried', async (who, _what, extra) => {
  const person = who === 'coordinator' ? COORD : { userId: `r${++n}`, chatId: `r${n}` };
  const ackId = `ack-${++n}`;
  const message = 'action' in extra ? { action: { ...extra.action, ackId } } : extra;
  await h.inbound({ ...person, ...message });
  await h.drain(); // a failing intake would throw here
  expect(await h.t.db.outbox.count({ where: { doneAt: null } })).toBe(0);
  const answer = 'action' in extra ? h.telegram.acks.find((a) => a.ackId === ackId)?.text : h.telegram.to(person.chatId).at(-1)?.text;
  expect(answer).toMatch(noSuch);
});

it('a whistle number that does not exist is named as such (报到 / rep: button)', async () => {
  await h.inbound({ ...COORD, text: '报到 W0000000000' });
  await h.inbound({ ...COORD, action: { data: 'rep:W0000000000', ackId: 'w-rep' } });
  await h.drain();
  expect(h.telegram.to(COORD.chatId).at(-1)!.text).toBe('找不到吹哨 W0000000000。');
  expect(h.telegram.acks.find((a) => a.ackId === 'w-rep')!.text).toBe('找不到吹哨 W0000000000。');
});

it('a batch with one bogus command among good messages answers all of them in one transaction', async () => {
  const ids: bigint[] = [];
  const people = ['b0', 'b1', 'b2', 'b3'];
  for (const [i, u] of people.entries()) {
    const extra = i === 2 ? { command: { name: 'contact', args: BOGUS } } : { text: `三里屯 停水了 ${u}` };
    await h.inbound({ userId: u, chatId: u, messageId: `batch-${u}`, ...extra });
  }
  const rows = await h.t.db.$queryRaw<{ id: bigint }[]>`
    SELECT o.id FROM "Outbox" o JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId' WHERE o.kind = 'intake' AND i."messageId" LIKE 'batch-%' ORDER BY o.id`;
  ids.push(...rows.map((r) => r.id));
  expect(ids).toHaveLength(4);
  const counted = countingTransactions(h.deps.db);
  await runIntakes({ ...h.rt, deps: { ...h.rt.deps, db: counted.db } }, ids);
  // One transaction: the bogus number did not fail the batch (which would re-run each message alone).
  expect(counted.count()).toBe(1);
  await h.drain();
  expect(h.telegram.to('b2').at(-1)!.text).toMatch(noSuch);
  for (const u of ['b0', 'b1', 'b3']) expect(h.telegram.to(u).at(-1)!.text).toContain('已受理');
});
