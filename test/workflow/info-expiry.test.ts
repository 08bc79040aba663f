/**
 * A question to the resident (needs_info) does not wait forever: after the policy's wait
 * (INFO_WAIT_HOURS, 24 h by default) a petition without a place is closed and the resident is told
 * (one with a known district is never asked: it goes to the district at once, issue 19). An answer in time, or a
 * withdrawal, wins; a timer that fires late or twice changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { DEFAULT_POLICY, HOUR_MS, policyFromConfig } from '../../core/workflow/policy.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const BALIZHUANG = [
  { districtCode: '110105', streetCode: '110105-balizhuang', label: '朝阳区八里庄街道' },
  { districtCode: '110108', streetCode: '110108-balizhuang', label: '海淀区八里庄街道' },
];
const understand = scriptedUnderstanding((text) => {
  const place =
    text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' }
    : text.includes('八里庄') ? { candidates: BALIZHUANG }
    : text.includes('朝阳') ? { districtCode: '110105' }
    : {};
  return { category: { code: 'sanitation', confidence: 0.8 }, place };
});

let h: Harness;
let n = 0;
/** a new resident for each test */
const someone = (language?: string) => {
  const id = String(5000 + ++n);
  return { userId: id, chatId: id, ...(language ? { language } : {}) };
};
const petitionOf = (userId: string) => h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: userId } }, orderBy: { createdAt: 'desc' } });
const residentOf = (userId: string) => h.t.db.resident.findFirstOrThrow({ where: { platformUserId: userId } });
const fire = async () => {
  const fired = await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  return fired;
};
const actions = async (petitionId: string) => (await h.t.db.petitionEvent.findMany({ where: { petitionId }, orderBy: { id: 'asc' } })).map((e) => [e.action, e.reason]);

beforeAll(async () => {
  h = await createHarness({ understand });
});
afterAll(() => h.close());

describe('a question the resident never answers', () => {
  it('with a known district there is no question (issue 19): it is dispatched at district level at once', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '朝阳区这边路边垃圾很多' });
    await h.drain();
    const p = await petitionOf(r.userId);
    expect(p.status).toBe('dispatched');
    expect([p.districtCode, p.streetCode]).toEqual(['110105', null]);
    const [lead] = await h.t.db.assignment.findMany({ where: { petitionId: p.id, role: 'lead' } });
    expect(lead!.unitId).toMatch(/^110105:/);
    expect(await actions(p.id)).toEqual([
      ['receive', null],
      ['dispatch', null],
    ]);
    expect(h.telegram.to(r.chatId).map((m) => m.text)).toEqual([expect.stringMatching(new RegExp(`已受理，诉求编号 ${p.number}[\\s\\S]*地点：朝阳区`))]);
    expect(await h.t.db.timer.count({ where: { kind: 'info_expire', data: { path: ['petitionId'], equals: p.id } } })).toBe(0);
  });

  it('without any place: after 24 h the petition is closed and the resident is told they can write again', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '楼下垃圾堆了一个星期' });
    await h.drain();
    h.clock.advance(DEFAULT_POLICY.infoWaitMs);
    await fire();
    const p = await petitionOf(r.userId);
    expect(p.status).toBe('closed');
    expect(p.closedAt).toEqual(h.clock.now());
    expect(await h.t.db.assignment.count({ where: { petitionId: p.id } })).toBe(0);
    const last = h.telegram.to(r.chatId).at(-1)!.text;
    expect(last).toContain(`诉求 ${p.number}`);
    expect(last).toMatch(/已关闭/);
    expect(last).toMatch(/请重新发送问题和具体地点/);
    expect((await residentOf(r.userId)).awaiting).toBeNull();
    expect((await actions(p.id)).at(-1)).toEqual(['close_unanswered', 'no_answer']);

    // Writing again starts afresh.
    await h.inbound({ ...r, text: '三里屯楼下垃圾堆了一个星期' });
    await h.drain();
    const again = await petitionOf(r.userId);
    expect(again.id).not.toBe(p.id);
    expect(again.status).toBe('dispatched');
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('closed');
  });

  it('an ambiguous place (two districts) left unanswered is closed, not sent to a guessed district', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '八里庄路边很脏' });
    await h.drain();
    h.clock.advance(DEFAULT_POLICY.infoWaitMs);
    await fire();
    expect((await petitionOf(r.userId)).status).toBe('closed');
  });

  it('speaks the resident’s language', async () => {
    const r = someone('en');
    await h.inbound({ ...r, text: 'rubbish piling up downstairs' });
    await h.drain();
    h.clock.advance(DEFAULT_POLICY.infoWaitMs);
    await fire();
    const p = await petitionOf(r.userId);
    expect(h.telegram.to(r.chatId).at(-1)!.text).toBe(
      `Petition ${p.number}: We did not hear back about where it is, so it could not be sent to a department and is now closed. If the problem is still there, write again with the problem and the place (district, street or compound) and we will take it up.`,
    );
  });
});

describe('nothing happens to a resident who answered, withdrew or was asked again', () => {
  it('an answer in time dispatches once; the expiry later changes nothing and says nothing', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '路边垃圾很多' });
    await h.drain();
    h.clock.advance(2 * HOUR_MS);
    await h.inbound({ ...r, text: '在朝阳区三里屯' });
    await h.drain();
    const p = await petitionOf(r.userId);
    expect(p.status).toBe('dispatched');
    const before = { sent: h.telegram.to(r.chatId).length, events: (await actions(p.id)).length, assignments: await h.t.db.assignment.count({ where: { petitionId: p.id } }) };
    h.clock.advance(DEFAULT_POLICY.infoWaitMs);
    await fire();
    expect((await petitionOf(r.userId)).status).toBe('dispatched');
    expect(h.telegram.to(r.chatId)).toHaveLength(before.sent);
    // (the order, not accepted within its 24 h, is supervised: that is the 签收 deadline, not the question)
    expect((await actions(p.id)).filter(([a]) => a !== 'supervise')).toHaveLength(before.events);
    expect(await h.t.db.assignment.count({ where: { petitionId: p.id } })).toBe(before.assignments);
  });

  it('a withdrawn petition stays withdrawn', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '路边垃圾很多' });
    await h.drain();
    const p = await petitionOf(r.userId);
    await h.inbound({ ...r, action: { data: `wd:${p.number}`, ackId: `wd-${p.number}` } });
    await h.drain();
    expect((await petitionOf(r.userId)).status).toBe('withdrawn');
    const sent = h.telegram.to(r.chatId).length;
    h.clock.advance(DEFAULT_POLICY.infoWaitMs);
    await fire();
    expect((await petitionOf(r.userId)).status).toBe('withdrawn');
    expect(h.telegram.to(r.chatId)).toHaveLength(sent);
  });

  it('asked again: the first question’s expiry is void, the second one counts from the second question', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '路边垃圾很多' });
    await h.drain();
    h.clock.advance(20 * HOUR_MS);
    // An answer that still names no place: a second question.
    await h.inbound({ ...r, text: '就在我家楼下' });
    await h.drain();
    expect((await petitionOf(r.userId)).status).toBe('needs_info');
    expect(h.telegram.to(r.chatId)).toHaveLength(2);

    h.clock.advance(5 * HOUR_MS); // 25 h after the first question, 5 h after the second
    await fire();
    expect((await petitionOf(r.userId)).status).toBe('needs_info');
    expect(h.telegram.to(r.chatId)).toHaveLength(2);
    expect((await residentOf(r.userId)).awaiting).toMatchObject({ kind: 'info', asked: 2 });

    h.clock.advance(19 * HOUR_MS); // 24 h after the second
    await fire();
    expect((await petitionOf(r.userId)).status).toBe('closed');
    expect(h.telegram.to(r.chatId).at(-1)!.text).toMatch(/已关闭/);
  });

  it('a timer that fires late or twice acts once', async () => {
    const r = someone();
    await h.inbound({ ...r, text: '路边垃圾很多' });
    await h.drain();
    // The workers were down for three days: the late expiry still closes it, once.
    h.clock.advance(3 * 24 * HOUR_MS);
    await fire();
    const p = await petitionOf(r.userId);
    expect(p.status).toBe('closed');
    const sent = h.telegram.to(r.chatId).length;
    // The same timer run again (a second worker, a replay): nothing more.
    const timer = await h.t.db.timer.findFirstOrThrow({ where: { kind: 'info_expire', data: { path: ['petitionId'], equals: p.id } } });
    await h.t.db.timer.update({ where: { id: timer.id }, data: { firedAt: null } });
    expect(await fire()).toBeGreaterThanOrEqual(1);
    expect(h.telegram.to(r.chatId)).toHaveLength(sent);
    expect((await actions(p.id)).filter(([a]) => a === 'close_unanswered')).toHaveLength(1);
  });
});

describe('the wait is a policy value', () => {
  it('INFO_WAIT_HOURS sets it (24 h by default)', () => {
    expect(policyFromConfig(loadConfig({})).infoWaitMs).toBe(24 * HOUR_MS);
    expect(policyFromConfig(loadConfig({ INFO_WAIT_HOURS: '6' })).infoWaitMs).toBe(6 * HOUR_MS);
    expect(() => loadConfig({ INFO_WAIT_HOURS: '0' })).toThrow(/INFO_WAIT_HOURS/);
  });

  it('a shorter wait expires sooner', async () => {
    const short = await createHarness({ understand, policy: { infoWaitMs: 2 * HOUR_MS } });
    try {
      await short.inbound({ userId: '6001', chatId: '6001', text: '楼下垃圾很多' });
      await short.drain();
      short.clock.advance(2 * HOUR_MS);
      await fireDueTimers(short.deps, TIMER_HANDLERS);
      await short.drain();
      expect((await short.t.db.petition.findFirstOrThrow()).status).toBe('closed');
    } finally {
      await short.close();
    }
  });
});
