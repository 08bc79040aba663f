/**
 * After a commit, sends leave in the background: the intake goes on to the next batch while the
 * platform answers, and one chat's messages still leave in the order they were decided.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Tx } from '../../core/db.js';
import { routeFor } from '../../core/workflow/routing.js';
import { runIntakes } from '../../jobs/handlers.js';
import { createQueues, type Queues } from '../../jobs/queues.js';
import { afterCommit, type AfterCommit, type IntakePump } from '../../jobs/runtime.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

const UNIT_CHAT = '700001';
let h: Harness;
let r: TestRedis;
let queues: Queues;
let committed: AfterCommit;
beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding(() => ({ category: { code: 'water', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun' } })),
  });
  // Every card of these petitions goes to one unit chat.
  const { lead } = await routeFor(h.t.db as unknown as Tx, 'water', '110105', '110105-sanlitun');
  await h.t.db.chatBinding.create({ data: { platform: 'telegram', chatId: UNIT_CHAT, unitId: lead } });
  r = await createTestRedis();
  queues = createQueues(r.connection({ maxRetriesPerRequest: null }), r.prefix, h.deps.logger);
  // The test takes each message itself (one commit each, in order): a pump that is never woken.
  const pump: IntakePump = { wake: () => undefined, busy: false, stop: async () => undefined };
  committed = afterCommit(h.rt, queues, pump);
  h.deps.afterCommit = committed;
});
afterAll(async () => {
  await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
  await r?.cleanup();
  await h?.close();
});

it("a commit does not wait for the platform; one chat's messages leave in the order they were decided", async () => {
  // The platform answers nothing until the gate opens.
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const send = h.telegram.send.bind(h.telegram);
  h.telegram.send = async (msg) => {
    await gate;
    return send(msg);
  };
  const ids: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    await h.inbound({ userId: `bg-${i}`, chatId: `bg-${i}`, messageId: `bg-${i}`, text: `三里屯 停水 ${i}` });
    const [row] = await h.t.db.$queryRaw<{ id: bigint }[]>`
      SELECT o.id FROM "Outbox" o JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId' WHERE i."messageId" = ${`bg-${i}`}`;
    ids.push(row!.id);
  }
  // Three commits while the platform has answered nothing: none of them waited for it.
  for (const id of ids) await runIntakes(h.rt, [id]);
  expect(h.telegram.sent).toHaveLength(0);
  open();
  await committed.drain();
  const numbers = (await h.t.db.petition.findMany({ where: { resident: { platformUserId: { startsWith: 'bg-' } } }, orderBy: { number: 'asc' } })).map((p) => p.number);
  expect(numbers).toHaveLength(3);
  expect(h.telegram.to(UNIT_CHAT).map((m) => m.text.match(/派单 (\d+)/)?.[1])).toEqual(numbers);
  for (let i = 0; i < 3; i++) expect(h.telegram.to(`bg-${i}`)).toHaveLength(1);
  expect(await h.t.db.outbox.count({ where: { kind: 'send', doneAt: null } })).toBe(0);
});
