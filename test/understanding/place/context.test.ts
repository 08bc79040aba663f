/**
 * Classes of place misses found by the sixteenth (blind, WeChat-style) dev set:
 * everyday phrases that are also village or landmark names, an explicit official
 * street against a community, a community inside a broad area name, home/work
 * places next to the problem's place, and homophone typos of two-character aliases.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { resolvePlace } from '../../../core/understanding/place/index.js';
import { understand } from '../../../core/understanding/index.js';

const street = (t: string) => resolvePlace(t).streetCode;

describe('everyday phrases are not places', () => {
  it.each([
    '工厂半夜往外排废水，下水沟都变色了',
    '饭店门口的下水沟堵了，脏水漫到路上',
    '我们的新房子漏水了',
    '小区门口三角地堆满了垃圾',
    '家里三间房都没暖气',
    '苹果派里吃出头发',
    '树上的鸟巢掉下来了',
    '北门口卖菜的天天吆喝',
    '中心花园的喷泉一直不开',
    '东边小区的路灯坏了',
    '北花园的长椅坏了',
  ])('%s → no street', (text) => {
    const r = resolvePlace(text);
    expect(r.streetCode).toBeNull();
    expect(r.districtCode).toBeNull();
  });

  it('the same names still place a message with a suffix, a building number, a neighbouring place or alone', () => {
    expect(street('延庆下水沟村')).toBe('110119-zhenzhuquan');
    expect(street('鸟巢南边')).toBe('110105-aoyuncun');
    expect(street('鸟巢')).toBe('110105-aoyuncun');
    expect(street('朝阳三间房的路灯坏了')).toBe('110105-sanjianfang');
    expect(street('住在三间房')).toBe('110105-sanjianfang');
    // 五道口 is a name, not "five crossings": it straddles three streets and is asked about.
    const wudaokou = resolvePlace('五道口那边的人行道砖坏了好多');
    expect(wudaokou.streetCode).toBeNull();
    expect(wudaokou.districtCode).toBe('110108');
    expect(wudaokou.candidates.length).toBeGreaterThan(1);
  });

  it('no everyday word of the jieba dictionary gives a street in a neutral sentence, except real place names', () => {
    const require = createRequire(import.meta.url);
    const dictPath = require.resolve('@node-rs/jieba/dict.txt');
    // Words the dictionary does not tag as places but which are only used as places in Beijing.
    const placeNames = new Set([
      '上地', '东四', '先农坛', '八角', '北师大', '北理工', '北科大', '北航', '十三陵', '周口店', '大山子', '大栅栏', '大红门', '天坛',
      '娘娘庙', '学院路', '建外', '恭王府', '报国寺', '方庄', '梨园', '椿树', '欢乐谷', '灯市口', '空港', '良乡', '花乡', '迎风',
      '一村', '北大地', '宫门口', '正义路', '留学路', '增产路', '光彩路', '交界河', '天堂河', '运河湾', '草场地', '钥匙头',
      '核桃洼', '岳家坡', '平台子', '黄土台', '黄土洼', '鸭子桥', '莲花河', '手帕口', '六部口', '衙门口', '模式口', '樱桃沟', '金台路', '金台里',
    ]);
    const wrong: string[] = [];
    for (const line of readFileSync(dictPath, 'utf8').split('\n')) {
      const [w, f, pos] = line.split(' ');
      if (!w || !/^[\u4e00-\u9fff]{2,3}$/.test(w) || Number(f) < 20 || /^n[srtz]/.test(pos ?? '')) continue;
      const r = resolvePlace(`我们这儿的${w}坏了很久了`);
      if (r.streetCode && !placeNames.has(w)) wrong.push(`${w} → ${r.streetCode}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('several clues that disagree', () => {
  it('an explicit official street with its district always resolves', () => {
    // 望京西园三区 is in 望京街道 by areas.json, but the resident named 东湖街道.
    expect(street('朝阳区东湖街道望京西园三区的垃圾桶满了')).toBe('110105-donghu');
    expect(street('东湖街道望京西园三区')).toBe('110105-donghu');
    // Still a conflict when the named district disagrees.
    expect(street('海淀区东湖街道')).toBeNull();
  });

  it('a community beats the broad area name it lies in', () => {
    expect(street('昌平回龙观龙泽苑东区附近施工')).toBe('110114-longzeyuan');
    // The same words read as two places are still a question.
    expect(street('海淀区田村')).toBeNull();
  });

  it('home, workplace and route are context; the place mentioned without such a cue is the problem', () => {
    expect(street('我家在回龙观，公司在上地，上地这边公司楼下的路灯坏了一个礼拜了')).toBe('110108-shangdi');
    expect(street('我在亦庄上班，住在旧宫，旧宫这边的小区门口每天都有人摆摊卖菜')).toBe('110115-jiugong');
    expect(street('我住在海淀，但我说的是朝阳区双井桥下面的积水')).toBe('110105-shuangjing');
    expect(street('昨天从望京开车到国贸，三里屯路口的信号灯一直是红灯不变')).toBe('110105-sanlitun');
    // Only context places: home against workplace is a question, never a guess.
    expect(street('我住在回龙观，在上地上班，小区里的电梯坏了')).toBeNull();
    expect(street('我家住昌平沙河，可是户口在西城，孩子上学的事情应该找哪里')).toBeNull();
  });
});

describe('a community name glued to the end of a longer unknown name', () => {
  it('is the tail of that name, not a community of its own', () => {
    // 崇文门西大街 with a typo is not 平谷's 西大街村; 望经西园四区 is not 怀柔's 西园社区.
    expect(street('重文门西大街3号楼的电梯坏了')).toBeNull();
    expect(street('望经西园四区')).not.toBe('110116-longshan');
  });

  it('but a name after an ordinary word is itself, across the whole gazetteer', () => {
    expect(street('今天华威西里停电')).toBe('110105-panjiayuan');
    expect(street('投诉芳群园三区物业')).toBe('110106-fangzhuang');
    const areas = JSON.parse(readFileSync(new URL('../../../core/taxonomy/areas.json', import.meta.url), 'utf8')) as {
      districts: { streets: { code: string; communities?: { name: string }[] }[] }[];
    };
    let base = 0;
    const lost: string[] = [];
    for (const d of areas.districts) {
      for (const st of d.streets) {
        for (const c of st.communities ?? []) {
          const stem = c.name.replace(/社区$|村$/, '');
          if (stem.length !== 3 || street(`${stem}3号楼停电了`) !== st.code) continue;
          base++;
          if (street(`今天${stem}3号楼停电了`) !== st.code) lost.push(stem);
        }
      }
    }
    expect(base).toBeGreaterThan(2000);
    expect(lost.length / base, lost.slice(0, 20).join(' ')).toBeLessThan(0.01);
  });
});

describe('homophone typos of two-character aliases', () => {
  it('resolve when a location word follows, never for everyday words', () => {
    expect(street('望经这边的下水道赌了')).toBe('110105-wangjing');
    for (const t of ['学校这边的下水道堵了', '我们这边停水', '公司附近有人打架', '路口这边红绿灯坏了']) expect(street(t)).toBeNull();
  });
});

describe('community names in pinyin', () => {
  it('place expats\' English, with the numbered sub-area when one is given', () => {
    expect(street('The lift in Building 3, Fangqunyuan 1st district is broken')).toBe('110106-fangzhuang');
    expect(street('I live in Huawei Xili')).toBe('110105-panjiayuan');
    // 望京西园 is in 东湖, 望京西园四区 in 望京: the number decides.
    expect(street('my address is Wangjing Xiyuan 4 qu')).toBe('110105-wangjing');
    expect(street('Wangjing Xiyuan 3rd district, building 2')).toBe('110105-wangjing');
  });

  it('ordinary English is not a place', () => {
    for (const t of ['changing the lights on the road', 'The restaurant is dirty and the manager is rude', 'the radiators are cold']) expect(street(t)).toBeNull();
  });
});

describe('the whole pipeline', () => {
  it('a message about a drain ditch is drainage with no place, not 延庆珍珠泉乡', () => {
    const u = understand('饭店门口的下水沟堵了，脏水漫到路上');
    expect(u.category.code).toBe('drainage');
    expect(u.needsLocation).toBe(true);
    expect(u.place.streetCode).toBeNull();
  });
});
