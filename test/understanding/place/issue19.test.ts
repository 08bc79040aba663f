/**
 * Issue 19's place rules, with wordings that are in no labelled set: an official short name followed by
 * place words, a landmark named after another area, pinyin compounds with a direction.
 */
import { describe, expect, it } from 'vitest';
import { resolvePlace } from '../../../core/understanding/place/index.js';

describe('issue 19 places', () => {
  it.each([
    // official name without its suffix, then words that make it a place
    ['我们是劲松的，楼下井盖响', '110105-jinsong'],
    ['劲松这一片晚上没有路灯', '110105-jinsong'],
    ['劲松八区的垃圾站', '110105-jinsong'],
    ['劲松农光里小区的暖气', '110105-jinsong'],
    ['长阳那一带的公交车太少', '110111-changyang'],
    // pinyin compounds: the direction belongs to the name
    ['Tiantongyuan South, the bins are overflowing', '110114-tiantongyuannan'],
    ['near tiantongyuan north there is a broken road', '110114-tiantongyuanbei'],
    // a landmark named after another area, standing elsewhere
    ['北京天坛医院东门外面有人摆摊', '110106-huaxiang'],
    ['798附近周末堵车', '110105-jiuxianqiao'],
  ])('%s → %s', (text, street) => {
    expect(resolvePlace(text).streetCode).toBe(street);
  });

  it.each([
    ['花了798块钱买的电饭锅坏了'],
    ['天坛医院看病排队太久'],
    ['劲松的松树真好看'],
  ])('%s: no wrong street', (text) => {
    const r = resolvePlace(text);
    // a price is no place; the hospital is in 丰台 (花乡), never 东城's 天坛街道
    expect(r.streetCode === null || r.streetCode === '110106-huaxiang').toBe(true);
    expect(r.streetCode).not.toBe('110101-tiantan');
    if (text.includes('798')) expect(r.streetCode).toBeNull();
  });
});
