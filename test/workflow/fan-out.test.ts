/**
 * Notifications are fanned out in the transaction that makes them: a rolled
 * back step (savepoint) leaves no message behind, a key already used sends
 * nothing twice, and a failed transaction sends nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../core/workflow/context.js';
import type { Intent } from '../../core/workflow/intents.js';
import { createHarness, scriptedUnderstanding, type Harness } from '../helpers/workflow.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ understand: scriptedUnderstanding(() => ({})) });
});
afterAll(() => h?.close());

const reply = (chatId: string, text: string): Intent => ({ t: 'reply', platform: 'telegram', chatId, message: { text } });
const texts = (chatId: string) => h.telegram.to(chatId).map((m) => m.text);

describe('fan-out inside the notifying transaction', () => {
  it('delivers what the transaction kept and forgets what a savepoint rolled back', async () => {
    await inTx(h.deps, async (w) => {
      await w.notify(reply('701', 'kept before'), 'fo:1');
      const mark = w.mark();
      await w.notify(reply('701', 'rolled back'), 'fo:2');
      await w.emit('send', { deliveryId: 'none' }, 'fo:raw');
      w.rollbackTo(mark);
      await w.notify(reply('701', 'kept after'), 'fo:3');
    });
    await h.drain();
    expect(texts('701')).toEqual(['kept before', 'kept after']);
    expect(await h.t.db.outbox.count({ where: { dedupeKey: { in: ['n:fo:2', 'fo:raw'] } } })).toBe(0);
  });

  it('never sends the same key twice, within one transaction or across two', async () => {
    await inTx(h.deps, async (w) => {
      await w.notify(reply('702', 'first'), 'fo:same');
      await w.notify(reply('702', 'again in the same transaction'), 'fo:same');
    });
    await inTx(h.deps, (w) => w.notify(reply('702', 'again later'), 'fo:same'));
    await h.drain();
    expect(texts('702')).toEqual(['first']);
  });

  it('sends nothing when the transaction fails', async () => {
    await expect(
      inTx(h.deps, async (w) => {
        await w.notify(reply('703', 'never'), 'fo:fail');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await h.drain();
    expect(texts('703')).toEqual([]);
    expect(await h.t.db.outbox.count({ where: { dedupeKey: 'n:fo:fail' } })).toBe(0);
  });
});
