import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDevSet, scoreLines } from '../../core/understanding/evaluate.js';
import { CATEGORY_CODES } from '../../core/understanding/taxonomy.js';

const lines = parseDevSet(readFileSync(new URL('../fixtures/dev-set.jsonl', import.meta.url), 'utf8'));

describe('understanding dev set', () => {
  it('has ≥ 300 labelled messages covering every category, urgent cases, English and no-place messages', () => {
    expect(lines.length).toBeGreaterThanOrEqual(300);
    const cats = new Set(lines.map((l) => l.category));
    for (const c of CATEGORY_CODES) expect(cats.has(c), c).toBe(true);
    expect(lines.filter((l) => l.urgent).length).toBeGreaterThanOrEqual(30);
    expect(lines.filter((l) => !/[^\t\n\r -~]/.test(l.text) && /[a-z]{3}/i.test(l.text)).length).toBeGreaterThanOrEqual(30);
    expect(lines.filter((l) => l.needs_location).length).toBeGreaterThanOrEqual(100);
    expect(lines.filter((l) => l.street).length).toBeGreaterThanOrEqual(80);
  });

  it('meets the targets on all dev sets (test/fixtures/dev-set*.jsonl)', () => {
    const dir = new URL('../fixtures/', import.meta.url);
    const all = readdirSync(dir)
      .filter((f) => /^dev-set.*\.jsonl$/.test(f))
      .flatMap((f) => parseDevSet(readFileSync(new URL(f, dir), 'utf8')));
    expect(all.length).toBeGreaterThan(lines.length);
    const r = scoreLines(all);
    const show = (field: string) => JSON.stringify(r.misses.filter((m) => m.field === field).slice(0, 20));
    expect(r.category.accuracy, show('category')).toBeGreaterThanOrEqual(0.95);
    expect(r.district.accuracy, show('district')).toBeGreaterThanOrEqual(0.98);
    expect(r.street.accuracy, show('street')).toBeGreaterThanOrEqual(0.93);
    expect(r.needsLocation.accuracy, show('needs_location')).toBeGreaterThanOrEqual(0.97);
    expect(r.urgent.f1, show('urgent')).toBeGreaterThanOrEqual(0.9);
  });
});
