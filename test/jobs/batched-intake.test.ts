/**
 * Messages that arrive together are stored by one statement and taken by one
 * intake transaction (one commit for all of them); a message that cannot be
 * processed never holds back the others of its batch.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runIntakes, runOutbox } from '../../jobs/handlers.js';
import { countingTransactions } from '../helpers/count.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
let broken = true;
beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => {
      if (text.includes('BOOM') && broken) throw new Error('understanding is down');
      return { category: { code: 'water', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun', method: 'alias', confidence: 0.9 } };
    }),
  });
  // Every unit reads its cards in a chat of its own.
  const units = await h.t.db.unit.findMany({ select: { id: true } });
  await h.t.db.chatBinding.createMany({ data: units.map((u, i) => ({ platform: 'telegram', chatId: String(800_000 + i), unitId: u.id })) });
});
afterAll(() => h?.close());

/** The pending intake rows of this test's users, grouped by the batch they were stored in. */
async function batchesOf(prefix: string) {
  const rows = await h.t.db.$queryRaw<{ id: bigint; batch: string | null; userId: string }[]>`
    SELECT o.id, o.payload->>'batch' AS batch, i.id AS "userId" FROM "Outbox" o JOIN "InboundMessage" i ON i.id = o.payload->>'inboundId'
    WHERE o.kind = 'intake' AND o."doneAt" IS NULL AND i."messageId" LIKE ${`${prefix}%`} ORDER BY o.id`;
  const groups = new Map<string, bigint[]>();
  for (const r of rows) groups.set(r.batch ?? `single-${r.id}`, [...(groups.get(r.batch ?? `single-${r.id}`) ?? []), r.id]);
  return [...groups.values()];
}

const say = (prefix: string, i: number, text: string) => h.inbound({ userId: `${prefix}${i}`, chatId: `${prefix}${i}`, messageId: `${prefix}${i}`, text });

it('a burst is stored in batches and each batch becomes its petitions in one transaction', async () => {
  const n = 40;
  const stored = await Promise.all(Array.from({ length: n }, (_, i) => say('burst-', i, `三里屯 停水了 ${i}`)));
  expect(stored.every(Boolean)).toBe(true);
  const batches = await batchesOf('burst-');
  expect(batches.flat()).toHaveLength(n);
  // The first two are stored at once (two stores may run at a time); the 38 that arrived meanwhile
  // together, as jobs of at most 32 messages.
  expect(batches.map((b) => b.length).sort((a, b) => a - b)).toEqual([1, 1, 6, 32]);

  // Count the transactions the intake opens.
  const counted = countingTransactions(h.deps.db);
  const rt = { ...h.rt, deps: { ...h.rt.deps, db: counted.db } };
  for (const ids of batches) await runIntakes(rt, ids);
  expect(counted.count()).toBe(4);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: { startsWith: 'burst-' } } } })).toBe(n);
  // Each resident got the acknowledgement of their own petition, and its unit the card (notices of a batch are
  // rendered from rows loaded together: none may carry another petition's number).
  await h.drain();
  const filed = await h.t.db.petition.findMany({ where: { resident: { platformUserId: { startsWith: 'burst-' } } }, select: { number: true, resident: { select: { chatId: true } } } });
  expect(filed).toHaveLength(n);
  const sent = h.telegram.sent.map((m) => m.text).join('\n');
  for (const p of filed) {
    expect(h.telegram.to(p.resident!.chatId).map((m) => m.text)).toEqual([expect.stringContaining(`已受理，诉求编号 ${p.number}。`)]);
    expect(sent).toContain(`派单 ${p.number}（主办）`);
  }
});

it('a message that fails is retried alone; the others of its batch are not held back', async () => {
  await Promise.all([0, 1, 2, 3, 4].map((i) => say('mixed-', i, i === 2 ? '三里屯 BOOM' : `三里屯 没水 ${i}`)));
  const stored = await batchesOf('mixed-');
  for (const single of stored.filter((b) => b.length === 1)) await runIntakes(h.rt, single);
  const batch = stored.find((b) => b.length > 1)!;
  expect(batch.length).toBeGreaterThan(1);

  await expect(runIntakes(h.rt, batch)).rejects.toThrow('understanding is down');
  // Only the failing message is still to do; the rest of its batch became petitions.
  const pending = (await batchesOf('mixed-')).flat().filter((id) => batch.includes(id));
  expect(pending).toHaveLength(1);
  const filed = await h.t.db.petition.findMany({ where: { resident: { platformUserId: { startsWith: 'mixed-' } } }, select: { resident: { select: { platformUserId: true } } } });
  expect(filed.map((p) => p.resident!.platformUserId).sort()).toEqual(['mixed-0', 'mixed-1', 'mixed-3', 'mixed-4']);

  // The job's retry, once the understanding is back, makes the last petition.
  broken = false;
  await runIntakes(h.rt, batch);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: 'mixed-2' } } })).toBe(1);
  expect((await batchesOf('mixed-')).flat().filter((id) => batch.includes(id))).toEqual([]);
});

it('the same platform message twice in one burst is stored once', async () => {
  const twice = () => h.inbound({ userId: 'dup-1', chatId: 'dup-1', messageId: 'dup-msg', text: '三里屯 停水' });
  const answers = await Promise.all([say('dup-other-', 0, '三里屯 停水'), twice(), twice()]);
  expect(answers.filter(Boolean)).toHaveLength(2);
  expect(await h.t.db.inboundMessage.count({ where: { messageId: 'dup-msg' } })).toBe(1);
});

it('sends that run at once are claimed and recorded together, and a send run twice at once goes out once', async () => {
  await say('send-', 0, '三里屯 停水 send');
  const [intake] = (await batchesOf('send-')).flat();
  await runIntakes(h.rt, [intake!]);
  const sends = await h.t.db.outbox.findMany({ where: { kind: 'send', doneAt: null } });
  expect(sends.length).toBeGreaterThan(1);
  const before = h.telegram.sent.length;
  await Promise.all([...sends, ...sends].map((s) => runOutbox(h.rt, s.id, undefined, 'send').catch(() => undefined)));
  expect(h.telegram.sent.length - before).toBe(sends.length);
  const deliveries = await h.t.db.delivery.findMany({ where: { id: { in: sends.map((s) => (s.payload as { deliveryId: string }).deliveryId) } } });
  for (const d of deliveries) {
    expect(d.status).toBe('sent');
    expect(Math.abs(d.sentAt!.getTime() - h.clock.now().getTime())).toBeLessThan(1000);
  }
  expect(await h.t.db.outbox.count({ where: { id: { in: sends.map((s) => s.id) }, doneAt: null } })).toBe(0);
});

it('in a batch, staff are still recognised as staff and residents as residents', async () => {
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: 'who-staff', displayName: '值班员', role: 'staff', unitId: '110105:water' } });
  // The first two are stored at once; the staff member and a resident after them together.
  await Promise.all([
    say('who-', 0, '三里屯 停水 who'),
    say('who-', 1, '三里屯 停水 who'),
    h.inbound({ userId: 'who-staff', chatId: 'who-staff', messageId: 'who-s', text: '帮助' }),
    say('who-', 2, '帮助'),
  ]);
  const batch = (await batchesOf('who-')).find((b) => b.length > 1)!;
  expect(batch).toHaveLength(2);
  await runIntakes(h.rt, batch);
  await h.drain();
  expect(h.telegram.to('who-staff').map((m) => m.text).join('\n')).toContain('签收 单号');
  expect(h.telegram.to('who-2').map((m) => m.text).join('\n')).toContain('/my 我的诉求');
  expect(h.telegram.to('who-2').map((m) => m.text).join('\n')).not.toContain('签收 单号');
});

it('a refused step in a batch is answered, and the others of its batch still become petitions', async () => {
  await Promise.all([say('oops-', 0, '三里屯 停水 oops'), say('oops-', 1, '三里屯 停水 oops'), say('oops-', 2, '评价 12 9'), say('oops-', 3, '三里屯 没水 oops')]);
  const batch = (await batchesOf('oops-')).find((b) => b.length > 1)!;
  expect(batch).toHaveLength(2);
  await runIntakes(h.rt, batch);
  await h.drain();
  expect(h.telegram.to('oops-2').map((m) => m.text).join('\n')).toContain('格式：评价 单号 三位数字');
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: 'oops-3' } } })).toBe(1);
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: 'oops-2' } } })).toBe(0);
});
