/**
 * Every failure reaches a person (issue 16), on the real Postgres and Redis: an inbound message whose
 * intake the queue gives up on, a whistle summons to a unit nobody can receive, and a whistle escalation
 * with nobody at all to tell. Each becomes an alert: the responsible coordinators (or the admins) get one
 * message listing them, /metrics counts them, the dashboard lists them; what cannot be told is listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { createMetrics } from '../../core/metrics.js';
import { inTx } from '../../core/workflow/context.js';
import { fireDueTimers, scheduleTimer } from '../../core/workflow/timers.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { loadAlerts } from '../../adapters/http/dashboard/data.js';
import { notifyAlerts } from '../../jobs/alerts.js';
import { runOutbox } from '../../jobs/handlers.js';
import { createQueues, jobIdOf, type Queues } from '../../jobs/queues.js';
import { startWorkers } from '../../jobs/runtime.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

let h: Harness;
let r: TestRedis;
let queues: Queues;
let workers: Worker[] = [];
beforeAll(async () => {
  h = await createHarness({ understand: scriptedUnderstanding(() => ({})) });
  r = await createTestRedis();
  queues = createQueues(r.connection({ maxRetriesPerRequest: null }), r.prefix, h.deps.logger);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await r.cleanup();
  await h.close();
});

/** Run the sends waiting in the outbox (what the workers do after the commit). */
async function sendAll() {
  const rows = await h.t.db.outbox.findMany({ where: { doneAt: null, kind: 'send' }, select: { id: true } });
  for (const row of rows) await runOutbox(h.rt, row.id);
}

const metric = async (kind: string) => {
  const text = await createMetrics({ db: h.t.db, defaultMetrics: false }).registry.metrics();
  return Number(new RegExp(`shaosheng_alerts_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
};

async function whistle(number: string, areaCode: string, unitId: string) {
  const due = new Date(h.clock.now().getTime() + 3_600_000);
  return h.t.db.whistle.create({
    data: { number, areaCode, place: '测试地点', summary: '测试吹哨', openedBy: 'test', reportDueAt: due, dueAt: due, tasks: { create: { unitId, reportDueAt: due, dueAt: due } } },
    include: { tasks: true },
  });
}

describe('alerts', () => {
  it('a whistle escalation with nobody to tell (no coordinator, no admin) is listed and counted, not lost', async () => {
    const w = await whistle('W2611250901', '110108-zhongguancun', '110108:urban_mgmt');
    await inTx(h.deps, (x) => scheduleTimer(x.tx, 'whistle_escalate', w.tasks[0]!.id, h.clock.now(), { areaCode: '110108-zhongguancun' }));
    await fireDueTimers(h.deps, TIMER_HANDLERS);
    // the escalation and the live roll-call it updates: nobody receives either
    const alerts = await h.t.db.alert.findMany({ where: { kind: 'no_recipient' } });
    const alert = alerts.find((a) => a.detail.includes('whistle_escalate'))!;
    expect(alert).toBeDefined();
    expect(alert.notifiedAt).not.toBeNull(); // nobody can be told: listed at once, never retried into a loop
    expect(await metric('no_recipient')).toBe(alerts.length);
    expect((await loadAlerts(h.t.db)).alerts.map((a) => a.kind)).toContain('no_recipient');
  });

  it('a whistle summons to a unit with no chat and no staff: the whistle area coordinators are told', async () => {
    await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '7001', role: 'coordinator', areaCode: '110105-sanlitun' } });
    const w = await whistle('W2611250902', '110105-sanlitun', '110105:housing');
    await inTx(h.deps, (x) => x.notify({ t: 'whistle_task', taskId: w.tasks[0]!.id }, `wtask:${w.tasks[0]!.id}`));
    expect(await h.t.db.delivery.count({ where: { whistleId: w.id } })).toBe(0);
    expect(await notifyAlerts(h.deps)).toBe(1);
    await sendAll();
    const told = h.telegram.to('7001').map((m) => m.text);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('通知无人接收');
    expect(told[0]).toContain('W2611250902');
    // Nothing new: no second message.
    expect(await notifyAlerts(h.deps)).toBe(0);
  });

  it('an inbound message whose intake keeps failing reaches the admins once the queue gives up', async () => {
    await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '9001', role: 'admin' } });
    const inbound = await h.t.db.inboundMessage.create({ data: { platform: 'telegram', messageId: 'broken-1', payloadEnc: Buffer.from('not a sealed payload'), status: 'pending' } });
    const row = await h.t.db.outbox.create({ data: { kind: 'intake', payload: { inboundId: inbound.id }, dedupeKey: `intake:${inbound.id}` } });
    workers = startWorkers(h.rt, { connection: r.connection({ maxRetriesPerRequest: null }), prefix: r.prefix, logger: h.deps.logger });
    // A production job, with fewer and quicker retries so the test does not wait a minute for the eighth.
    await queues.intake.add('intake', { outboxId: String(row.id) }, { jobId: jobIdOf(row.id), attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    const until = Date.now() + 15_000;
    while (!(await h.t.db.alert.count({ where: { kind: 'intake_failed' } })) && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
    const alert = await h.t.db.alert.findFirstOrThrow({ where: { kind: 'intake_failed' } });
    expect(alert.detail).toContain('telegram');
    expect(alert.detail).not.toContain('not a sealed payload');
    expect(await notifyAlerts(h.deps)).toBe(1);
    await sendAll();
    const told = h.telegram.to('9001').map((m) => m.text);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('来信无法处理');
    expect(await metric('intake_failed')).toBe(1);
  });
});
