/**
 * A card that went out in a digest is sent. Seen in an acceptance run: with the database refusing
 * connections for ~15 s mid-burst, five petitions reached the unit twice, once in a digest and again as
 * single cards about two minutes later (the digest's record failed, its leases ran out, each card was
 * sent again). The digest's record is retried while its lease lasts, like a single send's.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PrismaClient } from '../../core/db.js';
import { runOutbox, type Runtime } from '../../jobs/handlers.js';
import { createHarness, RecordingSender, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const GROUP = '-3001';
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ understand: scriptedUnderstanding(() => ({})) });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** The database as the service sees it, with an outage that can be switched on: every call refused, as Postgres refusing connections. */
function withOutage(db: PrismaClient) {
  let downUntil = 0;
  const refuse = () => {
    if (Date.now() < downUntil) throw new Error("Can't reach database server at 127.0.0.1:5432 (connection refused: injected outage)");
  };
  const guard = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, p) {
        const v = Reflect.get(t, p, t) as unknown;
        if (typeof v === 'function') {
          return (...args: unknown[]) => {
            refuse();
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        // model delegates (db.delivery, db.outbox…): their methods are refused too
        if (v && typeof v === 'object' && typeof p === 'string' && !p.startsWith('$') && !p.startsWith('_')) return guard(v);
        return v;
      },
    });
  return { db: guard(db), down: (ms: number) => (downUntil = Date.now() + ms) };
}

/** A group sender whose budget is spent: what is waiting goes out as one digest. */
class SpentBudgetSender extends RecordingSender {
  onSend: (text: string) => void = () => undefined;
  async remainingBudget() {
    return 1;
  }
  override async send(msg: Parameters<RecordingSender['send']>[0]) {
    const res = await super.send(msg);
    this.onSend(msg.text);
    return res;
  }
}

it('a digest whose record meets a database outage is recorded once Postgres is back: each card arrives exactly once', async () => {
  const outage = withOutage(h.t.db);
  const sender = new SpentBudgetSender('telegram');
  const rt: Runtime = { ...h.rt, deps: { ...h.deps, db: outage.db }, senders: { telegram: sender } };
  // The platform takes the digest, then the database refuses connections for a moment.
  sender.onSend = (text) => {
    if (text.startsWith('新派单汇总')) outage.down(1500);
  };
  const numbers = [1, 2, 3, 4, 5].map((i) => `261125000${i}`);
  const outboxIds: bigint[] = [];
  for (const no of numbers) {
    const d = await h.t.db.delivery.create({
      data: { key: `t:${randomUUID()}`, platform: 'telegram', chatId: GROUP, message: { text: `派单 ${no}（主办）\n朝阳区 路灯不亮` }, status: 'pending', createdAt: h.clock.now() },
    });
    const o = await h.t.db.outbox.create({ data: { kind: 'send', payload: { deliveryId: d.id }, dedupeKey: `send:${d.id}`, createdAt: h.clock.now() } });
    outboxIds.push(o.id);
  }

  await runOutbox(rt, outboxIds[0]!, undefined, 'send').catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1600)); // Postgres is back
  // Whatever is left runs again, as the queue and the relay would, also after every lease ran out.
  for (const later of [0, 121_000]) {
    h.clock.advance(later);
    const rows = await h.t.db.outbox.findMany({ where: { doneAt: null, kind: 'send' }, orderBy: { id: 'asc' } });
    for (const row of rows) await runOutbox(rt, row.id, undefined, 'send').catch(() => undefined);
  }

  const group = sender.to(GROUP);
  expect(group.filter((m) => m.text.startsWith('新派单汇总'))).toHaveLength(1);
  for (const no of numbers) {
    const seen = group.filter((m) => m.text.startsWith(`派单 ${no}（`) || m.text.includes(`• 派单 ${no}（`)).length;
    expect(seen, `card ${no} reached the group ${seen} times`).toBe(1);
  }
  const deliveries = await h.t.db.delivery.findMany({ where: { chatId: GROUP } });
  expect(deliveries.map((d) => d.status)).toEqual(numbers.map(() => 'digested'));
  expect(new Set(deliveries.map((d) => d.sentMessageId)).size).toBe(1);
  expect(await h.t.db.outbox.count({ where: { id: { in: outboxIds }, doneAt: null } })).toBe(0);
}, 60_000);
