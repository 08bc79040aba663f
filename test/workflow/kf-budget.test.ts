import { t } from '../../bots/texts.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';
import { runOutbox } from '../../jobs/handlers.js';

const understand = scriptedUnderstanding(() => ({ category: { code: 'garbage', confidence: 0.9 }, place: { districtCode: '110105', streetCode: '110105-sanlitun' } }));
let h: Harness;
const resident = { platform: 'wecom_kf' as const, userId: 'wmEXT1', chatId: 'wmEXT1', channelAccount: 'wkKF1' };
const staff = { userId: '2001', chatId: '-2001' };

beforeAll(async () => {
  h = await createHarness({ understand });
  await h.t.db.staff.create({ data: { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: '110105:urban_mgmt' } });
  await h.t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-2001', unitId: '110105:urban_mgmt' },
      { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' },
    ],
  });
});
afterAll(() => h.close());

describe('WeChat residents: 48 h window and 5 messages', () => {
  it('keeps the budget for what matters: progress notes are dropped, the answer and the rating request go together', async () => {
    await h.inbound({ ...resident, text: '三里屯垃圾没人收' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow();
    expect(h.kf.sent).toHaveLength(1); // the acknowledgement with the number
    expect(h.kf.sent[0]!.channelAccount).toBe('wkKF1');
    await h.inbound({ ...staff, text: `签收 ${p.number}` });
    for (const n of [1, 2, 3, 4]) await h.inbound({ ...staff, text: `进展 ${p.number} 第${n}次进展` });
    await h.drain();
    // accepted + progress notes: only what leaves room for the answer and a reminder
    expect(h.kf.sent.length).toBe(3);
    await h.inbound({ ...staff, text: `办结 ${p.number} 已清运完毕` });
    await h.drain();
    const answer = h.kf.sent.at(-1)!;
    expect(answer.text).toContain('已清运完毕');
    // The rating question travels with the answer as a 菜单消息 (buttons): a click per answer, no code to type.
    expect(answer.text).not.toMatch(/评价 \d+ 111/);
    expect(answer.buttons?.flat().map((b) => b.data)).toEqual([`rc:${p.number}:1`, `rc:${p.number}:0`]);
    expect(h.kf.sent.length).toBe(4);
    // Each click is a message from the resident (it renews the window) and is answered by the next question.
    for (const data of [`rc:${p.number}:1`, `rs:${p.number}:s`, `rf:${p.number}:s`]) {
      await h.inbound({ ...resident, text: '', action: { data } });
      await h.drain();
    }
    expect((await h.t.db.petition.findFirstOrThrow()).status).toBe('rated');
    expect(h.kf.sent.at(-2)!.buttons?.flat().map((b) => b.data)).toEqual([`rf:${p.number}:s`, `rf:${p.number}:b`, `rf:${p.number}:d`]);
    expect(h.kf.sent.at(-1)!.text).toBe(t('ratingComment', 'zh'));
  });

  it('an answer decided while the window was open that leaves after it closed: the unit is told it did not get through', async () => {
    await h.inbound({ ...resident, userId: 'wmEXT3', chatId: 'wmEXT3', text: '三里屯垃圾桶满了' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: 'wmEXT3' } } });
    h.clock.advance(47 * 3600_000);
    await h.inbound({ ...staff, text: `办结 ${p.number} 已清空` });
    // The decision runs inside the window; its sends leave only after the window closed (a queue backlog).
    for (const row of await h.t.db.outbox.findMany({ where: { doneAt: null, kind: 'intake' } })) await runOutbox(h.rt, row.id);
    h.clock.advance(2 * 3600_000);
    await h.drain();
    expect(h.telegram.to('-2001').map((m) => m.text)).toEqual(expect.arrayContaining([expect.stringContaining('答复将发送市民'), expect.stringContaining('未能送达')]));
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).callbackNeeded).toBe(true);
    expect(h.kf.to('wmEXT3').some((m) => m.text.includes('已清空'))).toBe(false);
  });

  it('when the window has closed the petition is flagged for a phone callback', async () => {
    await h.inbound({ ...resident, userId: 'wmEXT2', chatId: 'wmEXT2', text: '三里屯又有垃圾' });
    await h.drain();
    const p = await h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: 'wmEXT2' } } });
    h.clock.advance(49 * 3600_000);
    await h.inbound({ ...staff, text: `办结 ${p.number} 已处理` });
    await h.drain();
    const after = await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.callbackNeeded).toBe(true);
    expect(h.kf.to('wmEXT2')).toHaveLength(1);
    expect(h.telegram.to('-3001').at(-1)!.text).toMatch(/电话回访/);
  });
});
