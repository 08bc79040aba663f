/**
 * The messages of an intake batch run side by side and share their statements
 * (core/workflow/together.ts). What each resident gets must be what they would
 * get if the messages were taken one after another.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { runIntakes } from '../../jobs/handlers.js';
import { intakePump } from '../../jobs/runtime.js';
import { countingTransactions, statementsDuring } from '../helpers/count.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let broken = true;
const understand = scriptedUnderstanding((text) => {
  if (text.includes('BOOM') && broken) throw new Error('understanding is down');
  const place = text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {};
  if (text.includes('着火')) return { category: { code: 'public_security', confidence: 0.9 }, triage: { kind: '119' }, place };
  if (text.includes('噪音')) return { category: { code: 'noise', confidence: 0.9 }, place };
  if (text.includes('井盖')) return { category: { code: 'other', confidence: 0.6 }, place };
  return { category: { code: 'water', confidence: 0.9 }, place };
});

let h: Harness;
const COORDINATOR_CHAT = '-4001';
beforeAll(async () => {
  h = await createHarness({ understand, policy: { clusterThreshold: 3 } });
  await h.t.db.chatBinding.create({ data: { platform: 'telegram', chatId: COORDINATOR_CHAT, areaCode: '110105-sanlitun' } });
  const units = await h.t.db.unit.findMany({ select: { id: true } });
  await h.t.db.chatBinding.createMany({ data: units.map((u, i) => ({ platform: 'telegram', chatId: String(900_000 + i), unitId: u.id })) });
});
afterAll(() => h?.close());

let seq = 0;
/** Store each message like an adapter would, one after another (each its own intake row); their intake rows in order. */
async function storedOneByOne(messages: { userId: string; text: string }[]) {
  const ids = messages.map(() => `one-${++seq}`);
  for (const [i, m] of messages.entries()) await h.inbound({ userId: m.userId, chatId: m.userId, messageId: ids[i], text: m.text });
  const rows = await h.t.db.$queryRaw<{ id: bigint }[]>`
    SELECT o.id FROM "Outbox" o JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId' WHERE o.kind = 'intake' AND i."messageId" = ANY(${ids}) ORDER BY o.id`;
  expect(rows).toHaveLength(messages.length);
  return rows.map((r) => r.id);
}

/** Store the messages, take all of them in one intake transaction (`count` gets the statements it made) and send what it decided. */
async function inOneTransaction(messages: { userId: string; text: string }[], count?: (n: number) => void) {
  const ids = await storedOneByOne(messages);
  count?.((await statementsDuring(() => runIntakes(h.rt, ids))).length);
  await h.drain();
}

const filedBy = (userId: string) => h.t.db.petition.findMany({ where: { resident: { platformUserId: userId } }, orderBy: { number: 'asc' } });

it('a batch of new petitions costs the same statements whatever its size', async () => {
  // Category `other` never clusters (cluster notices are work of their own, counted by the tests of clusters).
  const batch = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ userId: `size-${tag}-${i}`, text: `三里屯 井盖丢了 ${tag}${i}` }));
  let three = 0;
  let twentyFour = 0;
  await inOneTransaction(batch(3, 'a'), (n) => (three = n));
  await inOneTransaction(batch(24, 'b'), (n) => (twentyFour = n));
  expect(three).toBeGreaterThan(0);
  expect(twentyFour).toBeLessThanOrEqual(three + 2);
  for (let i = 0; i < 24; i++) {
    const [p] = await filedBy(`size-b-${i}`);
    expect(p!.status).toBe('dispatched');
    // Each resident is told their own number, and the unit gets that petition's card.
    expect(h.telegram.to(`size-b-${i}`).map((m) => m.text)).toEqual([expect.stringContaining(`已受理，诉求编号 ${p!.number}。`)]);
    expect(h.telegram.sent.some((m) => m.text.includes(`派单 ${p!.number}（主办）`))).toBe(true);
  }
});

it('a cluster formed inside one batch is offered as it would be one message at a time', async () => {
  const before = h.telegram.to(COORDINATOR_CHAT).length;
  await inOneTransaction(Array.from({ length: 7 }, (_, i) => ({ userId: `noise-${i}`, text: `三里屯 晚上噪音 ${i}` })));
  const cluster = await h.t.db.petition.findMany({ where: { categoryCode: 'noise', streetCode: '110105-sanlitun' } });
  expect(cluster).toHaveLength(7);
  expect(new Set(cluster.map((p) => p.clusterKey)).size).toBe(1);
  expect(cluster[0]!.clusterKey).not.toBeNull();
  // At 3 (it forms) and at 6 (it doubled), not at every petition.
  const offers = h.telegram.to(COORDINATOR_CHAT).slice(before).filter((m) => m.text.includes('同类聚集'));
  expect(offers.map((m) => m.text.match(/(\d+) 件/)?.[1])).toEqual(['3', '6']);
});

it("one resident's two messages in a batch are taken in order: the second adds to the first", async () => {
  await inOneTransaction([
    { userId: 'twice-0', text: '三里屯 停水 第一次' },
    { userId: 'other-0', text: '三里屯 停水 别人' },
    { userId: 'twice-0', text: '三里屯 还是停水 第二次' },
  ]);
  const filed = await filedBy('twice-0');
  expect(filed).toHaveLength(1);
  const texts = h.telegram.to('twice-0').map((m) => m.text);
  expect(texts[0]).toContain(`已受理，诉求编号 ${filed[0]!.number}`);
  expect(texts).toHaveLength(2);
  expect(texts[1]).toContain(filed[0]!.number);
  expect(await h.t.db.petitionEvent.count({ where: { petitionId: filed[0]!.id, action: 'add_info' } })).toBe(1);
  expect(await filedBy('other-0')).toHaveLength(1);
});

it('a batch that mixes an emergency, a message without a place and a complaint answers each', async () => {
  await inOneTransaction([
    { userId: 'mix-fire', text: '三里屯 楼里着火了' },
    { userId: 'mix-where', text: '停水了' },
    { userId: 'mix-ok', text: '三里屯 停水了 mix' },
  ]);
  expect((await filedBy('mix-fire'))[0]!.status).toBe('redirected');
  expect(h.telegram.to('mix-fire').at(-1)!.text).toContain('119');
  expect((await filedBy('mix-where'))[0]!.status).toBe('needs_info');
  expect((await filedBy('mix-ok'))[0]!.status).toBe('dispatched');
});

it("a job takes the other messages waiting with it, up to the batch size; their own jobs then find nothing to do", async () => {
  const ids = await storedOneByOne(Array.from({ length: 5 }, (_, i) => ({ userId: `wait-${i}`, text: `三里屯 停水 wait${i}` })));
  const rt = { ...h.rt, intakeBatch: 4 };
  await runIntakes(rt, [ids[0]!]);
  const filed = async () => (await h.t.db.petition.findMany({ where: { resident: { platformUserId: { startsWith: 'wait-' } } } })).length;
  // Its own and the three oldest others; the fifth waits for a job.
  expect(await filed()).toBe(4);
  for (const id of ids) await runIntakes(rt, [id]);
  expect(await filed()).toBe(5);
  await h.drain();
  for (let i = 0; i < 5; i++) expect(h.telegram.to(`wait-${i}`).filter((m) => m.text.includes('已受理'))).toHaveLength(1);
});

it('a waiting message that fails is left to its own job and not taken into batches again', async () => {
  const [first, poison, third] = await storedOneByOne([
    { userId: 'poison-0', text: '三里屯 停水 p0' },
    { userId: 'poison-1', text: '三里屯 BOOM' },
    { userId: 'poison-2', text: '三里屯 停水 p2' },
  ]);
  const rt = { ...h.rt, intakeBatch: 32 };
  // The job of the first message takes the other two; the batch fails, each runs alone, and the job
  // succeeds: the failure was not its own message's.
  await runIntakes(rt, [first!]);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: { in: ['poison-0', 'poison-2'] } } } })).toBe(2);
  const marked = await h.t.db.outbox.findUniqueOrThrow({ where: { id: poison! } });
  expect(marked.doneAt).toBeNull();
  expect(marked.lastError).toContain('understanding is down');
  // The understanding is back, but another job does not take the marked message…
  broken = false;
  const [later] = await storedOneByOne([{ userId: 'poison-3', text: '三里屯 停水 p3' }]);
  await runIntakes(rt, [later!]);
  expect((await h.t.db.outbox.findUniqueOrThrow({ where: { id: poison! } })).doneAt).toBeNull();
  // …its own job does.
  await runIntakes(rt, [poison!]);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: 'poison-1' } } })).toBe(1);
  expect((await h.t.db.outbox.findUniqueOrThrow({ where: { id: third! } })).doneAt).not.toBeNull();
});

it('the intake pump takes a backlog in one transaction and stops when nothing waits', async () => {
  const ids = await storedOneByOne(Array.from({ length: 10 }, (_, i) => ({ userId: `pump-${i}`, text: `三里屯 停水 pump${i}` })));
  const counted = countingTransactions(h.deps.db);
  const pump = intakePump({ ...h.rt, deps: { ...h.rt.deps, db: counted.db }, intakeBatch: 32 }, 4);
  pump.wake();
  expect(pump.busy).toBe(true);
  await vi.waitUntil(() => !pump.busy, { timeout: 10_000 });
  // One transaction took all ten; a second found nothing waiting and the loop ended.
  expect(counted.count()).toBe(2);
  expect(await h.t.db.outbox.count({ where: { id: { in: ids }, doneAt: null } })).toBe(0);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: { startsWith: 'pump-' } } } })).toBe(10);
});
