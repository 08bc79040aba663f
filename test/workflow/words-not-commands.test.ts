/** A resident's message that starts with a command word files a petition; whole-line keywords still work. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    understand: scriptedUnderstanding((text) => ({ category: { code: 'sanitation', confidence: 0.8 }, place: text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' } : {} })),
  });
});
afterAll(() => h?.close());

it.each([
  ['My neighbour in 三里屯 collapsed and is not breathing', 'en'],
  ['Help the water pipe burst in 三里屯', 'en'],
  ['rate of the noise in 三里屯 is unbearable', 'en'],
  ['withdraw machine at 三里屯 is broken', 'en'],
  ['我的 邻居在三里屯家里漏水', 'zh'],
  ['开始 三里屯施工太吵了', 'zh'],
].map(([words, language], i) => [words, language, `words-${i}`]))('"%s" becomes a petition', async (words, language, userId) => {
  await h.inbound({ userId, chatId: userId, text: words, language });
  await h.drain();
  const filed = await h.t.db.petition.findMany({ where: { resident: { platformUserId: userId } } });
  expect(filed).toHaveLength(1);
  expect(filed[0]!.status).toBe('dispatched');
  expect(h.telegram.to(userId).map((m) => m.text).join('\n')).toContain(filed[0]!.number);
});

it('the whole-line keyword 我的 still lists the petitions', async () => {
  await h.inbound({ userId: 'kw', chatId: 'kw', text: '三里屯路边很脏' });
  await h.drain();
  await h.inbound({ userId: 'kw', chatId: 'kw', text: '我的' });
  await h.drain();
  const [p] = await h.t.db.petition.findMany({ where: { resident: { platformUserId: 'kw' } } });
  expect(await h.t.db.petition.count({ where: { resident: { platformUserId: 'kw' } } })).toBe(1);
  expect(h.telegram.to('kw').at(-1)!.text).toContain(p!.number);
  expect(h.telegram.to('kw').at(-1)!.buttons?.flat().some((b) => b.data.startsWith('wd:'))).toBe(true);
});
