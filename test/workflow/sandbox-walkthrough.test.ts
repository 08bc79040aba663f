import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { understand as embedded } from '../../core/understanding/index.js';
import { seedSandboxOrg, SANDBOX_ORG } from '../../core/org/sandbox.js';
import { createHarness, type Harness } from '../helpers/workflow.js';

/**
 * The new steps of docs/sandbox-walkthrough.md on the sandbox's demo org with the embedded
 * classifier: a whistle with a lead and a co-handler closing the petition, an extension approved,
 * a steward's report. WALKTHROUGH_OUT=<file> writes the conversation out for the document.
 */
let h: Harness;
const people: Record<string, { userId: string; chatId: string }> = {
  resident: { userId: '1001', chatId: '1001' },
  staff: SANDBOX_ORG.staff,
  housing: SANDBOX_ORG.housing,
  coordinator: SANDBOX_ORG.coordinator,
  steward: { userId: SANDBOX_ORG.steward.userId, chatId: SANDBOX_ORG.steward.userId },
  lane_chief: { userId: SANDBOX_ORG.laneChief.userId, chatId: SANDBOX_ORG.laneChief.userId },
};
const log: string[] = [];
let seen = 0;
const whoseChat = (chatId: string) => Object.entries(people).find(([, p]) => p.chatId === chatId)?.[0] ?? chatId;

async function as(role: string, text: string) {
  log.push(`${role}> ${text}`);
  await h.inbound({ ...people[role]!, text });
  await flush(role);
}
async function press(role: string, label: string) {
  const msg = [...h.telegram.to(people[role]!.chatId)].reverse().find((m) => m.buttons?.flat().some((b) => b.label === label));
  const button = msg!.buttons!.flat().find((b) => b.label === label)!;
  log.push(`${role}> :press “${label}”`);
  await h.inbound({ ...people[role]!, action: { data: button.data, ackId: `a${seen}` } });
  await flush(role);
}
async function flush(role: string) {
  await h.drain();
  for (const m of h.telegram.sent.slice(seen)) {
    const to = whoseChat(m.chatId);
    const buttons = m.buttons?.flat().map((b, i) => `[${i + 1}] ${b.label}`).join('   ');
    log.push(`🤖 ${to === role ? '' : `[${to}] `}${m.text.replace(/\n/g, '\n   ')}${buttons ? `\n   ${buttons}` : ''}`);
  }
  seen = h.telegram.sent.length;
}

beforeAll(async () => {
  h = await createHarness({ understand: async (text, o) => embedded(text, o) });
  await seedSandboxOrg(h.t.db);
});
afterAll(async () => {
  if (process.env.WALKTHROUGH_OUT) writeFileSync(process.env.WALKTHROUGH_OUT, `${log.join('\n')}\n`);
  await h.close();
});

describe('the sandbox walkthrough', () => {
  it('a whistle with a lead and a co-handler resolves the petition and asks the resident to rate', async () => {
    await as('resident', '朝阳区三里屯街道幸福村社区12号楼楼顶有人私搭乱建彩钢房');
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    await as('coordinator', `吹哨 ${p.number} 城管 住建 30分钟`);
    const w = await h.t.db.whistle.findFirstOrThrow({ include: { tasks: true } });
    expect(w.tasks.find((t) => t.role === 'lead')!.unitId).toBe(SANDBOX_ORG.unitId);
    await press('staff', '报到');
    await press('housing', '报到');
    await as('housing', `完成 ${w.number} 已核查，彩钢房无房屋安全鉴定，已出具意见`);
    await as('staff', `完成 ${w.number} 已联合执法拆除彩钢房，恢复楼顶原状`);
    const after = await h.t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.status).toBe('resolved');
    expect(h.telegram.to('1001').at(-1)!.text).toMatch(/已办结[\s\S]*拆除彩钢房[\s\S]*安全鉴定/);
    await as('coordinator', `点名 ${w.number}`);
  });

  it('an extension is requested by the unit and approved by the coordinator', async () => {
    await as('resident', '朝阳区三里屯街道 工体北路8号院门口的路灯坏了一个星期');
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, include: { assignments: true } });
    const a = p.assignments[0]!;
    const who = a.unitId === SANDBOX_ORG.housing.unitId ? 'housing' : 'staff';
    expect(a.unitId === SANDBOX_ORG.unitId || a.unitId === SANDBOX_ORG.housing.unitId).toBe(true);
    await as(who, `延期 ${p.number} 3 需更换灯杆，配件三天后到货`);
    await press('coordinator', '同意延期');
    const extended = await h.t.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
    expect(extended.extensions).toBe(1);
    expect(extended.dueAt!.getTime()).toBeGreaterThan(a.dueAt!.getTime());
    expect(h.telegram.to('1001').at(-1)!.text).toContain('延期至');
  });

  it('a steward files a one-tap report; the lane chief gets a copy', async () => {
    await as('steward', '你好');
    await press('steward', '垃圾分类与清运');
    await press('steward', '幸福村社区');
    await as('steward', '5号楼前堆了一堆装修垃圾');
    const p = await h.t.db.petition.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    expect(p.stewardId).not.toBeNull();
    expect(p.status).toBe('dispatched');
    expect(h.telegram.to(people.lane_chief!.chatId).some((m) => m.text.includes(p.number))).toBe(true);
    await as('steward', '片区');
  });
});
