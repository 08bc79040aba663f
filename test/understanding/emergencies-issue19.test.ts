/**
 * Issue 19, emergencies first: the classes of danger the issue lists, in Chinese and English, with
 * wordings that are in no labelled set (the blind sets found the classes; these check the class).
 * Recall before precision: each must be urgent; the near misses beside them must not.
 */
import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';

describe('urgent: issue 19 emergency classes', () => {
  it.each([
    // outdoor gas pipe dug open / broken, hissing, smell
    ['施工的钩机刨断了小区外面的天然气管线，现在还在往外喷气', 'gas'],
    ['路边的燃气管道被铲车铲破了，呼呼地冒气', 'gas'],
    ['修管道的把地下煤气管碰裂了，附近都是臭鸡蛋味', 'gas'],
    ['楼道里滋滋响还有股臭鸡蛋味，不知道哪家漏的', 'gas'],
    ['an excavator ruptured the gas main on our street, there is a loud hissing noise', 'gas'],
    ['workers cut through a gas line outside the school', 'gas'],
    ['the hallway smells of rotten eggs, I think it is gas', 'gas'],
    ['屋里gas味好冲，不敢点火', 'gas'],
    // trapped by water: flooded underground car park, underpass, basement
    ['下沉式车库灌进了雨水，有位大爷开车下去就被困住了', 'drainage'],
    ['桥洞下面积水太深，一辆车泡在里面，司机还没出来', 'drainage'],
    ['雨水涌进地下室，里面住的人出不来了', 'drainage'],
    ['the underpass is flooded and a car is stuck in the water with the driver inside', 'drainage'],
    ['rain is flooding the basement car park and my husband is still down there', 'drainage'],
    // mass food poisoning
    ['托儿所的小朋友喝完午餐的汤，一个接一个地吐', 'food_safety'],
    ['工地上的工人吃了盒饭以后一大片都拉肚子，有的已经站不起来了', 'food_safety'],
    ['a dozen students at the school were taken to hospital after eating at the canteen, suspected food poisoning', 'food_safety'],
    // heating or power loss in extreme weather with vulnerable people
    ['外头零下二十度，暖气今天早上断了，家里有刚满月的孩子', 'heating'],
    ['暖气坏了一整天没人修，瘫痪的老父亲冻得直哆嗦', 'heating'],
    ['the heating stopped working last night and it is minus 18, my mother is 90', 'heating'],
    ['radiators died this morning, -12 outside, elderly parents at home', 'heating'],
    ['楼里突然停电，外面三十九度高温，屋里的老人中暑了', 'power'],
    ['停电好几个小时了，家里老人靠呼吸机，撑不了多久', 'power'],
    ['power cut in a freezing cold night and my grandmother uses an oxygen machine', 'power'],
    // crowds in conflict (群体性), unpaid workers
    ['几十个没拿到工资的工人堵在公司门口，跟保安推搡起来了', 'labor'],
    ['讨要工钱的一帮工人情绪激动，把老板的车围住了', 'labor'],
    ['dozens of workers owed months of wages are surrounding the office and shouting', 'labor'],
    // fire and smoke, English the weak way
    ['there is a fire in the flat upstairs', 'public_security'],
    ["there's a fire in our building and lots of smoke in the stairwell", 'public_security'],
    ['the stairs are full of thick black smoke, people are coming down coughing', 'public_security'],
    ['楼道里全是烟，呛得睁不开眼，不知道哪里着了', 'public_security'],
  ])('%s → urgent, %s', (text, category) => {
    const u = understand(text);
    expect(u.urgency.urgent, u.urgency.reason).toBe(true);
    expect(u.category.code).toBe(category);
  });

  it.each([
    ['燃气管道什么时候能改造，老化了', 'gas'],
    ['想问下燃气管线改造要交钱吗', 'gas'],
    ['地下车库一下雨就有点渗水，地面湿', 'drainage'],
    ['我吃了外卖有点拉肚子', 'food_safety'],
    ['暖气有点不热，二十度', 'heating'],
    ['暖气一直不热，屋里十六度，孩子都冻感冒了', 'heating'],
    ['楼下饭馆的烟囱冒黑烟，呛人', 'pollution'],
    ['公司欠了我一个月的工资', 'labor'],
    ['the gas bill doubled this month', 'gas'],
    ['the underground car park is dirty and dark', 'parking'],
  ])('%s → not urgent', (text) => {
    const u = understand(text);
    expect(u.urgency.urgent, u.urgency.reason).toBe(false);
  });
});

describe('category classes from blind set E1 (issue 19)', () => {
  it.each([
    ['游泳卡里还有两千块，游泳馆关门了老板也跑了', 'market'],
    ['充了三千的美发卡，理发店说倒闭就倒闭', 'market'],
    ['老板跑了，我们三个月工资都没拿到', 'labor'],
    ['这几天总有两个陌生人在车棚附近转来转去', 'public_security'],
    ['a man has been loitering around our building entrance at night', 'public_security'],
  ])('%s → %s', (text, category) => {
    expect(understand(text).category.code).toBe(category);
  });
});
