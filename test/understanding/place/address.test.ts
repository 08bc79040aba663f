/**
 * The address fragment keeps a road's whole name when a street's name is its first part
 * ("三里屯路19号" is 三里屯路, not 三里屯 + "路19号"), and still drops a recognised community name
 * in front of a building number ("花家地西里3号楼" → "3号楼").
 */
import { describe, expect, it } from 'vitest';
import { resolvePlace } from '../../../core/understanding/place/index.js';
import { understand } from '../../../core/understanding/index.js';

describe('address fragments', () => {
  it.each([
    ['朝阳区三里屯路19号门口垃圾堆了一周没人清运', '三里屯路19号'],
    ['三里屯南路3号楼下噪音扰民', '三里屯南路3号楼'],
    ['三里屯西五街5号院门口占道经营', '三里屯西五街5号院'],
  ])('%s keeps the road name (%s)', (text, address) => {
    const p = resolvePlace(text);
    expect(p.streetCode).toBe('110105-sanlitun');
    expect(p.address).toBe(address);
    expect(understand(text, {}).place.address).toBe(address);
  });

  it('still drops a recognised community name before the building number', () => {
    expect(resolvePlace('花家地西里3号楼漏水').address).toBe('3号楼');
    expect(resolvePlace('金谷东园3号楼').address).toBe('3号楼');
  });
});
