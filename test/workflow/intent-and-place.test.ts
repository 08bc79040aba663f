/**
 * Issue 19 in the workflow, with the embedded classifier: not every message is a problem (thanks and
 * praise, suggestions about the service and abuse are recorded; a policy question never waits for a
 * place), and a place is asked for only when dispatch needs it (a known district goes there at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { understand as embedded } from '../../core/understanding/index.js';
import type { Understand } from '../../core/workflow/understanding-port.js';
import { createHarness, type Harness } from '../helpers/workflow.js';

const understand: Understand = async (text, opts) => embedded(text, opts);

let h: Harness;
let n = 0;
const someone = () => {
  const id = String(7100 + ++n);
  return { userId: id, chatId: id };
};
const petitionOf = (userId: string) => h.t.db.petition.findFirstOrThrow({ where: { resident: { platformUserId: userId } }, orderBy: { createdAt: 'desc' } });
const assignmentsOf = (petitionId: string) => h.t.db.assignment.findMany({ where: { petitionId } });
const say = async (text: string) => {
  const r = someone();
  await h.inbound({ ...r, text });
  await h.drain();
  const p = await petitionOf(r.userId);
  return { r, p, told: h.telegram.to(r.chatId).map((m) => m.text ?? ''), assignments: await assignmentsOf(p.id) };
};

beforeAll(async () => {
  h = await createHarness({ understand });
});
afterAll(() => h.close());

describe('not every message is a problem', () => {
  it('thanks for a repair is recorded as praise: closed, nothing dispatched, no question', async () => {
    const { p, told, assignments } = await say('谢谢你们，楼下的路灯已经修好了，效率真高');
    expect(p.status).toBe('closed');
    expect(assignments).toHaveLength(0);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/感谢您的肯定/);
    expect(told[0]).not.toMatch(/哪里|地点/);
  });

  it('a suggestion about the service and abuse are recorded, not dispatched', async () => {
    for (const text of ['建议你们的机器人支持发语音，老人打字不方便', '你们就是一群废物']) {
      const { p, assignments, told } = await say(text);
      expect(p.status, text).toBe('closed');
      expect(assignments).toHaveLength(0);
      expect(told.join('\n')).not.toMatch(/问题发生在哪里/);
    }
  });

  it('a policy question with no district is recorded as 咨询 without asking for a place', async () => {
    const { p, told, assignments } = await say('请问失业金怎么申请，需要什么材料');
    expect(p.status).toBe('closed');
    expect(p.categoryCode).toBe('labor');
    expect(assignments).toHaveLength(0);
    expect(told[0]).toMatch(/咨询已记录/);
    expect(told.join('\n')).not.toMatch(/问题发生在哪里/);
  });

  it('a policy question that names a district is dispatched there, without asking for a street', async () => {
    const { p, assignments } = await say('请问在海淀区灵活就业的社保怎么交');
    expect(p.status).toBe('dispatched');
    expect(p.districtCode).toBe('110108');
    expect(assignments.find((a) => a.role === 'lead')!.unitId).toMatch(/^110108:/);
  });
});

describe('ask for a place only when dispatch needs it', () => {
  it('a known district with no street is dispatched to the district at once', async () => {
    const { p, told, assignments } = await say('朝阳区这边马路上的井盖松了，一踩就响');
    expect(p.status).toBe('dispatched');
    expect([p.districtCode, p.streetCode]).toEqual(['110105', null]);
    expect(assignments.find((a) => a.role === 'lead')!.unitId).toMatch(/^110105:/);
    expect(told.join('\n')).not.toMatch(/具体地点|问题发生在哪里/);
  });

  it('a problem with no district is still asked where it is', async () => {
    const { p, told } = await say('马路上的井盖松了，一踩就响');
    expect(p.status).toBe('needs_info');
    expect(told.at(-1)).toMatch(/哪里|地点/);
  });
});
