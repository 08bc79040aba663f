/**
 * Classes of category and urgency misses found by the sixteenth (blind,
 * WeChat-style) dev set. Each case is a fresh sentence, not one from the set.
 */
import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';

const cat = (t: string) => understand(t).category.code;
const urgent = (t: string) => understand(t).urgency.urgent;

describe('category boundaries from scope_zh', () => {
  it.each([
    // 楼内水压低 → property, even when the words are the water company's.
    ['我们楼里水压特别低，住十二楼的根本用不了热水器', 'property'],
    // 下水沟 / 排水沟 are drains, not a polluted river.
    ['胡同里的排水沟堵了，一下雨脏水就往外冒', 'drainage'],
    // Rubbish lying about a public place is 环境卫生; bins and collection are 垃圾清运.
    ['村口那条土路上到处都是垃圾，塑料袋满天飞', 'sanitation'],
    ['垃圾桶满了三天没人清运', 'garbage'],
    // Cigarettes are goods, not smoke.
    ['路口那个烟酒店卖假烟', 'market'],
    // A business's exhaust fan is commercial noise, not a neighbour.
    ['楼下奶茶店的排风扇嗡嗡响到半夜', 'noise'],
    // A restaurant's kitchen exhaust is 餐饮油烟, in English too.
    ['The noodle shop below us blows its kitchen exhaust straight into our bedroom', 'pollution'],
    ['Someone dumped a heap of bricks and debris by the bike shed', 'garbage'],
    // 公厕 in any wording.
    ['菜市场里的厕所臭得进不去人', 'sanitation'],
    // A household that the 居委会 has tried to mediate with is a neighbour dispute.
    ['对门那家人天天把垃圾袋放门口，说了好多次，居委会调解也没用', 'public_security'],
    // A suggestion to add facilities is 表扬与建议.
    ['建议在小区门口增设一个公交站', 'other'],
    // A bus stop named as where a stall stands is the place, not the topic.
    ['卖煎饼的三轮车天天停在公交站旁边占道', 'street_vending'],
    // Whatever the landlord does, it is a tenancy dispute (房屋租赁纠纷).
    ['房东为了赶我走把水停了', 'housing'],
    // A stolen drain grate is a hole in the road (雨水箅子, the official character).
    ['路口的雨水箅子丢了两个', 'municipal_facility'],
    ['楼下有两个人鬼鬼祟祟的，一直盯着单元门', 'public_security'],
    ['公车司机态度太差，骂乘客', 'public_transport'],
  ])('%s → %s', (text, code) => {
    expect(cat(text)).toBe(code);
  });

  it('the correct spelling is not counted again through a typo variant (垃圾 via 拉圾)', () => {
    // Both would have doubled the garbage evidence against a sanitation reading.
    expect(cat('河边的草地上全是垃圾')).toBe('sanitation');
  });
});

describe('urgent: what is happening now, not what happened or happens often', () => {
  it('a lift rescue told as history is not urgent; a person stuck now is', () => {
    expect(urgent('上个月我爸被困在电梯里半小时，后来物业才把人放出来，电梯到现在也没修')).toBe(false);
    expect(urgent('电梯困人了，我妈现在还在里面出不来')).toBe(true);
  });

  it('fights every night are a standing complaint; a fight now is an emergency', () => {
    const habitual = understand('那个KTV门口经常有人打架，能不能管管');
    expect(habitual.urgency.urgent).toBe(false);
    expect(habitual.triage.kind).not.toBe('110');
    expect(urgent('楼下烧烤摊正在打架，有人拿酒瓶子砸人')).toBe(true);
  });

  it('an old person and the silence must be in the same breath', () => {
    expect(urgent('小区物业什么都不管，楼道灯坏了老人摔了好几次，投诉到现在也没动静')).toBe(false);
    expect(urgent('隔壁独居的老太太三天没出门了，敲门也不开')).toBe(true);
  });

  it('a worry about a gas leak is not a leak', () => {
    expect(urgent('楼外的燃气管子锈成这样，万一漏气怎么办')).toBe(false);
    expect(urgent('厨房的燃气管漏气了，嘶嘶响')).toBe(true);
  });

  it('a worry or a hypothesis is not the situation, whatever the situation', () => {
    expect(urgent('这电梯老是咣当响，万一电梯困人怎么办')).toBe(false);
    expect(urgent('暖气管子锈得厉害，担心暖气管爆裂')).toBe(false);
    expect(urgent('排水口都堵了，怕下暴雨又积水')).toBe(false);
    // The situation itself, with a worry about what follows, stays urgent.
    expect(urgent('电梯困人了，我担心老人身体受不了')).toBe(true);
    // Risks by definition stay urgent.
    expect(urgent('墙上的裂缝越来越大，担心房子会塌')).toBe(true);
  });

  it('recognises the urgent_when situations in mixed and traditional writing', () => {
    expect(urgent('小区门口的manhole cover不见了，晚上看不见')).toBe(true);
    expect(urgent('污水从卫生间地漏冒上来了，满屋子都是')).toBe(true);
    expect(urgent('工地半夜還在施工，吵得睡不著')).toBe(true);
    expect(urgent('Our heating in the whole apartment block has been off since Monday and it is minus 12 outside')).toBe(true);
  });
});
