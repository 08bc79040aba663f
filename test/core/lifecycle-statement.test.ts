/**
 * applyTransition locks, checks, writes the state and the event in one
 * statement. These tests hold it to what the table and the former
 * lock-then-update-then-insert version did: the same rows, the same errors,
 * the same serialisation of concurrent actions.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../core/errors.js';
import { ACTIONS, TRANSITIONS, applyTransition, applyTransitions, type Action, type PetitionStatus, type TransitionInput } from '../../core/petition/lifecycle.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.drop());

let seq = 0;
const newPetition = (status: PetitionStatus = 'received') =>
  t.db.petition.create({ data: { number: `26112502${String(++seq).padStart(2, '0')}`, channel: 'telegram', originalTextEnc: new Uint8Array([1]), maskedText: 'x', summary: 'x', status } });
const apply = (input: TransitionInput) => t.db.$transaction((tx) => applyTransition(tx, input));
const events = (petitionId: string) => t.db.petitionEvent.findMany({ where: { petitionId }, orderBy: { id: 'asc' } });

const STATES: PetitionStatus[] = ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'resolved', 'rated', 'returned', 'reopen_requested', 'reopened', 'closed', 'redirected', 'merged', 'withdrawn'];

describe('applyTransition in one statement', () => {
  it('every action from every state: the state, the event, or the typed error, as the table says', async () => {
    const petitions = await Promise.all(ACTIONS.flatMap((action) => STATES.map(async (from) => ({ action, from, p: await newPetition(from) }))));
    for (const { action, from, p } of petitions) {
      const rule = TRANSITIONS[action] as { from: readonly PetitionStatus[]; to: PetitionStatus | 'same' };
      const allowed = rule.from.includes(from);
      const to = rule.to === 'same' ? from : rule.to;
      if (!allowed) {
        const err = await apply({ petitionId: p.id, action, actor: { kind: 'system' } }).catch((e: unknown) => e);
        expect(err, `${action} from ${from}`).toBeInstanceOf(IllegalTransitionError);
        expect(err).toMatchObject({ from, action });
        expect(await events(p.id)).toHaveLength(0);
        expect((await t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe(from);
        continue;
      }
      expect(await apply({ petitionId: p.id, action, actor: { kind: 'staff', id: 's1' }, reason: 'why' }), `${action} from ${from}`).toEqual({ from, to });
      expect((await t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe(to);
      const [e, more] = await events(p.id);
      expect(more).toBeUndefined();
      expect(e).toMatchObject({ action, actorKind: 'staff', actorId: 's1', reason: 'why', fromStatus: from, toStatus: to, data: null });
    }
  });

  it('a missing petition is an illegal transition from "missing"', async () => {
    const err = await apply({ petitionId: 'no-such-petition', action: 'note', actor: { kind: 'system' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect(err).toMatchObject({ from: 'missing', action: 'note' });
    const err2 = await apply({ petitionId: 'no-such-petition', action: 'dispatch', actor: { kind: 'system' }, set: { pausedAt: null } }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ from: 'missing', action: 'dispatch' });
  });

  it('writes the extra columns, the event data and time, and bumps updatedAt only when it writes the petition', async () => {
    const p = await newPetition('received');
    const at = new Date('2026-11-25T02:03:04.567Z');
    const due = new Date('2026-11-30T10:00:00.001Z');
    await apply({ petitionId: p.id, action: 'ask_info', actor: { kind: 'system' }, set: { pausedAt: at }, at });
    await apply({
      petitionId: p.id,
      action: 'provide_info',
      actor: { kind: 'resident', id: 'r1' },
      data: { text: '补充', n: 2, nested: { ok: true }, list: [1, 'a'] },
      at,
    });
    await apply({ petitionId: p.id, action: 'dispatch', actor: { kind: 'system' }, set: { dispatchDueAt: due, feedbackDueAt: due, pausedAt: null }, data: { lead: 'u1', co: [] }, at });
    const dispatched = await t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(dispatched).toMatchObject({ status: 'dispatched', dispatchDueAt: due, feedbackDueAt: due, pausedAt: null });
    // A note keeps the state and leaves the petition row alone.
    await new Promise((r) => setTimeout(r, 5));
    await apply({ petitionId: p.id, action: 'note', actor: { kind: 'coordinator', id: 'c1' }, reason: 'contact_viewed', at });
    expect((await t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).updatedAt).toEqual(dispatched.updatedAt);
    // `same` with columns to write does write them (and updatedAt).
    await apply({ petitionId: p.id, action: 'extend', actor: { kind: 'staff', id: 's1' }, set: { feedbackDueAt: at }, data: { days: 3 }, at });
    const extended = await t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(extended).toMatchObject({ status: 'dispatched', feedbackDueAt: at });
    expect(extended.updatedAt.getTime()).toBeGreaterThan(dispatched.updatedAt.getTime());
    const list = await events(p.id);
    expect(list.map((e) => [e.action, e.fromStatus, e.toStatus, e.actorKind, e.actorId])).toEqual([
      ['ask_info', 'received', 'needs_info', 'system', null],
      ['provide_info', 'needs_info', 'received', 'resident', 'r1'],
      ['dispatch', 'received', 'dispatched', 'system', null],
      ['note', 'dispatched', 'dispatched', 'coordinator', 'c1'],
      ['extend', 'dispatched', 'dispatched', 'staff', 's1'],
    ]);
    expect(list.every((e) => e.at.getTime() === at.getTime())).toBe(true);
    expect(list[1]!.data).toEqual({ text: '补充', n: 2, nested: { ok: true }, list: [1, 'a'] });
    expect(list[0]!.data).toBeNull();
    expect(list[0]!.reason).toBeNull();
  });

  it('an increment, a text column and a flag; a column it does not know is refused before anything is written', async () => {
    const p = await newPetition('reopen_requested');
    await apply({ petitionId: p.id, action: 'approve_reopen', actor: { kind: 'coordinator' }, set: { reopenCount: { increment: 1 }, resolvedAt: null } });
    await apply({ petitionId: p.id, action: 'note', actor: { kind: 'system' }, set: { reopenCount: { increment: 2 }, callbackNeeded: true } });
    const other = await newPetition('dispatched');
    await apply({ petitionId: p.id, action: 'merge', actor: { kind: 'coordinator' }, set: { mergedIntoId: other.id, closedAt: new Date('2026-11-26T00:00:00Z') } });
    expect(await t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({
      status: 'merged',
      reopenCount: 3,
      callbackNeeded: true,
      mergedIntoId: other.id,
      closedAt: new Date('2026-11-26T00:00:00Z'),
      resolvedAt: null,
    });
    // A column the statement does not know is a programming error, raised before anything is written.
    await expect(apply({ petitionId: other.id, action: 'note', actor: { kind: 'system' }, set: { summary: '改写的摘要' } })).rejects.toThrow(/Petition\.summary/);
    expect(await t.db.petition.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ status: 'dispatched', summary: 'x' });
    expect(await events(other.id)).toEqual([]);
  });

  it('is one statement', async () => {
    const p = await newPetition('accepted');
    const seen: string[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const text = String((args[0] as { text?: string })?.text ?? args[0]);
      if (!/^\s*(BEGIN|COMMIT)/.test(text)) seen.push(text);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      await apply({ petitionId: p.id, action: 'resolve', actor: { kind: 'staff' }, set: { resolvedAt: new Date() } });
      await apply({ petitionId: p.id, action: 'note', actor: { kind: 'staff' } });
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(seen).toHaveLength(2);
  });

  it('concurrent actions serialise on the row: each sees the state the previous one left', async () => {
    for (let round = 0; round < 10; round++) {
      const p = await newPetition('dispatched');
      const actions: Action[] = ['accept', 'accept', 'note', 'progress', 'note', 'return', 'remind', 'resolve', 'extend'];
      const results = await Promise.allSettled(actions.map((action) => apply({ petitionId: p.id, action, actor: { kind: 'staff' } })));
      const list = await events(p.id);
      // Replaying the events in commit order gives a chain: each starts where the one before ended.
      expect(list[0]!.fromStatus).toBe('dispatched');
      for (let i = 1; i < list.length; i++) expect(list[i]!.fromStatus).toBe(list[i - 1]!.toStatus);
      expect((await t.db.petition.findUniqueOrThrow({ where: { id: p.id } })).status).toBe(list.at(-1)!.toStatus);
      expect(list).toHaveLength(results.filter((r) => r.status === 'fulfilled').length);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IllegalTransitionError);
      expect(list.filter((e) => e.action === 'accept').length).toBeLessThanOrEqual(1);
    }
  });
});

describe('applyTransitions: many at once', () => {
  it('each petition moves as if one after another, with its own columns and event, whatever the mix', async () => {
    const [a, b, c] = await Promise.all([newPetition('received'), newPetition('received'), newPetition('received')]);
    const due = (d: number) => new Date(Date.UTC(2026, 11, d, 1, 2, 3, 456));
    const results = await t.db.$transaction((tx) =>
      applyTransitions(tx, [
        { petitionId: a.id, action: 'dispatch', actor: { kind: 'system' }, set: { dispatchDueAt: due(7), pausedAt: null }, data: { lead: 'u1' } },
        { petitionId: a.id, action: 'accept', actor: { kind: 'staff', id: 's1' } },
        { petitionId: b.id, action: 'redirect', actor: { kind: 'system' }, reason: '119' },
        { petitionId: c.id, action: 'dispatch', actor: { kind: 'system' }, set: { dispatchDueAt: due(8), pausedAt: null }, data: { lead: 'u2' } },
        { petitionId: a.id, action: 'progress', actor: { kind: 'staff', id: 's1' } },
      ]),
    );
    expect(results).toEqual([
      { from: 'received', to: 'dispatched' },
      { from: 'dispatched', to: 'accepted' },
      { from: 'received', to: 'redirected' },
      { from: 'received', to: 'dispatched' },
      { from: 'accepted', to: 'in_progress' },
    ]);
    expect((await events(a.id)).map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['dispatch', 'received', 'dispatched'],
      ['accept', 'dispatched', 'accepted'],
      ['progress', 'accepted', 'in_progress'],
    ]);
    const rows = await t.db.petition.findMany({ where: { id: { in: [a.id, b.id, c.id] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a.id)).toMatchObject({ status: 'in_progress', dispatchDueAt: due(7) });
    expect(byId.get(b.id)).toMatchObject({ status: 'redirected', dispatchDueAt: null });
    expect(byId.get(c.id)).toMatchObject({ status: 'dispatched', dispatchDueAt: due(8) });
    expect((await events(c.id))[0]).toMatchObject({ data: { lead: 'u2' } });
  });

  it('an illegal move among many raises its typed error and the transaction writes nothing', async () => {
    const [a, b] = await Promise.all([newPetition('received'), newPetition('closed')]);
    const err = await t.db
      .$transaction((tx) =>
        applyTransitions(tx, [
          { petitionId: a.id, action: 'dispatch', actor: { kind: 'system' } },
          { petitionId: b.id, action: 'dispatch', actor: { kind: 'system' } },
        ]),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect(err).toMatchObject({ from: 'closed', action: 'dispatch' });
    expect((await t.db.petition.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('received');
    expect(await events(a.id)).toHaveLength(0);
  });
});
