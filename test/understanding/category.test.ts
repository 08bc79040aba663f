import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';
import { CATEGORY_CODES } from '../../core/understanding/taxonomy.js';

const code = (t: string) => understand(t).category.code;

describe('category boundaries from scope_zh', () => {
  it.each([
    // water inside the building → property; mains and outages → water_supply; radiators → heating; sewage → drainage
    ['楼上住户家的水管漏了，水顺着我家天花板往下滴', 'property'],
    ['小区二次供水泵房的水泵坏了，高层没水', 'property'],
    ['我住18层，楼内水压太低，热水器都打不着', 'property'],
    ['小区门口马路下面的自来水主管道漏水，路面一直冒水', 'water_supply'],
    ['今天全天停水，也没提前通知', 'water_supply'],
    ['水龙头放出来的水发黄，有股怪味', 'water_supply'],
    ['卧室暖气片接口一直在漏水', 'heating'],
    ['卫生间地漏往上返污水，污水倒灌进屋了', 'drainage'],
    // noise: shops, sites, square dancing → noise; neighbours' daily life → public_security
    ['楼下商铺门口的喇叭从早到晚放歌，吵死了', 'noise'],
    ['工地施工噪音太大，周末也不停', 'noise'],
    ['广场舞音响声音太大，老人孩子都休息不好', 'noise'],
    ['楼上邻居家每天晚上蹦跳，噪音扰民，协商无果', 'public_security'],
    // fumes → pollution; restaurant hygiene → food_safety
    ['烧烤店的油烟呛得我们不敢开窗', 'pollution'],
    ['这家餐馆后厨卫生太差了，碗筷油腻，苍蝇乱飞', 'food_safety'],
    // off-campus training refunds → education, not market; other prepaid cards → market
    ['孩子报的校外培训机构关门了，剩下的课时费不退', 'education'],
    ['健身房老板卷钱跑了，预付卡里还有几千块', 'market'],
    // group renting: housing; its public-order part: public_security
    ['隔壁单元被二房东改成了群租房，一套房住了十几个人', 'housing'],
    ['群租房里的人半夜打架闹事，还在楼道里给电动车充电', 'public_security'],
    // lift fault → property; lift retrofit → housing
    ['电梯三天两头出故障', 'property'],
    ['我们老楼想加装电梯，需要走什么流程', 'housing'],
    // fire lane blocked by cars → parking; e-bike charging in the hallway → public_security, not power
    ['消防通道被私家车占了', 'parking'],
    ['有人在楼道里飞线给电动车充电', 'public_security'],
    ['我想在车位上安装充电桩，供电局不给报装', 'power'],
    // bins not emptied → garbage; dirty streets, public toilets, small ads → sanitation
    ['垃圾桶已经满得溢出来了，三天没人清运', 'garbage'],
    ['公厕脏得不行，墙上还贴满了小广告', 'sanitation'],
    ['路灯坏了一整排，晚上出行不安全', 'municipal_facility'],
    ['井盖破损，车一压就响', 'municipal_facility'],
    ['杨柳飞絮太多，希望能治理', 'greening'],
    ['饭店占道经营，桌椅摆满了人行道', 'street_vending'],
    ['房产证办了五年还没办下来', 'real_estate_registration'],
    ['公司拖欠工资半年了', 'labor'],
    ['孩子入园难，附近幼儿园都报满了', 'education'],
    ['医院挂号排了三个小时', 'health'],
    ['低保申请一直没批下来', 'civil_affairs'],
    ['公交车司机开车太猛，乘客都站不稳', 'public_transport'],
    ['十字路口信号灯配时不合理，经常堵车', 'traffic'],
    ['有人在小区绿地上私搭乱建', 'illegal_construction'],
    ['燃气表走字不准', 'gas'],
    ['暖气不热，屋里只有15度', 'heating'],
    ['又停电了', 'power'],
    ['表扬社区网格员，对我们老人特别耐心', 'other'],
    ['咨询一下积分落户的政策', 'other'],
  ])('%s → %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });
});

describe('English and mixed scripts', () => {
  it.each([
    ['The elevator in my building is broken again', 'property'],
    ['There is no water in our flat since this morning', 'water_supply'],
    ['Our radiators are cold and the heating company does not answer', 'heating'],
    ['Construction noise every night, the site works until 2am', 'noise'],
    ['My upstairs neighbour stomps around all night', 'public_security'],
    ['Someone parked in the fire lane again', 'parking'],
    ['The streetlight outside our gate has been out for a week', 'municipal_facility'],
    ['My landlord refuses to return my deposit', 'housing'],
    ['小区的elevator坏了', 'property'],
  ])('%s → %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });
});

describe('category result', () => {
  it('gives a taxonomy code, a confidence in [0,1] and a different runner-up', () => {
    const u = understand('楼上漏水到我家，物业不管');
    expect(CATEGORY_CODES).toContain(u.category.code);
    expect(u.category.confidence).toBeGreaterThan(0);
    expect(u.category.confidence).toBeLessThanOrEqual(1);
    if (u.category.runnerUp) expect(u.category.runnerUp.code).not.toBe(u.category.code);
  });

  it('is deterministic', () => {
    const a = understand('工地夜间施工噪音扰民，朝阳区望京街道');
    const b = understand('工地夜间施工噪音扰民，朝阳区望京街道');
    expect(a).toEqual(b);
  });

  it('keeps an earlier urgent situation when the resident only adds the place', () => {
    const u = understand('朝阳区望京街道花家地', { history: ['电梯困人了，我妈被关在里面，快来人'] });
    expect(u.category.code).toBe('property');
    expect(u.urgency.urgent).toBe(true);
    expect(u.needsMoreInfo).toBe(false);
  });

  it('does not let earlier turns override a clear new message', () => {
    const u = understand('另外楼下的垃圾桶满了没人清运', { history: ['电梯困人了'] });
    expect(u.category.code).toBe('garbage');
    expect(u.urgency.urgent).toBe(false);
  });

  it('uses earlier turns when the new message says little', () => {
    const u = understand('在朝阳区望京街道', { history: ['我们这路灯坏了好几天了'] });
    expect(u.category.code).toBe('municipal_facility');
    expect(u.place.streetCode).toBe('110105-wangjing');
    expect(u.needsLocation).toBe(false);
  });
});

describe('place and needsLocation', () => {
  it('asks for a place when none is given', () => {
    const u = understand('楼道灯坏了');
    expect(u.needsLocation).toBe(true);
    expect(u.question?.field).toBe('place');
  });

  it('asks which street when the place name is ambiguous, with the candidates as choices', () => {
    const u = understand('八里庄这边的路灯不亮');
    expect(u.needsLocation).toBe(true);
    expect(u.place.streetCode).toBeNull();
    expect(u.question?.field).toBe('place');
    const values = u.question!.choices.map((c) => c.value);
    expect(values).toEqual(expect.arrayContaining(['110105-balizhuang', '110108-balizhuang']));
  });

  it('needs no location when the street is resolved, and the summary names it', () => {
    const u = understand('海淀区学院路街道的路灯坏了');
    expect(u.needsLocation).toBe(false);
    expect(u.place.streetCode).toBe('110108-xueyuanlu');
    expect(u.summary).toContain('学院路');
    expect(u.summary).not.toContain('\n');
  });

  it('with only a location pin still asks for a named place', () => {
    const u = understand('路灯坏了', { location: { lat: 39.99, lng: 116.47, coordSystem: 'wgs84' } });
    expect(u.needsLocation).toBe(true);
    expect(u.question?.field).toBe('place');
    expect(u.question?.text_en).toMatch(/location pin/);
  });
});
