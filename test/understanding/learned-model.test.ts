/**
 * The learned model beside the lexicon (issue 19): trained by `npm run train` on the dev sets only,
 * deterministic, and the shipped file is what the command writes (never trained on a held-out set).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile, predict, train, type LinearModel } from '../../core/understanding/model/index.js';
import { understand } from '../../core/understanding/index.js';
import { CATEGORY_CODES } from '../../core/understanding/taxonomy.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const sets = (JSON.parse(readFileSync(new URL('sets.json', fixtures), 'utf8')) as { sets: { file: string; role: string }[] }).sets;
const examples = (files: string[]) =>
  files.flatMap((f) =>
    readFileSync(new URL(f, fixtures), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { text: string; category: string })
      .map((l) => ({ text: l.text, label: l.category })),
  );

describe('learned model', () => {
  it('training is deterministic: the same sets give the same model, byte for byte', () => {
    const ex = examples(['dev-set-19.jsonl', 'dev-set-21.jsonl']);
    const a = train(ex, [...CATEGORY_CODES], []);
    const b = train(ex, [...CATEGORY_CODES], []);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('the shipped model is what `npm run train` writes from the dev sets, and never saw a held-out set', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../core/understanding/model/model.json', import.meta.url), 'utf8')) as LinearModel;
    const dev = sets.filter((s) => s.role === 'dev').map((s) => s.file);
    const heldOut = sets.filter((s) => s.role === 'held-out').map((s) => s.file);
    expect(heldOut.length).toBeGreaterThan(0);
    expect(shipped.trainedOn).toEqual(dev);
    for (const f of heldOut) expect(shipped.trainedOn).not.toContain(f);
    const fresh = train(examples(dev), [...CATEGORY_CODES], dev);
    expect(fresh.weights).toBe(shipped.weights);
  }, 60_000);

  it('learns what it was shown: a model trained on a few labelled messages predicts their kind', () => {
    const m = compile(
      train(
        [
          ...Array.from({ length: 6 }, (_, i) => ({ text: `小区门口的井盖${i}号松动了`, label: 'municipal_facility' })),
          ...Array.from({ length: 6 }, (_, i) => ({ text: `楼上邻居${i}点还在吵架`, label: 'public_security' })),
        ],
        [...CATEGORY_CODES],
        [],
        { minCount: 1 },
      ),
    );
    const p = predict(m, '路口井盖松动');
    expect(m.classes[p.indexOf(Math.max(...p))]).toBe('municipal_facility');
  });

  it('the lexicon alone and with the model agree where the lexicon is sure', () => {
    for (const text of ['小区电梯困人了', '路灯不亮了好几天', '家里停水了']) {
      expect(understand(text).category.code).toBe(understand(text, { learned: null }).category.code);
    }
  });
});
