import { describe, expect, it } from 'vitest';
import { LANDMARKS, resolvePlace } from '../../../core/understanding/place/index.js';
import { STREETS } from '../../../core/understanding/place/gazetteer.js';

const street = (t: string, h?: string[]) => resolvePlace(t, h ? { history: h } : {}).streetCode;
const district = (t: string) => resolvePlace(t).districtCode;

describe('official names, aliases and districts', () => {
  it('resolves full and short official names', () => {
    expect(resolvePlace('朝阳区三里屯街道')).toMatchObject({ districtCode: '110105', streetCode: '110105-sanlitun', method: 'official' });
    expect(resolvePlace('三里屯')).toMatchObject({ streetCode: '110105-sanlitun', method: 'alias' });
    expect(street('房山区长阳镇有人烧秸秆')).toBe('110111-changyang');
    // 地区 offices are also 乡/镇 governments.
    expect(street('朝阳区来广营乡')).toBe('110105-laiguangying');
  });

  it('matches the longest name first', () => {
    expect(resolvePlace('石景山区')).toMatchObject({ districtCode: '110107', streetCode: null });
    expect(street('朝阳门')).toBe('110101-chaoyangmen');
    expect(street('平谷大兴庄')).toBe('110117-daxingzhuang');
    expect(street('苹果园')).toBe('110107-pingguoyuan');
    expect(street('西城区牛街东里2号楼暖气不热')).toBe('110102-niujie');
  });

  it('八里庄 needs its district; without one the caller gets both as choices', () => {
    const r = resolvePlace('八里庄');
    expect(r.streetCode).toBeNull();
    expect(r.candidates.map((c) => c.streetCode).sort()).toEqual(['110105-balizhuang', '110108-balizhuang']);
    expect(r.candidates.every((c) => c.label.includes('八里庄'))).toBe(true);
    expect(street('海淀区八里庄')).toBe('110108-balizhuang');
    expect(street('朝阳八里庄')).toBe('110105-balizhuang');
    expect(street('八里庄', ['我是海淀区的'])).toBe('110108-balizhuang');
  });

  it('a district alone gives the district and no street', () => {
    expect(resolvePlace('我在朝阳区')).toMatchObject({ districtCode: '110105', streetCode: null, candidates: [] });
    expect(resolvePlace('Daxing District')).toMatchObject({ districtCode: '110115', streetCode: null });
  });
});

describe('communities and villages', () => {
  it('with or without suffix, with building numbers', () => {
    expect(resolvePlace('金谷东园3号楼')).toMatchObject({ streetCode: '110117-binhe', community: '金谷东园社区', address: '3号楼', method: 'community' });
    expect(resolvePlace('金谷东园3号楼').communityCode).toMatch(/^11011700\d{4}$/);
    expect(street('花家地社区')).toBe('110105-wangjing');
    expect(street('育新花园小区')).toBe('110108-xisanqi');
    expect(street('聂各庄村委会不作为')).toBe('110108-sujiatuo');
  });

  it('shared names resolve only with a district or street, else candidates', () => {
    const r = resolvePlace('向阳社区');
    expect(r.streetCode).toBeNull();
    expect(r.candidates.length).toBeGreaterThan(1);
    expect(street('丰台向阳社区')).toBe('110106-fengtai');
    expect(street('采育镇张各庄村')).toBe('110115-caiyu');
    // Both 小川村 are in 延庆: district known, street asked.
    expect(resolvePlace('延庆小川村')).toMatchObject({ districtCode: '110119', streetCode: null });
  });

  it('a community named like another street is a question unless the text says which', () => {
    // 八里庄社区 is in 高碑店, but 八里庄 is also two streets.
    expect(street('八里庄社区')).toBeNull();
    expect(resolvePlace('八里庄社区').candidates.map((c) => c.streetCode)).toContain('110105-gaobeidian');
    expect(street('怀柔东四村')).toBe('110116-huairou');
    expect(street('东四')).toBe('110101-dongsi');
  });

  it('digits for numerals, old district names', () => {
    expect(resolvePlace('望京西园4区')).toMatchObject({ streetCode: '110105-wangjing', community: '望京西园四区社区' });
    expect(street('西红门12村')).toBe('110115-xihongmen');
    expect(resolvePlace('宣武区').districtCode).toBe('110102');
    expect(street('原崇文区体育馆路')).toBe('110101-tiyuguanlu');
  });

  it('short names that are everyday words need a suffix', () => {
    expect(resolvePlace('生活很幸福').method).toBe('none');
    expect(resolvePlace('了解社区的情况').streetCode).toBeNull();
    expect(street('幸福二村')).toBe('110105-sanlitun');
  });
});

describe('landmarks', () => {
  it('places campuses, parks and malls', () => {
    expect(resolvePlace('北航学院路校区').streetCode).toBe('110108-huayuanlu');
    expect(resolvePlace('北京大学东门')).toMatchObject({ streetCode: '110108-yanyuan', method: 'landmark' });
    expect(street('三里屯太古里')).toBe('110105-sanlitun');
  });

  it('straddling landmarks give candidates, never a guess', () => {
    for (const t of ['国贸', '五道口', '天通苑', '王府井', '回天地区']) {
      const r = resolvePlace(t);
      expect(r.streetCode, t).toBeNull();
      expect(r.candidates.length, t).toBeGreaterThan(1);
    }
    expect(resolvePlace('国贸').districtCode).toBe('110105');
    // A second clue settles it.
    expect(street('国贸建外SOHO')).toBe('110105-jianwai');
  });

  it('ring roads and expressways are not 东四 or any street', () => {
    expect(street('东四环辅路上')).toBeNull();
    expect(street('东四')).toBe('110101-dongsi');
  });

  it('every landmark names real street codes and says what it was checked against', () => {
    expect(LANDMARKS.length).toBeGreaterThan(200);
    for (const lm of LANDMARKS) {
      for (const s of lm.streets) expect(STREETS.has(s), `${lm.names[0]} → ${s}`).toBe(true);
      expect(lm.source.length).toBeGreaterThan(5);
    }
  });
});

describe('typos, variants, English', () => {
  it('homophone typos resolve with lower confidence', () => {
    const r = resolvePlace('三里吞');
    expect(r).toMatchObject({ streetCode: '110105-sanlitun', method: 'fuzzy' });
    expect(r.confidence).toBeLessThan(resolvePlace('三里屯').confidence);
    expect(street('回龙官')).toBe('110114-huilongguan');
    // A typo of a straddling landmark is still a question.
    expect(street('王府景')).toBeNull();
  });

  it('prose that merely sounds like a place is not one', () => {
    expect(resolvePlace('超大城之治理').method).toBe('none');
  });

  it('traditional characters, spacing, full-width, pinyin and English', () => {
    expect(street('朝陽區 三里 屯')).toBe('110105-sanlitun');
    expect(street('東城區和平裡５號樓')).toBe('110101-hepingli');
    expect(street('I live in Wangjing')).toBe('110105-wangjing');
    expect(street('wang jing')).toBe('110105-wangjing');
    expect(district('Haidian district')).toBe('110108');
    expect(street('Peking University')).toBe('110108-yanyuan');
    expect(street('The clinic in Tianqiao is closed')).toBe('110102-tianqiao');
    expect(street('I am boxing at the gym')).toBeNull();
  });

  it('words that contain a place name are not places without context', () => {
    for (const t of ['前门坏了关不上', '天桥上有人摆摊', '朝阳的房间太热了', '我家卧室朝阳', '东风标致的车', '光明牛奶过期了', '炖肉要放八角', '高岭土', '我要上地铁的时候手机被偷了']) {
      const r = resolvePlace(t);
      expect(r.streetCode, t).toBeNull();
      expect(r.districtCode, t).toBeNull();
    }
    // …and are places with it.
    expect(street('石景山八角')).toBe('110107-bajiao');
    expect(street('水压一直很小 八角')).toBe('110107-bajiao');
  });
});

describe('bad input never crashes', () => {
  it('empty, emoji, long, broken, markup', () => {
    for (const t of ['', '   ', '🙂🙂🙂', 'x'.repeat(10_000), '三里屯'.repeat(3000), '\ud800\udc00\ud800', '<script>alert(1)</script>', "'; DROP TABLE petitions; --", '\u0000\u0001']) {
      const r = resolvePlace(t);
      expect(r).toHaveProperty('method');
      expect(Array.isArray(r.candidates)).toBe(true);
    }
    expect(resolvePlace(undefined as unknown as string).method).toBe('none');
  });

  it('is fast: well under 20 µs per message', () => {
    const msgs = ['我家楼上每天晚上十一点以后还在装修，电钻声音特别大，已经持续一个多星期了', '朝阳区望京街道花家地西里3号楼下水道堵了', 'The heating in our building has been off for two days'];
    for (let i = 0; i < 3000; i++) resolvePlace(msgs[i % 3]!);
    const c0 = process.cpuUsage();
    const n = 30000;
    for (let i = 0; i < n; i++) resolvePlace(msgs[i % 3]!);
    const c = process.cpuUsage(c0);
    expect((c.user + c.system) / n).toBeLessThan(40); // generous for loaded CI machines; typically 5–10 µs
  });
});

describe('the whole gazetteer', () => {
  it('every community and village by its full name: its own street or a question, never another street', () => {
    const byName = new Map<string, Set<string>>();
    for (const s of STREETS.values()) for (const c of s.communities) byName.set(c.name, (byName.get(c.name) ?? new Set()).add(s.code));
    const wrong: string[] = [];
    let resolved = 0;
    for (const s of STREETS.values()) {
      for (const c of s.communities) {
        const r = resolvePlace(c.name);
        if (r.streetCode && !byName.get(c.name)!.has(r.streetCode)) wrong.push(`${c.name} → ${r.streetCode}`);
        if (r.streetCode === s.code) resolved++;
        // With the district named, a name unique in that district resolves.
        const inDistrict = [...byName.get(c.name)!].filter((x) => x.startsWith(s.districtCode));
        const r2 = resolvePlace(`${s.districtName}${c.name}`);
        if (r2.streetCode && !inDistrict.includes(r2.streetCode)) wrong.push(`${s.districtName}${c.name} → ${r2.streetCode}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(resolved).toBeGreaterThan(6000);
  });

  it('every street by its official name, with its district, and by its aliases', () => {
    const wrong: string[] = [];
    for (const s of STREETS.values()) {
      expect(resolvePlace(`${s.districtName}${s.name}`).streetCode).toBe(s.code);
      for (const f of s.aliases.map((a) => `${s.districtName}${a}`)) {
        const r = resolvePlace(f);
        // A question is fine when a village of the same name is in that district (海淀区田村: 田村路街道 or 四季青's 田村).
        if (r.streetCode !== s.code && !(r.streetCode === null && r.candidates.some((c) => c.streetCode === s.code))) {
          wrong.push(`${f} → ${r.streetCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
