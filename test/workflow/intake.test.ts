import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLimit } from '../../core/workflow/deadlines.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

const BALIZHUANG = [
  { districtCode: '110105', streetCode: '110105-balizhuang', label: '朝阳区八里庄街道' },
  { districtCode: '110108', streetCode: '110108-balizhuang', label: '海淀区八里庄街道' },
];
const understand = scriptedUnderstanding((text) => {
  const place =
    text.includes('朝阳区八里庄') ? { districtCode: '110105', streetCode: '110105-balizhuang' }
    : text.includes('八里庄') ? { candidates: BALIZHUANG }
    : text.includes('三里屯') ? { districtCode: '110105', streetCode: '110105-sanlitun' }
    : text.includes('朝阳') ? { districtCode: '110105' }
    : {};
  if (text.includes('着火')) return { category: { code: 'public_security', confidence: 0.9 }, triage: { kind: '119' }, place };
  if (text.includes('噪音')) return { category: { code: 'noise', confidence: 0.9 }, place };
  return { category: { code: 'sanitation', confidence: 0.8 }, place };
});

let h: Harness;
const r = (n: number) => ({ userId: String(1000 + n), chatId: String(1000 + n) });
const petitions = () => h.t.db.petition.findMany({ orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  h = await createHarness({ understand, policy: { clusterThreshold: 3 } });
  await h.t.db.chatBinding.create({ data: { platform: 'telegram', chatId: '-3001', areaCode: '110105-sanlitun' } });
});
afterAll(() => h.close());

describe('intake', () => {
  it('an ambiguous place gets a question with choices; the clock pauses; a choice dispatches', async () => {
    await h.inbound({ ...r(1), text: '八里庄这边路边很脏' });
    await h.drain();
    let [p] = await petitions();
    expect(p!.status).toBe('needs_info');
    expect(p!.pausedAt).not.toBeNull();
    const q = h.telegram.to(r(1).chatId).at(-1)!;
    expect(q.buttons?.flat().map((b) => b.label)).toEqual(['朝阳区八里庄街道', '海淀区八里庄街道']);
    h.clock.advance(3_600_000);
    await h.inbound({ ...r(1), action: { data: `pl:${p!.number}:110105-balizhuang`, ackId: 'a1' } });
    await h.drain();
    [p] = await petitions();
    expect(p!.status).toBe('dispatched');
    expect(p!.streetCode).toBe('110105-balizhuang');
    // an hour waiting on the resident does not count against the unit
    expect(p!.feedbackDueAt!.getTime()).toBe(addLimit(new Date(p!.createdAt.getTime() + 3_600_000), 7 * 86400_000, h.deps.policy, h.deps.timeZone).getTime());
    expect(h.telegram.acks.map((a) => a.ackId)).toContain('a1');
  });

  it('no place at all: asks, and a typed answer completes the petition', async () => {
    await h.inbound({ ...r(2), text: '楼下噪音很大' });
    await h.drain();
    expect(h.telegram.to(r(2).chatId).at(-1)!.text).toMatch(/具体地点/);
    await h.inbound({ ...r(2), text: '在朝阳区三里屯' });
    await h.drain();
    const p = (await petitions()).at(-1)!;
    expect(p.status).toBe('dispatched');
    expect(p.categoryCode).toBe('noise');
    expect(p.streetCode).toBe('110105-sanlitun');
  });

  it('an emergency is recorded and redirected at once', async () => {
    await h.inbound({ ...r(3), text: '三里屯有房子着火了' });
    await h.drain();
    const p = (await petitions()).at(-1)!;
    expect(p.status).toBe('redirected');
    expect(h.telegram.to(r(3).chatId).at(-1)!.text).toContain('119');
    expect(await h.t.db.assignment.count({ where: { petitionId: p.id } })).toBe(0);
  });

  it('the same resident, category and place again is a repeat, not a new dispatch', async () => {
    const before = await h.t.db.petition.count();
    await h.inbound({ ...r(2), text: '三里屯噪音还在继续' });
    await h.drain();
    expect(await h.t.db.petition.count()).toBe(before);
    expect(h.telegram.to(r(2).chatId).at(-1)!.text).toMatch(/无需重复提交/);
  });

  it('empty text or only a pin asks for a description and keeps the pin for the petition', async () => {
    await h.inbound({ ...r(4), text: '   ' });
    await h.inbound({ ...r(4), location: { lat: 39.93, lng: 116.45, coordSystem: 'wgs84' } });
    await h.drain();
    expect(h.telegram.to(r(4).chatId).filter((m) => /描述/.test(m.text))).toHaveLength(2);
    await h.inbound({ ...r(4), text: '三里屯路边垃圾很多' });
    await h.drain();
    const p = (await petitions()).at(-1)!;
    expect(p.lat).toBeCloseTo(39.93);
    expect(p.attachments).toEqual([{ kind: 'location', lat: 39.93, lng: 116.45, coordSystem: 'wgs84' }]);
  });

  it('with a geocoder, a pin alone places the petition on its street', async () => {
    h.deps.locate = async (point) =>
      point.lat > 39.9 ? { districtCode: '110105', streetCode: '110105-sanlitun', community: null, address: null, method: 'pin', confidence: 0.9, candidates: [] } : null;
    try {
      await h.inbound({ ...r(7), location: { lat: 39.935, lng: 116.455, coordSystem: 'wgs84' } });
      await h.inbound({ ...r(7), text: '这里路边很脏' });
      await h.drain();
      const p = (await petitions()).at(-1)!;
      expect(p.status).toBe('dispatched');
      expect([p.streetCode, p.placeMethod]).toEqual(['110105-sanlitun', 'pin']);
    } finally {
      h.deps.locate = undefined;
    }
  });

  it('three residents on the same problem in one street form a cluster offered to the coordinator', async () => {
    await h.inbound({ ...r(5), text: '三里屯噪音扰民' });
    await h.inbound({ ...r(6), text: '三里屯晚上噪音' });
    await h.drain();
    const cluster = await h.t.db.petition.findMany({ where: { categoryCode: 'noise', streetCode: '110105-sanlitun' } });
    expect(cluster).toHaveLength(3);
    expect(new Set(cluster.map((p) => p.clusterKey)).size).toBe(1);
    expect(cluster[0]!.clusterKey).not.toBeNull();
    const offer = h.telegram.to('-3001').at(-1)!;
    expect(offer.text).toMatch(/同类聚集.*3 件/);
    expect(offer.buttons?.flat().map((b) => b.data.split(':')[0])).toEqual(['mg', 'wh']);
    // the fourth and fifth do not alert again; the sixth (twice the threshold) does
    for (const n of [8, 9, 10]) await h.inbound({ ...r(n), text: '三里屯噪音太吵' });
    await h.drain();
    expect(h.telegram.to('-3001').filter((m) => m.text.includes('同类聚集')).map((m) => m.text.match(/(\d+) 件/)?.[1])).toEqual(['3', '6']);
  });

  it('/my lists the resident’s petitions and a petition can be withdrawn', async () => {
    await h.inbound({ ...r(5), command: { name: 'my', args: '' } });
    await h.drain();
    const list = h.telegram.to(r(5).chatId).at(-1)!;
    const withdraw = list.buttons!.flat().find((b) => b.data.startsWith('wd:'))!;
    await h.inbound({ ...r(5), action: { data: withdraw.data, ackId: 'w1' } });
    await h.drain();
    const number = withdraw.data.split(':')[1]!;
    expect((await h.t.db.petition.findUniqueOrThrow({ where: { number } })).status).toBe('withdrawn');
    // someone else cannot withdraw it
    await h.inbound({ ...r(6), action: { data: `wd:${(await petitions())[0]!.number}`, ackId: 'w2' } });
    await h.drain();
    expect(h.telegram.acks.find((a) => a.ackId === 'w2')!.text).toMatch(/不是您提交的|Not your/);
  });
});
