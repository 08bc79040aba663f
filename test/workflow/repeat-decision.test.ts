/** Same problem, a different one, or unsure: what the embedded understanding makes of real messages. */
import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';
import { sameProblem } from '../../core/workflow/repeat.js';

const judge = (first: string, then: string) => {
  const a = understand(first);
  const b = understand(then);
  expect(b.category?.code).toBe(a.category?.code);
  expect(b.place.streetCode).toBe(a.place.streetCode);
  return sameProblem({ text: b.maskedText, address: b.place.address, community: b.place.community }, { text: a.maskedText, address: a.place.address, community: a.place.community });
};

describe('sameProblem', () => {
  it('a missing manhole cover and a street light out on another road are different problems', () => {
    expect(judge('朝阳区三里屯街道三里屯路19号门口井盖丢了', '朝阳区三里屯街道工体北路的路灯不亮了')).toBe('different');
  });
  it('the same thing again, or words that say it goes on, are the same problem', () => {
    expect(judge('朝阳区三里屯街道三里屯路19号门口井盖丢了', '三里屯路19号门口的井盖还是没人管')).toBe('same');
    expect(judge('朝阳区三里屯街道幸福村小区3号楼电梯坏了', '朝阳区三里屯街道幸福村小区3号楼电梯又坏了，老人下不了楼')).toBe('same');
  });
  it('two named places that differ are different problems whatever the words', () => {
    expect(sameProblem({ text: '路灯不亮', address: '工体北路8号' }, { text: '路灯不亮', address: '三里屯路19号' })).toBe('different');
    expect(sameProblem({ text: '路灯不亮', community: '幸福村' }, { text: '路灯不亮', community: '白家庄' })).toBe('different');
  });
  it('something in common but not enough is asked', () => {
    expect(sameProblem({ text: '三里屯 路灯那边晚上很黑' }, { text: '三里屯 路灯不亮' })).toBe('unsure');
  });
});
