import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluatePlaces, parsePlaceDevSet } from '../../../core/understanding/place/index.js';

const lines = parsePlaceDevSet(readFileSync(new URL('../../fixtures/place-dev-set.jsonl', import.meta.url), 'utf8'));

describe('place dev set', () => {
  const report = evaluatePlaces(lines);

  it('has at least 150 labelled expressions of every kind', () => {
    expect(lines.length).toBeGreaterThanOrEqual(150);
    const kinds = new Set(lines.map((l) => l.kind));
    for (const k of ['official', 'alias', 'community', 'community_shared', 'landmark', 'landmark_straddle', 'road', 'typo', 'english', 'not_place', 'none']) {
      expect(kinds.has(k), k).toBe(true);
    }
  });

  it('meets the targets: wrong street ≤ 1 %, wrong district ≤ 1 %, coverage ≥ 85 %', () => {
    const misses = report.misses.filter((m) => m.error === 'wrong_street' || m.error === 'wrong_district');
    expect(report.wrongStreetRate, JSON.stringify(misses.filter((m) => m.error === 'wrong_street'))).toBeLessThanOrEqual(0.01);
    expect(report.wrongDistrictRate, JSON.stringify(misses.filter((m) => m.error === 'wrong_district'))).toBeLessThanOrEqual(0.01);
    const uncovered = report.misses.filter((m) => m.error === 'uncovered').map((m) => m.text);
    expect(report.coverage, JSON.stringify(uncovered)).toBeGreaterThanOrEqual(0.85);
  });
});

describe.each(['place-dev-set-2.jsonl', 'place-dev-set-3.jsonl'])('%s (blind, WeChat-style: buildings, long messages, two places, look-alike words, typos)', (file) => {
  const second = parsePlaceDevSet(readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8'));
  const report = evaluatePlaces(second);

  it('never gives a street to a look-alike everyday word, and meets the targets', () => {
    expect(second.length).toBeGreaterThanOrEqual(40);
    const wrong = report.misses.filter((m) => m.error === 'wrong_street' || m.error === 'wrong_district');
    expect(wrong.map((m) => `${m.text} → ${m.got.street ?? m.got.district}`)).toEqual([]);
    expect(report.falseStreetRate).toBe(0);
    expect(report.coverage).toBeGreaterThanOrEqual(0.85);
  });
});
