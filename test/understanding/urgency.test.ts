import { describe, expect, it } from 'vitest';
import { understand } from '../../core/understanding/index.js';

describe('urgent: the urgent_when situations', () => {
  it.each([
    ['电梯突然停在两层之间，我和孩子被困在里面出不来', 'property'],
    ['楼里水管爆裂，水从楼上一直流下来，好几层都淹了', 'property'],
    ['寒潮来了零下十五度，小区却停暖了，老人冻得发抖', 'heating'],
    ['暖气管爆裂了，热水喷了一屋子', 'heating'],
    ['整个小区大面积停水，上千户没水用', 'water_supply'],
    ['马路上的主管道爆裂，水柱喷出好几米高', 'water_supply'],
    ['暴雨导致路面积水，已经没过车轮', 'drainage'],
    ['污水倒灌进屋，家里全是污水', 'drainage'],
    ['电线杆上的电线起火了，一直冒火花', 'power'],
    ['大风把电线刮断了，电线落地还在冒火花', 'power'],
    ['我们这一片大面积停电，好几栋楼都没电', 'power'],
    ['单元门口闻到很浓的燃气味', 'gas'],
    ['厨房燃气泄漏了，嘶嘶响', 'gas'],
    ['工地深夜施工持续扰民，凌晨两点还在打桩', 'noise'],
    ['工厂化学品泄漏，一股刺鼻气味', 'pollution'],
    ['刺鼻的异味弥漫整个小区，很多人头晕恶心', 'pollution'],
    ['楼上装修在拆承重墙，整栋楼都在震', 'illegal_construction'],
    ['私家车堵塞消防通道，消防车进不来', 'parking'],
    ['路口信号灯全部失灵，车辆乱成一团', 'traffic'],
    ['路中间的井盖丢了，一个大黑洞', 'municipal_facility'],
    ['路面塌陷出一个大坑', 'municipal_facility'],
    ['大树倒伏，压在了停着的车上', 'greening'],
    ['单位食堂吃饭后，二十多人呕吐腹泻，疑似食物中毒', 'food_safety'],
    ['房屋墙体开裂越来越严重，有倒塌风险', 'housing'],
    ['上百名工人聚集在项目部门口讨薪', 'labor'],
    ['楼下有人打架斗殴，还动了刀', 'public_security'],
    ['对面楼着火了，浓烟滚滚', 'public_security'],
    ['邻居把电动车推到楼道里充电，起火风险很大', 'public_security'],
    ['独居老人三天联系不上，敲门也没人应', 'civil_affairs'],
  ])('%s → urgent, %s', (text, category) => {
    const u = understand(text);
    expect(u.urgency.urgent).toBe(true);
    expect(u.urgency.class).toBe('emergency');
    expect(u.category.code).toBe(category);
  });

  it.each([
    '电梯经常出故障，希望物业加强维护',
    '暖气不太热，室温18度',
    '停水了，什么时候来水',
    '下水道有点堵',
    '电费太贵了',
    '燃气费怎么交',
    '燃气灶打不着火',
    '工地白天施工有点吵',
    '楼道里堆了些杂物，有消防隐患，希望清理一下',
    '井盖松了，车过时咣当响',
    '树枝太长了，挡住了窗户',
    '房子有几条细小的裂缝',
    '老板拖欠我一个月工资',
    '消防通道旁边的地面有点脏',
  ])('%s → not urgent', (text) => {
    expect(understand(text).urgency.urgent).toBe(false);
  });
});

describe('urgency class', () => {
  it('utilities for water, power, gas and heating that are not emergencies', () => {
    for (const t of ['暖气不热', '停水一上午了', '停电了', '燃气表坏了']) {
      expect(understand(t).urgency.class, t).toBe('utilities');
    }
  });

  it('utilities in extreme weather', () => {
    expect(understand('暴雪天气路上很滑，希望清扫一下').urgency.class).toBe('utilities');
  });

  it('complex for title registration, housing security and many workers owed wages', () => {
    expect(understand('回迁房的房产证办了十年都没办下来').urgency.class).toBe('complex');
    expect(understand('公租房申请排队三年了').urgency.class).toBe('complex');
    expect(understand('包工头拖欠三十多个农民工的工资').urgency.class).toBe('complex');
  });

  it('ordinary otherwise, with a reason', () => {
    const u = understand('小区门口有人摆摊');
    expect(u.urgency).toMatchObject({ class: 'ordinary', urgent: false });
    expect(u.urgency.reason).toBeTruthy();
  });
});

describe('triage', () => {
  it.each([
    ['楼下饭店着火了，火很大', '119'],
    ['有位老人在公交站晕倒了，叫不醒', '120'],
    ['楼下有人持刀打架', '110'],
    ['路口两辆车追尾，发生交通事故', '122'],
    ['这个案子法院已经判决了，对方拒不执行', 'court'],
    ['我已经申请了劳动仲裁，仲裁委一直没开庭', 'arbitration'],
    ['举报村干部贪污补助款', 'xinfang'],
  ])('%s → %s', (text, kind) => {
    const u = understand(text);
    expect(u.triage.kind).toBe(kind);
    expect(u.triage.message_zh).not.toBe('');
    expect(u.triage.message_en).not.toBe('');
  });

  it('a fire risk is public_security and urgent but not 119', () => {
    const u = understand('电动车在楼道里充电，很容易起火');
    expect(u.triage.kind).toBe('none');
    expect(u.category.code).toBe('public_security');
    expect(u.urgency.urgent).toBe(true);
  });

  it('a stove that will not light is not a fire', () => {
    expect(understand('燃气灶点不着火了').triage.kind).toBe('none');
  });

  it('a labour dispute not yet in arbitration stays with labour, no redirect', () => {
    const u = understand('公司不给加班费，我想去申请劳动仲裁，需要什么材料');
    expect(u.category.code).toBe('labor');
    expect(u.triage.kind).toBe('none');
  });

  it('ordinary complaints are not redirected', () => {
    expect(understand('小区垃圾没人清运').triage.kind).toBe('none');
  });
});
