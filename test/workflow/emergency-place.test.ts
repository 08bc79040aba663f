/**
 * An emergency with no place gets safety advice at once, in the resident's language, with the place
 * question; if the place is still missing a few minutes later a person (the district's coordinator,
 * or with no district the city's admins) is alerted with the masked text to call back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { understand as embedded } from '../../core/understanding/index.js';
import { policyFromConfig } from '../../core/workflow/policy.js';
import { TIMER_HANDLERS } from '../../core/workflow/reminders.js';
import { fireDueTimers } from '../../core/workflow/timers.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const GAS = { class: 'emergency' as const, urgent: true, reason: 'urgent_when: 闻到燃气味' };
let h: Harness;
let real: Harness;
const ADMIN = 'admin-1';
const DISTRICT_CHAT = '-5105';

beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => {
      const place = text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : text.includes('朝阳') ? { districtCode: '110105' } : {};
      if (/煤气|gas/i.test(text)) return { category: { code: 'gas', confidence: 0.9 }, urgency: GAS, place };
      return { category: { code: 'municipal', confidence: 0.9 }, place };
    }),
  });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: ADMIN, role: 'admin' } });
  await h.t.db.chatBinding.create({ data: { platform: 'telegram', chatId: DISTRICT_CHAT, areaCode: '110105' } });
  real = await createHarness({ understand: async (text, o) => embedded(text, o) });
});
afterAll(async () => {
  await h?.close();
  await real?.close();
});

const filedBy = (hh: Harness, userId: string) => hh.t.db.petition.findMany({ where: { resident: { platformUserId: userId } } });
const minutes = (n: number) => n * 60_000;

it('gas with no place: leave, no switches or flames, open windows, 96777 / 119 — at once, with the place question', async () => {
  await h.inbound({ userId: 'g1', chatId: 'g1', text: '楼道里煤气味特别大，好像漏气了 13812345678' });
  await h.drain();
  const [p] = await filedBy(h, 'g1');
  expect(p!.status).toBe('needs_info');
  const said = h.telegram.to('g1').at(-1)!.text;
  for (const words of ['离开', '不要开关电灯', '明火', '门窗', '96777', '119', '地点', p!.number]) expect(said).toContain(words);
});

it('in English for an English-speaking resident', async () => {
  await h.inbound({ userId: 'g2', chatId: 'g2', text: 'strong gas smell in the stairwell', language: 'en' });
  await h.drain();
  const said = h.telegram.to('g2').at(-1)!.text;
  for (const words of ['leave', 'light switches', 'flames', 'windows', '96777', '119', 'where']) expect(said).toContain(words);
});

it('still no place after the wait: the admins (no district known) are alerted with the masked text; only once', async () => {
  h.clock.advance(minutes(4));
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  expect(h.telegram.to(ADMIN).filter((m) => m.text.includes('紧急'))).toHaveLength(0);
  h.clock.advance(minutes(2));
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  const [p] = await filedBy(h, 'g1');
  const alerts = h.telegram.to(ADMIN).filter((m) => m.text.includes(p!.number));
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.text).toMatch(/紧急/);
  expect(alerts[0]!.text).toContain('煤气味');
  expect(alerts[0]!.text).toContain('138****5678');
  expect(alerts[0]!.text).not.toContain('13812345678');
  h.clock.advance(minutes(10));
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  expect(h.telegram.to(ADMIN).filter((m) => m.text.includes(p!.number))).toHaveLength(1);
});

it('a district but no street: dispatched to the district at once, with the advice, and no wait', async () => {
  await h.inbound({ userId: 'g3', chatId: 'g3', text: '朝阳这边楼里煤气味很大' });
  await h.drain();
  const [p] = await filedBy(h, 'g3');
  expect(p!.status).toBe('dispatched');
  expect(p!.districtCode).toBe('110105');
  expect(h.telegram.to('g3').map((m) => m.text).join('\n')).toContain('96777');
  h.clock.advance(minutes(6));
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  // nothing waits on a place question, so nobody needs to be alerted about one
  expect(h.telegram.sent.filter((m) => m.text.includes(p!.number) && m.text.includes('未知地点'))).toHaveLength(0);
});

it('the place answered in time: dispatched as an emergency, and nobody is alerted', async () => {
  await h.inbound({ userId: 'g4', chatId: 'g4', text: '煤气味很重' });
  await h.drain();
  h.clock.advance(minutes(2));
  await h.inbound({ userId: 'g4', chatId: 'g4', text: '三里屯' });
  await h.drain();
  const [p] = await filedBy(h, 'g4');
  expect(p!.status).toBe('dispatched');
  h.clock.advance(minutes(10));
  await fireDueTimers(h.deps, TIMER_HANDLERS);
  await h.drain();
  expect(h.telegram.sent.filter((m) => m.text.includes(p!.number) && m.text.includes('未知地点'))).toHaveLength(0);
});

it('the embedded classifier: "楼道里煤气味特别大，好像漏气了" gets the gas advice at once', async () => {
  await real.inbound({ userId: 'r1', chatId: 'r1', text: '楼道里煤气味特别大，好像漏气了' });
  await real.drain();
  const said = real.telegram.to('r1').at(-1)!.text;
  expect(said).toContain('96777');
  expect(said).toContain('119');
});

it('the embedded classifier in English: "The stairwell smells strongly of gas" gets the advice in English', async () => {
  await real.inbound({ userId: 'r2', chatId: 'r2', text: 'The stairwell smells strongly of gas', language: 'en' });
  await real.drain();
  const said = real.telegram.to('r2').at(-1)!.text;
  for (const words of ['leave', 'light switches', '96777', '119']) expect(said).toContain(words);
});

it('the wait is configurable (EMERGENCY_PLACE_WAIT_MINUTES, default 5)', () => {
  expect(policyFromConfig(loadConfig({})).emergencyPlaceWaitMs).toBe(minutes(5));
  expect(policyFromConfig(loadConfig({ EMERGENCY_PLACE_WAIT_MINUTES: '2' })).emergencyPlaceWaitMs).toBe(minutes(2));
});
