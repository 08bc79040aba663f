import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, TRANSITIONS, applyTransition, canApply, nextState, type Action } from '../../core/petition/lifecycle.js';
import { IllegalTransitionError } from '../../core/errors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { PetitionStatus } from '../../prisma/generated/client.js';

const STATES = Object.values(PetitionStatus);

describe('the transition table', () => {
  const cases = ACTIONS.flatMap((action) => STATES.map((from) => ({ action, from })));

  it.each(cases)('$action from $from is legal exactly when the table says so', ({ action, from }) => {
    const spec = TRANSITIONS[action];
    const legal = (spec.from as readonly string[]).includes(from);
    expect(canApply(from, action)).toBe(legal);
    if (legal) {
      expect(nextState(from, action)).toBe(spec.to === 'same' ? from : spec.to);
    } else {
      expect(() => nextState(from, action)).toThrow(IllegalTransitionError);
    }
  });

  it('covers every state the issue requires and lets nothing leave a final state except notes', () => {
    for (const s of ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'resolved', 'rated', 'closed', 'returned', 'reopen_requested', 'reopened', 'merged', 'withdrawn', 'redirected']) {
      expect(STATES).toContain(s);
    }
    for (const final of ['closed', 'merged', 'withdrawn', 'redirected'] as const) {
      expect(ACTIONS.filter((a) => canApply(final, a))).toEqual([]);
    }
    expect(canApply('rated', 'note')).toBe(true);
  });
});

describe('applyTransition on Postgres', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  const newPetition = (number: string, status: PetitionStatus = 'received') =>
    t.db.petition.create({ data: { number, channel: 'telegram', originalTextEnc: new Uint8Array([1]), maskedText: 'x', summary: 'x', status } });

  it('writes the state and an event with actor, reason and before/after', async () => {
    const p = await newPetition('2611250101');
    await t.db.$transaction((tx) => applyTransition(tx, { petitionId: p.id, action: 'dispatch', actor: { kind: 'system' }, reason: 'routing' }));
    const after = await t.db.petition.findUniqueOrThrow({ where: { id: p.id }, include: { events: true } });
    expect(after.status).toBe('dispatched');
    expect(after.events).toHaveLength(1);
    expect(after.events[0]).toMatchObject({ action: 'dispatch', actorKind: 'system', reason: 'routing', fromStatus: 'received', toStatus: 'dispatched' });
  });

  it('an illegal move raises a typed error and writes nothing', async () => {
    const p = await newPetition('2611250102', 'closed');
    await expect(t.db.$transaction((tx) => applyTransition(tx, { petitionId: p.id, action: 'resolve' as Action, actor: { kind: 'staff', id: 's1' } }))).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await t.db.petitionEvent.count({ where: { petitionId: p.id } })).toBe(0);
  });

  it('a failure after the transition leaves neither the state nor the event', async () => {
    const p = await newPetition('2611250103');
    await expect(
      t.db.$transaction(async (tx) => {
        await applyTransition(tx, { petitionId: p.id, action: 'redirect', actor: { kind: 'system' } });
        throw new Error('crash between state and the rest');
      }),
    ).rejects.toThrow('crash');
    const after = await t.db.petition.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.status).toBe('received');
    expect(await t.db.petitionEvent.count({ where: { petitionId: p.id } })).toBe(0);
  });

  it('two concurrent actions on one petition serialise: only one resolve wins', async () => {
    const p = await newPetition('2611250104', 'accepted');
    const results = await Promise.allSettled(
      [1, 2].map(() => t.db.$transaction((tx) => applyTransition(tx, { petitionId: p.id, action: 'resolve', actor: { kind: 'staff' } }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.petitionEvent.count({ where: { petitionId: p.id, action: 'resolve' } })).toBe(1);
  });
});
