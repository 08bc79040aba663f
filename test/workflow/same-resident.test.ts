/**
 * Two messages of one resident processed at the same moment (two workers):
 * the second waits for the first, so it sees the petition the first made and
 * becomes a repeat instead of a second petition.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOutbox } from '../../jobs/handlers.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding(() => ({ category: { code: 'water', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun', method: 'alias', confidence: 0.9 } })),
  });
});
afterAll(() => h?.close());

it.each(['new', 'known'])('a %s resident writing twice at once gets one petition and one repeat', async (who) => {
  const userId = `twice-${who}`;
  if (who === 'known') await h.t.db.resident.create({ data: { platform: 'telegram', platformUserId: userId, chatId: userId, language: 'zh' } });
  await h.inbound({ userId, chatId: userId, text: '三里屯 停水了' });
  await h.inbound({ userId, chatId: userId, text: '三里屯 还是停水' });
  const rows = await h.t.db.outbox.findMany({ where: { doneAt: null, kind: 'intake' } });
  expect(rows).toHaveLength(2);
  await Promise.all(rows.map((r) => runOutbox(h.rt, r.id, undefined, 'intake')));
  const petitions = await h.t.db.petition.findMany({ where: { resident: { platformUserId: userId } }, include: { events: true } });
  expect(petitions).toHaveLength(1);
  expect(petitions[0]!.events.filter((e) => e.action === 'add_info')).toHaveLength(1);
});
