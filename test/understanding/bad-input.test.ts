import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';

describe('bad input never throws and gets a clear answer', () => {
  it.each([
    ['empty', ''],
    ['spaces', '   \n\t '],
    ['only emoji', '😀😀😡🙏'],
    ['punctuation', '？？？!!!'],
    ['a greeting', '你好'],
    ['digits', '123456'],
    ['keyboard mash', 'asdfghjkl'],
    ['HTML', '<script>alert(1)</script>'],
    ['SQL', "'; DROP TABLE petitions; --"],
  ])('%s → needs more information, with a question', (_name, text) => {
    const u = understand(text);
    expect(u.needsMoreInfo).toBe(true);
    expect(u.question?.field).toBe('details');
    expect(u.question?.text_zh).toBeTruthy();
    expect(u.question?.text_en).toBeTruthy();
    expect(u.category.code).toBe('other');
    expect(u.urgency.urgent).toBe(false);
  });

  it('lone surrogates and replacement characters', () => {
    const u = understand('路灯坏了\ud800\udfff\udc00 朝阳区望京街道');
    expect(u.category.code).toBe('municipal_facility');
    expect(u.maskedText).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(() => JSON.stringify(u)).not.toThrow();
  });

  it('a non-string never throws', () => {
    expect(understand(undefined as unknown as string).needsMoreInfo).toBe(true);
    expect(understand(42 as unknown as string).needsMoreInfo).toBe(true);
  });

  it('a 10,000-character message is understood quickly, fully masked, one-line summary', () => {
    const text = '小区垃圾桶满了没人清运，' + '臭味很大。'.repeat(2000) + '电话13812345678';
    expect(text.length).toBeGreaterThan(10_000);
    const t0 = performance.now();
    const u = understand(text);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(u.category.code).toBe('garbage');
    expect(u.maskedText).not.toContain('13812345678');
    expect([...u.summary].length).toBeLessThan(120);
    expect(u.needsMoreInfo).toBe(false);
  });

  it('HTML around a real complaint is ignored, the complaint understood', () => {
    const u = understand('<p>楼上邻居<b>半夜</b>跺脚，吵得睡不着</p>');
    expect(u.category.code).toBe('public_security');
    expect(u.needsMoreInfo).toBe(false);
  });

  it('mixed scripts and full-width characters', () => {
    expect(understand('ＷａｎｇＪｉｎｇ这边停电了').category.code).toBe('power');
    expect(understand('電梯壞了，物業不管').category.code).toBe('property');
  });
});

describe('a place alone', () => {
  it('asks what the problem is', () => {
    const u = understand('朝阳区望京街道');
    expect(u.place.streetCode).toBe('110105-wangjing');
    expect(u.needsMoreInfo).toBe(true);
    expect(u.question?.field).toBe('details');
  });
});
