/**
 * Recipients and rendering of the per-petition notices: what they return, and
 * that each stays within its statement budget (the notify stage is CPU-bound on
 * database access, so a regression here shows in the benchmark).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient, Tx } from '../../core/db.js';
import type { Intent } from '../../core/workflow/intents.js';
import { recipientsFor, type Recipient } from '../../core/workflow/recipients.js';
import { renderIntent } from '../../bots/render.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const LEAD = '110105:district_gov';
const CO = '110105:urban_mgmt';
const TZ = 'Asia/Shanghai';

let t: TestDb;
let petitionId = '';
let residentId = '';
let leadAssignment = '';
let coAssignment = '';
let taskId = '';

beforeAll(async () => {
  t = await createTestDb({ seed: 'org' });
  const resident = await t.db.resident.create({ data: { platform: 'telegram', platformUserId: '1001', chatId: '1001', language: 'en', phoneMasked: '138****5678' } });
  residentId = resident.id;
  const p = await t.db.petition.create({
    data: {
      number: '2611250001',
      residentId,
      channel: 'telegram',
      originalTextEnc: new Uint8Array([1]),
      maskedText: '三里屯停水了 138****5678',
      summary: '停水',
      categoryCode: 'water_supply',
      districtCode: '110105',
      streetCode: '110105-sanlitun',
      address: '三里屯路 19 号',
      status: 'dispatched',
      feedbackDueAt: new Date('2026-11-30T02:00:00Z'),
    },
  });
  petitionId = p.id;
  const dueAt = new Date('2026-11-30T02:00:00Z');
  const at = new Date('2026-11-25T02:00:00Z');
  leadAssignment = (await t.db.assignment.create({ data: { petitionId, unitId: LEAD, role: 'lead', dispatchedAt: at, acceptDueAt: at, dueAt } })).id;
  coAssignment = (await t.db.assignment.create({ data: { petitionId, unitId: CO, role: 'co', dispatchedAt: at, acceptDueAt: at, dueAt } })).id;
  // The lead unit has bound chats; the co-handler has none, so its staff are told one by one.
  await t.db.chatBinding.createMany({
    data: [
      { platform: 'telegram', chatId: '-9001', unitId: LEAD },
      { platform: 'wecom', chatId: 'wr-9001', unitId: LEAD },
    ],
  });
  await t.db.staff.createMany({
    data: [
      { platform: 'telegram', platformUserId: '2001', role: 'staff', unitId: CO, language: 'en' },
      { platform: 'wecom', platformUserId: 'zhangwei', role: 'coordinator', unitId: CO },
      { platform: 'telegram', platformUserId: '2002', role: 'steward', unitId: CO },
      { platform: 'telegram', platformUserId: '2003', role: 'staff', unitId: LEAD },
    ],
  });
  const whistle = await t.db.whistle.create({
    data: { number: 'W2611250001', areaCode: '110105-sanlitun', place: '三里屯', summary: '停水', openedBy: 'x', reportDueAt: dueAt, dueAt },
  });
  taskId = (await t.db.whistleTask.create({ data: { whistleId: whistle.id, unitId: CO, reportDueAt: dueAt, dueAt } })).id;
});
afterAll(() => t.drop());

/** SQL statements sent inside `fn`'s transaction (without BEGIN/COMMIT). */
async function counted<T>(db: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  const patched = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(text)) statements.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = patched as typeof pg.Client.prototype.query;
  try {
    const result = await db.$transaction(fn);
    return { result, statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

const chats = (list: Recipient[]) => list.map((r) => `${r.platform}:${r.chatId}:${r.language}:${r.audience}:${r.unitId ?? ''}`).sort();

describe('recipients', () => {
  it('a card goes to every chat bound to the unit, in one statement', async () => {
    const { result, statements } = await counted(t.db, (tx) => recipientsFor(tx, { t: 'card', assignmentId: leadAssignment }));
    expect(chats(result)).toEqual([`telegram:-9001:zh:unit:${LEAD}`, `wecom:wr-9001:zh:unit:${LEAD}`]);
    expect(statements).toHaveLength(1);
  });

  it('a unit without a bound chat: its staff, coordinators and admins privately, in their language', async () => {
    const { result, statements } = await counted(t.db, (tx) => recipientsFor(tx, { t: 'card', assignmentId: coAssignment }));
    expect(chats(result)).toEqual([`telegram:2001:en:unit:${CO}`, `wecom:user:zhangwei:zh:unit:${CO}`]);
    expect(statements).toHaveLength(1);
  });

  it('a supervision copy goes to the copied unit, and only while the assignment exists', async () => {
    const copy = await recipientsFor(t.db as unknown as Tx, { t: 'card', assignmentId: leadAssignment, copyToUnitId: CO });
    expect(chats(copy)).toEqual([`telegram:2001:en:unit:${CO}`, `wecom:user:zhangwei:zh:unit:${CO}`]);
    expect(await recipientsFor(t.db as unknown as Tx, { t: 'card', assignmentId: '00000000-0000-0000-0000-000000000000', copyToUnitId: CO })).toEqual([]);
    expect(await recipientsFor(t.db as unknown as Tx, { t: 'card', assignmentId: '00000000-0000-0000-0000-000000000000' })).toEqual([]);
  });

  it('unit notices and whistle tasks reach the unit the same way', async () => {
    expect(chats(await recipientsFor(t.db as unknown as Tx, { t: 'unit', unitId: LEAD, note: 'remind' }))).toEqual([`telegram:-9001:zh:unit:${LEAD}`, `wecom:wr-9001:zh:unit:${LEAD}`]);
    expect(chats(await recipientsFor(t.db as unknown as Tx, { t: 'unit', unitId: 'nobody', note: 'remind' }))).toEqual([]);
    expect(chats(await recipientsFor(t.db as unknown as Tx, { t: 'whistle_task', taskId }))).toEqual([`telegram:2001:en:unit:${CO}`, `wecom:user:zhangwei:zh:unit:${CO}`]);
    expect(await recipientsFor(t.db as unknown as Tx, { t: 'whistle_task', taskId: '00000000-0000-0000-0000-000000000000' })).toEqual([]);
  });

  it('the resident of a petition, in one statement', async () => {
    const want = [{ platform: 'telegram', chatId: '1001', language: 'en', channelAccount: null, audience: 'resident', residentId }];
    const byPetition = await counted(t.db, (tx) => recipientsFor(tx, { t: 'resident', petitionId, note: 'ack' }));
    expect(byPetition.result).toEqual(want);
    expect(byPetition.statements).toHaveLength(1);
    expect(await recipientsFor(t.db as unknown as Tx, { t: 'resident', residentId, note: 'need_details' })).toEqual(want);
    expect(await recipientsFor(t.db as unknown as Tx, { t: 'resident', petitionId: '00000000-0000-0000-0000-000000000000', note: 'ack' })).toEqual([]);
  });
});

describe('rendering', () => {
  const render = (db: PrismaClient, intent: Intent, r: Partial<Recipient> = {}) =>
    counted(db, (tx) => renderIntent({ tx, timeZone: TZ, client: db }, intent, { platform: 'telegram', chatId: '-9001', language: 'zh', audience: 'unit', ...r }, new Date()));

  it('a dispatch card in one statement: petition, place, masked contact, deadline and buttons', async () => {
    const { result, statements } = await render(t.db, { t: 'card', assignmentId: leadAssignment });
    expect(statements).toHaveLength(1);
    expect(result).toMatchObject({ essential: true, petitionId, assignmentId: leadAssignment });
    expect(result!.message.text).toBe(
      ['派单 2611250001（主办）', '编号：2611250001', '类别：供水', '地点：朝阳区 三里屯街道 三里屯路 19 号', '诉求：停水', '联系方式：138****5678', '办结时限：2026/11/30 10:00（北京时间）', '联系市民：⚠ 尚未联系，已超过办结时限 2026/11/30 10:00', '原文：三里屯停水了 138****5678'].join('\n'),
    );
    expect(result!.message.buttons?.flat().map((b) => b.data)).toContain('acc:2611250001');
    expect(result!.message.card?.fields).toHaveLength(6);
  });

  it('a supervision copy names the handling unit and has no buttons', async () => {
    const { result } = await render(t.db, { t: 'card', assignmentId: coAssignment, copyToUnitId: LEAD });
    expect(result!.message.text.split('\n')[0]).toBe('【抄送督办】朝阳区城市管理委员会 承办');
    expect(result!.message.buttons).toBeUndefined();
    expect(await render(t.db, { t: 'card', assignmentId: '00000000-0000-0000-0000-000000000000' }).then((x) => x.result)).toBeNull();
  });

  it('a note to the resident is one statement: the petition, and the unit it names unless cached', async () => {
    const intent: Intent = { t: 'resident', petitionId, note: 'ack', data: { unitId: CO } };
    const first = await render(t.db, intent, { chatId: '1001', language: 'en', audience: 'resident' });
    expect(first.result!.message.text).toBe('Received. Petition number 2611250001.\nCategory: Water supply\nPlace: 朝阳区 三里屯街道\nSent to 朝阳区城市管理委员会; due by 2026/11/30 10:00. We will keep you posted.');
    expect(first.statements).toHaveLength(1);
    const again = await render(t.db, { t: 'resident', petitionId, note: 'accepted', data: { unitId: CO } }, { chatId: '1001', language: 'zh', audience: 'resident' });
    expect(again.result!.message.text).toBe('诉求 2611250001 已由朝阳区城市管理委员会签收办理。');
    expect(again.statements).toHaveLength(1);
    // Unit names are cached (reference data, short TTL): a notice that looks one up separately finds it.
    const overdue = await render(t.db, { t: 'area', areaCode: '110105-sanlitun', note: 'escalate', petitionId, data: { unitId: CO } });
    expect(overdue.result!.message.text).toBe('【督办】诉求 2611250001（朝阳区城市管理委员会）已超过办结时限，请督办。摘要：停水');
    expect(overdue.statements).toHaveLength(1);
    const redispatched = await render(t.db, { t: 'resident', petitionId, note: 'redispatched', data: { unitId: LEAD } }, { chatId: '1001', language: 'zh', audience: 'resident' });
    expect(redispatched.result!.message.text).toBe('诉求 2611250001 已改派朝阳区人民政府办理。');
  });

  it('unit names are cached per database client: another schema sees its own names', async () => {
    const other = await createTestDb({ seed: 'org' });
    try {
      await other.db.unit.update({ where: { id: CO }, data: { name: '改过名的城管委' } });
      await render(t.db, { t: 'unit', unitId: LEAD, note: 'co_report', petitionId, data: { from: CO, step: 'accept' } });
      const { result } = await counted(other.db, (tx) =>
        renderIntent({ tx, timeZone: TZ, client: other.db }, { t: 'unit', unitId: LEAD, note: 'co_report', data: { from: CO, step: 'accept' } }, { platform: 'telegram', chatId: '-1', language: 'zh', audience: 'unit' }, new Date()),
      );
      expect(result!.message.text).toContain('改过名的城管委');
    } finally {
      await other.drop();
    }
  });

  it('a unit that does not exist is named by its id, a missing unit is "-", a missing petition renders nothing', async () => {
    const { result } = await render(t.db, { t: 'resident', petitionId, note: 'accepted', data: { unitId: 'gone_unit' } }, { chatId: '1001', audience: 'resident' });
    expect(result!.message.text).toBe('诉求 2611250001 已由gone_unit签收办理。');
    const none = await render(t.db, { t: 'resident', petitionId, note: 'accepted' }, { chatId: '1001', audience: 'resident' });
    expect(none.result!.message.text).toBe('诉求 2611250001 已由-签收办理。');
    expect((await render(t.db, { t: 'resident', petitionId: '00000000-0000-0000-0000-000000000000', note: 'ack', data: { unitId: CO } })).result).toBeNull();
    const progress = await render(t.db, { t: 'resident', petitionId, note: 'repeat' }, { chatId: '1001', language: 'en', audience: 'resident' });
    expect(progress.result!.message.text).toBe('Your petition 2611250001 is already being handled (sent to the department); we added your message to it.');
  });
});
