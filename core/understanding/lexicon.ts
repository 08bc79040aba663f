/**
 * The embedded classifier's weighted lexicon, written from the meaning of each
 * category's `scope_zh` and `urgent_when` in the taxonomy, plus the colloquial
 * words, common typos (躁音, 暧气, 拉圾, 电悌) and English phrasings residents use.
 *
 * Each group lists terms for one category at one weight: 4 = decisive phrase,
 * 3 = clear topic word, 2 = strong hint, 1 = weak hint shared with neighbours.
 * Chinese terms are separated by spaces; English terms by '|', matched at a
 * word start (a trailing '$' also requires a word end: "bus$" is not "business").
 *
 * Tags (names starting with '#') are not categories: they mark facts that the
 * boundary rules in classify.ts combine (where a leak is, who makes a noise…).
 */
import type { CategoryCode } from './taxonomy.js';

export type Tag =
  | '#leak' | '#inbuilding' | '#mains' | '#noise' | '#neighbor' | '#construction' | '#commercial'
  | '#industrial' | '#squaredance' | '#security' | '#grouprent' | '#training' | '#refund' | '#praise'
  | '#complaint' | '#question' | '#firelane' | '#ebike' | '#charging' | '#indoors' | '#highfloor'
  | '#pressure' | '#heatingword' | '#vehicle' | '#compound' | '#road' | '#greeting' | '#water' | '#hospitalside'
  | '#restaurant' | '#foodhygiene' | '#dispute' | '#stuff';

export interface LexGroup {
  c: CategoryCode | Tag;
  w: number;
  zh?: string;
  en?: string;
}

export const LEXICON: LexGroup[] = [
  // ------------------------------------------------------------ property 物业管理
  { c: 'property', w: 4, zh: '电梯困人 困电梯 电梯故障 电梯坏 电梯停运 电梯不运行 电梯停了 电梯维修 电梯年检 物业费 物业公司 物业服务 业委会 业主委员会 物管会 无物业 没有物业 没物业 二次供水 泵房 水泵房 加压泵 楼道灯 楼道照明 声控灯 门禁 楼内漏水 天花板漏水 顶棚漏水 屋顶漏水 房顶漏水 楼顶漏水 漏雨 电悌 电体 电剃', en: 'property management|property company|management company|management fee|property fee|elevator|lift is|lift has|lift broke|the lift|stuck in the lift|stuck in an elevator|access control|entry gate|door entry|intercom|stairwell light|corridor light|hallway light|homeowners association|owners committee|ceiling is leaking|ceiling leak|water pump room|booster pump' },
  { c: 'property', w: 3, zh: '电梯 物管 保安 小区设施 小区大门 健身器材 车库门 对讲 楼道窗 小区维修 维修基金 维修资金 物业不', en: 'building manager|security guard|the estate|compound facilities' },
  { c: 'property', w: 2, zh: '物业 保洁 单元楼 单元门' },
  { c: 'property', w: 1, zh: '楼道 楼里 小区里', en: 'my building|our building|apartment building' },
  { c: 'property', w: 3, zh: '走廊灯 过道灯 楼梯灯 楼层灯 感应灯 楼道的灯 楼梯间 水泵 加压泵 增压泵 道闸 小区门禁 人脸识别 门禁卡 电梯卡 滑梯 秋千 儿童游乐 小区围栏 小区监控 报修 维修没人 物业管理 开发商遗留 前期物业', en: 'maintenance request|repair request|hallway lights|stairwell lights|door buzzer|building management' },
  { c: 'property', w: 3, zh: '楼门 门锁 单元门锁 楼宇门 防盗门 锁坏了 关不上 墙皮 抽水泵' },
  { c: 'property', w: 4, en: 'management office|management company|building manager|property manager' },
  { c: 'property', w: 2, zh: '热水器', en: 'roof$' },
  { c: 'property', w: 1.5, zh: '老楼 老小区 没人管 公共维修' },
  { c: 'property', w: 1, zh: '小区' },
  { c: 'property', w: 2, zh: '屋顶 房顶 顶楼 下雨就漏 一下雨就漏', en: 'roof leak|roof is leaking|leaky roof' },
  // ------------------------------------------------------------ heating 供暖
  { c: 'heating', w: 4, zh: '暖气 供暖 供热 采暖 暖气片 室温 停暖 供暖费 取暖费 热力公司 热力集团 地暖 暖器 暧气 曖气 暖汽', en: 'heating|radiator|no heat|heating fee|heating bill|central heating|district heating' },
  { c: 'heating', w: 2, zh: '热力 不热 冰凉 冰冷 太冷 冻得 冻死 冷得 冷死 度左右 十几度', en: 'freezing|cold at home|apartment is cold|flat is cold|room temperature|only 1' },
  { c: 'heating', w: 3, zh: '温度只有 屋里温度 室内温度 家里才 十四五度 十五六度 18度 十八度 供暖标准 阀门 开栓 报停 暖气费', en: 'degrees inside|indoor temperature|ice cold|lukewarm' },
  // ------------------------------------------------------------ water_supply 供水
  { c: 'water_supply', w: 4, zh: '停水 断水 没水 没有水 不来水 没来水 自来水 水压低 水压小 水压不足 水压太低 水流很小 水质 水发黄 水黄 黄水 水有异味 水有味 水浑 浑浊 水有沉淀 水表 水费 自来水公司 自来水集团 主管道 供水管 管网漏水 爆管 水管爆裂 水管爆了 供水 锈水 水有杂质', en: 'no water|running water|no tap water|water outage|water cut|water supply|tap water|low water pressure|water pressure|water meter|water bill|water main|burst main|brown water|yellow water|rusty water|water is off|water has been off|water has been cut|water smells|water tastes|tap$|taps$|faucet|from the tap' },
  { c: 'water_supply', w: 3, zh: '水压' },
  { c: 'water_supply', w: 3, zh: '水浑 发白 漂白粉 消毒水味 放出来的水 出水 管网检修 供水管 水管子 自来水管子 阶梯水价 水价', en: 'water quality|cloudy water|water is cloudy|no running' },
  { c: 'water_supply', w: 3, en: 'water is yellow|water is brown|water is dirty|water is cloudy|chlorine|water in the building|water pipe|water pipes|frozen pipe' },
  { c: 'water_supply', w: 1.5, en: 'water' },
  { c: 'water_supply', w: 1.5, zh: '水管 漏水 来水 水龙头', en: 'leak|leaking|pipe|rust' },
  // ------------------------------------------------------------ drainage 排水
  { c: 'drainage', w: 4, zh: '下水道 下水管 下水井 污水井 雨水井 雨水篦子 雨篦子 雨水口 排水 污水外溢 污水横流 污水冒 冒污水 冒出污水 污水漫 倒灌 化粪池 积水 道路积水 马桶堵 堵了下水 返臭 下水反味 反味 粪水 排污管 污水管 下水到 雨水管 地漏', en: 'sewer|sewage|drain|blocked drain|clogged drain|flooding|flooded|standing water|waterlogged|septic tank|backflow|backing up|storm drain|gully' },
  { c: 'drainage', w: 2, zh: '污水 堵塞 淹了 被淹 进水 水漫 泡在水里 雨后 淹', en: 'overflowing sewage|puddle' },
  { c: 'drainage', w: 2, zh: '下雨 大雨 一下雨 下大雨 暴雨' },
  { c: 'drainage', w: 2, zh: '窨井' },
  { c: 'drainage', w: 4, zh: '篦子 下水篦子 雨篦 排水口', en: 'drain grate|storm grate' },
  { c: 'drainage', w: 2.5, zh: '成河 水坑 排不出去 排不走 积了 冲不下去 马桶 粪水 返水 冒水', en: 'rain|storm drain|floods|drain is' },
  // ------------------------------------------------------------ power 供电
  { c: 'power', w: 4, zh: '停电 断电 没电 没有电 电压不稳 电压低 电线老化 电表 电费 充电桩报装 安装充电桩 充电桩安装 报装充电桩 供电公司 供电局 国家电网 跳闸 电缆 变压器 电线落地 电线垂 电线掉 电线起火 电线着火 停電 来电 电闸', en: 'power outage|power cut|no power|no electricity|blackout|power is out|power has been|electricity|voltage|power line|wires down|downed wire|electric meter|electricity bill|transformer|charging pile installation|install a charging pile|ev charger installation|power supply' },
  { c: 'power', w: 3, zh: '充电桩 报装 新能源车充电 电力 电工 供电所 停送电 限电 漏电 触电 电箱 配电箱 电线外皮', en: 'electric|outage|tripping|trips$|fuse' },
  { c: 'power', w: 2, zh: '电线 电压 供电 电路 电线杆', en: 'wires$|cable|power\'s|power out|power went|lost power|power has gone' },
  { c: 'power', w: 4, zh: '电线杆斜 电线杆倒 电线离地 电线低垂 电线很低 电线太低 插座 麻手 电到' },
  { c: 'power', w: 3, zh: '电一会儿 时有时无 忽明忽暗 灯泡 电器烧 断断续续 一闪一闪', en: 'flicker|flickering' },
  { c: 'power', w: 1, zh: '电' },
  // ------------------------------------------------------------ gas 燃气
  { c: 'gas', w: 4, zh: '燃气 煤气 天然气 燃气味 煤气味 燃气泄漏 燃气表 燃气费 燃气公司 燃气集团 燃气管 液化气 燃汽 然气 打不着火 点不着火 燃气灶', en: 'gas$|gas leak|smell gas|smell of gas|gas smell|gas meter|gas bill|gas supply|natural gas|gas stove' },
  { c: 'gas', w: 2, zh: '漏气', en: '' },
  { c: 'gas', w: 3, zh: '臭鸡蛋味 停气 燃气卡 气卡 燃气安检 安检员 阶梯气价 气费 燃气管道 煤气罐 气罐', en: 'gas meter|gas card|gas pipe|cylinder' },
  // ------------------------------------------------------------ garbage 垃圾分类与清运
  { c: 'garbage', w: 4, zh: '垃圾桶 垃圾箱 垃圾站 垃圾房 垃圾清运 清运 没人清运 没清运 垃圾满 满溢 垃圾分类 分类投放 桶站 大件垃圾 装修垃圾 建筑垃圾 厨余 垃圾车 垃圾没人收 垃圾没人拉 垃圾没拉 拉圾桶 拉级桶 垃级桶 垃圾拉走 垃圾溢出 收垃圾 垃圾中转', en: 'garbage bin|trash can|rubbish bin|garbage collection|trash collection|rubbish collection|bins$|bin is|waste sorting|sorting station|recycling|bulky waste|renovation waste|construction waste|kitchen waste|food waste|dumpster|garbage truck|hasn\'t been collected|not been collected|not collected' },
  { c: 'garbage', w: 2, zh: '垃圾 拉圾 拉级 垃级 垃圾堆 堆满垃圾 桶满', en: 'garbage|trash|rubbish' },
  { c: 'garbage', w: 3, zh: '渣土 碎砖 砖头 旧家具 床垫 没人拉走 没人收 没人倒 倒垃圾 垃圾袋 分类桶 回收站 可回收', en: 'waste$|rubbish pile|garbage pile|not picked up|pick up the' },
  { c: 'garbage', w: 4, en: 'garbage station|trash station|waste station|garbage room|bin area|rubbish station' },
  // ------------------------------------------------------------ sanitation 环境卫生
  { c: 'sanitation', w: 4, zh: '环境卫生 脏乱 脏乱差 卫生差 卫生很差 公厕 公共厕所 厕所脏 野广告 乱贴 乱涂 乱画 堆物 堆放杂物 杂物 死老鼠 死猫 死狗 死鸟 死鸽子 动物尸体 粪便 狗屎 狗粪 没人打扫 没人清扫 乱扔 满地 垃圾遍地 随地 脏兮兮 很脏 太脏 不打扫 清扫 堆满 乱堆 堆放 污渍 口香糖 没人清理 粪 痰', en: 'dirty|filthy|litter|public toilet|public restroom|flyers|ads stuck|posters|dead rat|dead cat|dead dog|dead bird|dead pigeon|carcass|dead animal|dog poop|dog mess|dog poo|clutter|junk piled|piles of junk|not cleaned|nobody cleans|unswept' },
  { c: 'sanitation', w: 3, zh: '没人扫 没扫 落叶 塑料袋 纸屑 烟头 白色垃圾 贴满 涂写 喷涂 乱扔垃圾 遛狗不清理 狗粪便 冲水坏 公共卫生 卫生死角 脏水', en: 'trash everywhere|litter everywhere|graffiti|stinks|disgusting|restroom|toilet' },
  { c: 'sanitation', w: 5, zh: '小广告' },
  { c: 'sanitation', w: 3, zh: '堆着 堆在 楼道里堆 占着楼道 喷了 喷的 乱喷 办证电话 刻章 开锁电话 瓜子皮 随地大小便 随地吐痰', en: 'rubbish everywhere|garbage everywhere|everywhere on' },
  { c: 'sanitation', w: 3, zh: '油污 地面脏 打滑 脏东西', en: 'grease|greasy|slippery' },
  { c: 'sanitation', w: 1.5, zh: '脏 打扫 清理 扫 堆了 苍蝇 蚊子 蟑螂 老鼠 臭', en: 'smelly|messy|rats' },
  // ------------------------------------------------------------ noise 噪声扰民
  { c: 'noise', w: 4, zh: '噪音 噪声 躁音 燥音 噪声扰民 施工噪音 夜间施工 半夜施工 深夜施工 凌晨施工 连夜施工 打桩 广场舞 大喇叭 喇叭 音响 音箱 低音炮 酒吧 KTV ktv 歌厅 机器轰鸣 轰鸣 鼓风机 冷却塔 外放', en: 'noise|noisy|too loud|so loud|very loud|loud music|construction at night|night construction|pile driving|pile-driving|square dancing|square dance|dancing aunties|loudspeaker|blaring|karaoke|bar music' },
  { c: 'noise', w: 1, zh: '扰民' },
  { c: 'noise', w: 3, zh: '敲敲打打 乒乒乓乓 卸货 叮咣 乱响 作响 吱吱 吵醒 吹萨克斯 萨克斯 乐器 唢呐 敲锣 打鼓 锣鼓 吹拉弹唱 练琴 唱戏 卡拉ok 扩音 拍球 炸街 机器声 响声 嗡嗡 轰轰 咚咚 哐哐 叮叮当当 震得 震动 日夜不停 大声 很大声 特别大声 放歌 放音乐 电锯 切割声 电钻声 音乐声 喇叭声 鸣笛声 吵得睡不着 睡不着觉', en: 'music$|blasting|booming|thumping|sound system|speakers|all hours' },
  { c: 'noise', w: 2, zh: '吵 太吵 吵得 吵死 吵闹 声音很大 声音太大 动静 施工 轰隆 音乐 跳舞 声音' },
  { c: 'noise', w: 1, zh: '工地', en: 'loud$|racket|din$|construction site|jackhammer|drill|hammering' },
  // ------------------------------------------------------------ pollution 环境污染
  { c: 'pollution', w: 4, zh: '油烟 排烟 废气 焚烧 烧垃圾 烧秸秆 烧树叶 烧塑料 冒黑烟 黑烟 扬尘 粉尘 黑臭 排污 偷排 污染 化工 化学品 刺鼻 臭气 恶臭 异味 尾气 熏得 烧烤烟', en: 'cooking fumes|kitchen fumes|fumes|smoke from|black smoke|burning|dust$|dusty|pollution|polluted|polluting|chemical|stench|stink|exhaust|toxic|odor|odour' },
  { c: 'pollution', w: 3, zh: '往河里 排进 排入 排到河 直排 养殖场 养猪场 污水排' },
  { c: 'pollution', w: 4, zh: '往河里倒 河里倒 倒进河 倒入河 倒到河里' },
  { c: 'pollution', w: 3, zh: '焦油 沥青 橡胶味 塑料味 化工味 烟大 烟太大 吹得到处 扬起' },
  { c: 'pollution', w: 3, zh: '射灯 刺眼 灯光太亮 亮如白天 牛油味', en: 'floodlight|spotlight|glare|too bright|chemical smell|chemical plant' },
  { c: 'pollution', w: 3, zh: '烟熏火燎 烧烤味 烟味 油漆味 漆味 喷漆 难闻 呛人 呛得 味儿 熏人 洒水 苫盖 漫天 尘土 土大 沙尘 灰大 废水 污水直排 变色 发绿 死鱼 水发臭 排烟 烟囱 锅炉 臭气熏天 垃圾焚烧 烧东西 冒烟 浓烟 烟很大', en: 'paint smell|fumes from|smoke from|burns|burning plastic|dumped into|wastewater|discharg|foul smell|awful smell|choking' },
  { c: 'pollution', w: 2, zh: '烟 怪味 臭味 气味 烟雾 灰尘 河道 河水 河里 水沟 排放 熏', en: 'smell|smoke|river' },
  // ------------------------------------------------------------ illegal_construction 违法建设
  { c: 'illegal_construction', w: 4, zh: '违建 违章建筑 违法建设 违法建筑 违章搭建 私搭乱建 私搭 乱搭 乱建 私建 搭建 加盖 加建 扩建 圈占 圈地 占用公共空间 拆改承重墙 承重墙 砸墙 打通墙 挖地下室 地下室开挖 阳台外扩 彩钢房 彩钢板 板房 违规建设 盖房 盖了 搭了 改建', en: 'illegal construction|illegal structure|illegal building|unauthorized structure|unauthorised structure|illegal extension|built a shed|built an extension|load-bearing wall|load bearing wall|illegally built|structure on the roof|built a shed|illegal shed' },
  { c: 'illegal_construction', w: 3, en: 'unauthorized|unauthorised|without permission|without a permit' },
  { c: 'illegal_construction', w: 3, zh: '院墙 圈了 圈起来 外扩 扩出去 封出去 铁架子 私自 私自搭 私自盖 搭棚 盖了个 小仓库 阳光房 防盗窗外扩 占用公共 公共绿地上' },
  { c: 'illegal_construction', w: 4, zh: '窗户改成门 破墙开店 破墙 改门 开门脸 打通阳台' },
  { c: 'illegal_construction', w: 3, zh: '砌 砌墙 圈成 占为己有 据为己有', en: 'illegally|extra floor|added a floor|added an extra|added a room|walled off' },
  { c: 'illegal_construction', w: 2, zh: '地下室 地基' },
  { c: 'illegal_construction', w: 2, zh: '改成 改造成 违规 铁皮棚 棚子 搭了个', en: 'illegal$|extension|built$|shed$|sheds$' },
  // ------------------------------------------------------------ street_vending 占道经营
  { c: 'street_vending', w: 4, zh: '占道经营 摆摊 摊贩 小贩 游商 商贩 地摊 店外经营 出店经营 跨门营业 夜市 摊位 广告牌 户外广告 路边摊 流动摊 烧烤摊 早点摊 水果摊 卖菜 占道摆 门口摆 摊点 出摊 马路市场', en: 'street vendor|vendors|hawker|stall|sidewalk vendors|selling on the pavement|selling on the sidewalk|selling on the street|billboard|night market|street stall|shop spills|out on the pavement|out onto the pavement|out onto the sidewalk|tables on the sidewalk|tables outside' },
  { c: 'street_vending', w: 4, zh: '小摊 摊子 摊儿' },
  { c: 'street_vending', w: 3, zh: '摆桌子 摆桌 摆桌椅 外摆 桌椅摆 摆到人行道 摆到路上 摆到门外', en: 'tables on the pavement|chairs on the sidewalk' },
  { c: 'street_vending', w: 3, zh: '搬到门外 摆到门外 放到门外 门外经营 店门外 货架 冰柜 摊子 早市 卖煎饼 推车卖 三轮车卖 路边卖 马路中间 占了半条路 挂的广告', en: 'food stalls|stalls|selling food|blocking the sidewalk|blocking the pavement|outside the shop|outside the store' },
  { c: 'street_vending', w: 3, zh: '做生意 支起 支摊 支棚', en: 'block the entrance|blocking the entrance|hawkers' },
  { c: 'street_vending', w: 3, zh: '促销台 促销摊 展台 帐篷 推销台', en: 'selling fruit|selling vegetables|selling food|selling from|from a truck|from a van|from a cart' },
  { c: 'street_vending', w: 3, zh: '卖水果 卖东西 在那卖 在这卖 停车卖 车上卖 卖货 摆地摊 地摊' },
  { c: 'street_vending', w: 3, zh: '修车铺 洗车店 门口修车 占用人行道 占人行道 店门口修' },
  { c: 'street_vending', w: 3, zh: '占道' },
  { c: 'market', w: 2, zh: '快递' },
  { c: 'street_vending', w: 2, zh: '摆 叫卖 兜售 摊 烤串', en: 'selling$|sells$' },
  // ------------------------------------------------------------ parking 停车管理
  { c: 'parking', w: 4, zh: '违停 违章停车 违法停车 乱停 乱停车 乱停放 停车位 车位 停车难 停车费 停车场 停车收费 僵尸车 废弃车 弃置车 盲道停车 共享单车 单车乱停 地锁 挪车 停在 停满', en: 'parking|parked|illegally parked|double parked|double-parked|abandoned car|zombie car|shared bikes|shared bicycles|bike-share|bike share|parking fee|parking space|parking lot' },
  { c: 'parking', w: 2, zh: '停车 车辆 堵门 单车 自行车 停放', en: 'blocking the' },
  { c: 'parking', w: 3, zh: '停着 报废 废弃 面包车 长期停放 常年停 停了一辆 乱停车 占车位 抢车位 车位少 车位太少 停车位少', en: 'abandoned|car parked|cars park|parking spot|parking spaces|parks$|park in|park on' },
  { c: 'parking', w: 4, en: 'park on|park in|parks on|park at|park across|park outside|park their|parked on|parked in|parked across|parked outside' },
  { c: 'parking', w: 3, zh: '有车停 车挡着' },
  { c: 'parking', w: 3, zh: '停着的车 车占了 占用自行车道 占了非机动车道 占用非机动车道' },
  { c: 'parking', w: 2, zh: '等客 趴活 揽客' },
  { c: 'parking', w: 3, zh: '摩托车 没人动 没动过 一直不动 外来车辆 外来车', en: 'blocking my|blocks my|garage|driveway' },
  // ------------------------------------------------------------ traffic 道路交通
  { c: 'traffic', w: 4, zh: '堵车 拥堵 红绿灯 信号灯 交通灯 配时 标线 斑马线 人行横道 交通标志 交通设施 限速 渣土车 道路施工 占道施工 闯红灯 大货车 车祸 追尾 撞车 交通事故 掉头 禁止左转 左转灯 路口太堵 交通 信号机 隔离带 减速带 鸣笛 按喇叭', en: 'traffic|traffic jam|congestion|traffic light|traffic signal|signal light|crosswalk|zebra crossing|road markings|lane markings|speed limit|dump truck|muck truck|car crash|collision|road works|roadworks|turn signal|intersection' },
  { c: 'traffic', w: 4, zh: '车道线 道线 划线 交通指示 指示牌 交通标识 导向牌 绿灯时间 红灯时间 绿灯 红灯 绕行 封路 修路 围挡 路都堵 堵路 飙车 改装车 开快车 隔离护栏 隔离栏 交通护栏 箭头灯 左转 过马路 堵得', en: 'jam$|jams$|gridlock|badly timed|detour sign|road sign|lane lines' },
  { c: 'traffic', w: 4, en: 'pedestrian crossing|crossing light|walk signal|pedestrian light|green light' },
  { c: 'traffic', w: 1.5, zh: '路口 车多 超速 压线 限行 标志 车速 开太快', en: 'crossing$|junction' },
  // ------------------------------------------------------------ municipal_facility 市政设施
  { c: 'municipal_facility', w: 4, zh: '路灯 井盖 坑洼 大坑 路面破损 路面坑 塌陷 地陷 路面开裂 人行道砖 步道砖 地砖松动 方砖 护栏 栏杆 公共座椅 长椅 座椅 道路破损 马路坑 路坑 路不平 翘起 坑坑洼洼 地砖 便道砖 路沿石 马路牙子 桥栏 路面塌', en: 'streetlight|street light|street lamp|streetlamp|manhole|pothole|sinkhole|road collapsed|road has collapsed|paving|sidewalk tiles|pavement tiles|paving stones|railing|guardrail|bench|broken road|road surface|cracked road|uneven pavement' },
  { c: 'municipal_facility', w: 2, zh: '路面 步道 盲道 便道 道路 马路上' },
  { c: 'municipal_facility', w: 2, zh: '窨井 椅子' },
  { c: 'municipal_facility', w: 3, zh: '天桥 过街天桥 台阶 地下通道 桥洞 涵洞 井里 井口 没盖的井', en: 'footbridge|underpass|pedestrian bridge|steps are broken' },
  { c: 'municipal_facility', w: 1.5, zh: '人行道 坑 破损', en: 'sidewalk|pavement|footpath|paving' },
  // ------------------------------------------------------------ greening 园林绿化
  { c: 'greening', w: 4, zh: '树木 大树 树枝 枯树 死树 修剪 剪枝 倒伏 树倒 倒树 绿地 草坪 绿化 飞絮 杨絮 柳絮 花坛 绿植 毁绿 砍树 树杈 树干 枝杈 树上 砍伐', en: 'tree|trees|branch|branches|fallen tree|dead tree|pruning|prune|trim the|green space|green belt|lawn|grass|poplar fluff|catkins|willow fluff|flower bed' },
  { c: 'greening', w: 2, en: 'the park|in the park|a park|park management|shedding fluff|fluff everywhere' },
  { c: 'greening', w: 2, zh: '树 园林 杂草 草地 虫害 虫子 砍 公园 毛毛虫 刮车', en: 'weeds' },
  { c: 'greening', w: 3, zh: '行道树 修剪一下 树冠 公园管理 公园里 枯死 浇水 死了的树 树根 草都 绿化带 树种', en: 'dead tree|leaning tree|courtyard tree|park management' },
  // ------------------------------------------------------------ market 市场监管
  { c: 'market', w: 4, zh: '消费纠纷 退货 换货 退款 预付卡 办卡 会员卡 储值卡 充值卡 商家 价格欺诈 标价 明码标价 虚假宣传 假货 质量问题 无照经营 缺斤短两 短斤少两 计量 电子秤 鬼秤 售后 保修 霸王条款 欺诈 消费者 网购 健身房 美容院 理发店 宰客 乱涨价 以次充好 秤 缺斤 少秤 短秤 八两', en: 'refund|return the|merchant|prepaid card|membership card|stored-value|gym closed|gym has closed|gym shut|overcharged|overcharging|price gouging|false advertising|fake goods|counterfeit|rigged scale|short weight|consumer|after-sales|warranty|shop refuses|store refuses|store refused|shop refused' },
  { c: 'market', w: 3, zh: '年卡 次卡 月卡 季卡 课时卡 瑜伽馆 游泳馆 美甲 按摩店 足疗 洗车卡 商户' },
  { c: 'market', w: 3, zh: '宣传说 能治病 夸大 忽悠 不制冷 质量差 三包 退换 洗衣店 干洗店 会员卡里 结账 标价 短斤少两 坑人 乱收费的店', en: 'sold me|refuses a refund|refused a refund|fake$|defective|faulty product|store credit' },
  { c: 'market', w: 3, zh: '定金 订金 装修公司 家装 收了钱 不赔 理赔 物流 二手车 车商 隐瞒 4s店 金项链 黄金 首饰 手机店' },
  { c: 'market', w: 4, zh: '家政 保姆 月嫂 育儿嫂 家政公司', en: 'housekeeping|nanny agency|cleaning company' },
  { c: 'market', w: 3, zh: '价格高 宰人 翻新机 二手机 驾校 电影院 爆米花', en: 'parcel|delivery company|courier|package$|overpriced' },
  { c: 'market', w: 1.5, zh: '贵 太贵' },
  { c: 'market', w: 2, zh: '跑路 退钱 不退 价格 收费 卖的 买的 店家 商场 质量 关门了 会员' },
  { c: 'market', w: 1.5, zh: '超市', en: 'shop$|store$|price' },
  // ------------------------------------------------------------ food_safety 食品药品安全
  { c: 'food_safety', w: 3, zh: '过期' },
  { c: 'food_safety', w: 3, zh: '小饭馆 厨师 不戴帽子 不戴口罩 熟食 熟食店 感冒药 假药 药是假的 三无食品 三无产品 卫生不合格 吃完 吃了以后 吃坏肚子', en: 'hotpot|ate at|after eating|expired food|fake medicine|unlicensed food stall' },
  { c: 'food_safety', w: 3, zh: '注水肉 病死猪 不新鲜 发臭 馊 馊味 有股味' },
  { c: 'food_safety', w: 3, zh: '农药残留 农残 超标的 蔬菜', en: 'pesticide|fly in it|bug in it' },
  { c: 'food_safety', w: 2, zh: '猪肉 牛肉 羊肉 鸡肉 海鲜 鱼肉 鸡蛋 大米 食用油', en: 'meat|yogurt|milk|eggs' },
  { c: 'food_safety', w: 1.5, zh: '小卖部' },
  { c: 'food_safety', w: 4, zh: '食品安全 餐馆卫生 饭店卫生 餐厅卫生 后厨 卫生许可 无证餐饮 黑作坊 食物中毒 吃坏 拉肚子 腹泻 上吐下泻 过期食品 过期药 变质 发霉 吃出 异物 假药 药品 药店 保健品 地沟油 健康证 食品', en: 'food poisoning|expired|out of date|past its date|spoiled|mouldy|moldy|restaurant hygiene|kitchen is filthy|dirty kitchen|cockroach in|hair in my|bug in my|diarrhea|diarrhoea|food safety|pharmacy|medicine|medicines|unlicensed restaurant|unlicensed food' },
  { c: 'food_safety', w: 2, zh: '食物 饭菜 外卖 餐厅 饭店 饭馆 餐馆 小吃 呕吐 吃了 卫生 食堂 面馆 牛奶 面包 零食 熟食 肉 蔬菜 饮料 酸奶 月饼 蛋糕 奶粉', en: 'restaurant|food$|vomiting|takeaway|takeout' },
  // ------------------------------------------------------------ real_estate_registration 不动产登记
  { c: 'real_estate_registration', w: 4, zh: '房产证 房本 不动产 不动产登记 不动产证 产权证 办证难 办不了证 办不下来证 网签 过户 确权 房产登记 土地证 房屋所有权', en: 'property title|title deed|property certificate|deed$|real estate registration|ownership certificate|property registration|property deed|ownership papers|title certificate' },
  { c: 'real_estate_registration', w: 2, zh: '办证 产权 回迁房 手续不全 办不下来' },
  { c: 'real_estate_registration', w: 3, zh: '房本 办房本 产证 继承的房子 不动产权 权属 登记中心 办理过户', en: 'property title|title certificate|registration centre|registration center' },
  { c: 'real_estate_registration', w: 1.5, zh: '开发商', en: 'title$|registration of' },
  // ------------------------------------------------------------ housing 住房保障与房屋安全
  { c: 'housing', w: 4, zh: '保障房 公租房 廉租房 经适房 共有产权房 保障性住房 租房 房东 租客 房租 中介 房屋押金 租房押金 押金不退 租赁 群租 隔断房 隔断间 打隔断 地下室住人 老旧小区改造 房屋安全 墙体开裂 墙裂 危房 房屋鉴定 住房 轮候 配租 加装电梯 装电梯', en: 'public rental housing|public housing|affordable housing|social housing|landlord|tenant|rent$|rental|deposit|letting agent|estate agent|housing agency|overcrowded flat|overcrowded apartment|overcrowded room|subdivided|cracks in the wall|crack in the wall|cracked wall|dilapidated|elevator retrofit|install an elevator|install a lift|add a lift|add an elevator' },
  { c: 'housing', w: 3, zh: '老旧小区 综合整治 抗震加固 节能改造 外墙 瓷砖 墙皮脱落 掉落 脱落 往下掉 空鼓 危楼 驱逐 赶我走 让我搬走 涨房租 二房东 租金 退租', en: 'evict|eviction|rent increase|tenancy|lease' },
  { c: 'housing', w: 2, zh: '细纹 裂纹 押金 裂缝 开裂 裂了 倒塌 改造 房子 房屋', en: 'crack|cracks|collapse|house' },
  // ------------------------------------------------------------ labor 劳动保障
  { c: 'labor', w: 4, zh: '工资 欠薪 拖欠工资 讨薪 不发工资 欠工资 工钱 劳动合同 社保 五险一金 失业金 失业保险 工伤 辞退 开除 加班费 劳动仲裁 试用期 用人单位 农民工 包工头 养老保险 年终奖 离职 劳务费', en: 'wages|salary|unpaid|owed wages|back pay|labor contract|labour contract|employment contract|social insurance|unemployment benefit|work injury|injured at work|fired|dismissed|overtime|employer|laid off' },
  { c: 'labor', w: 2, zh: '单位 合同 上班 员工 工人' },
  { c: 'labor', w: 1, zh: '公司' },
  { c: 'labor', w: 1, zh: '老板 干活', en: 'company' },
  { c: 'labor', w: 2, en: 'boss|my job' },
  { c: 'labor', w: 3, zh: '没拿到钱 不给钱 干了一年 不签合同 签劳动合同 劳务 工伤 轧伤 厂里 失业保险 社保卡 辞职 被裁 裁员 补偿金 经济补偿 n+1 加班', en: 'owes me|owe me|salary|paycheck|contract$|laid off|compensation' },
  // ------------------------------------------------------------ education 教育
  { c: 'education', w: 4, zh: '学校 入学 入园 幼儿园 小学 初中 中学 学位 学区 学籍 转学 学费 择校 校外培训 培训机构 培训班 补习班 辅导班 课外班 兴趣班 校园 班主任 招生 教育', en: 'school|kindergarten|enrollment|enrolment|admission|school place|tuition|tutoring|training center|training centre|training school|cram school|after-school|teacher|campus' },
  { c: 'education', w: 2, zh: '老师 孩子 学生 培训 上学 放学' },
  { c: 'education', w: 3, zh: '学位房 校服费 资料费 课时费 课时 舞蹈培训 培训 早教 托管班 升学 中考 高考 派位 划片 学区房 就近入学 入学资格 校车', en: 'kindergarten place|school fees|tutoring' },
  { c: 'education', w: 1, zh: '校门口', en: 'student|pupils|class$|classes' },
  { c: 'education', w: 1, zh: '学校门口 学校旁边 学校附近 学校对面 幼儿园门口 幼儿园旁边' },
  { c: 'health', w: 1, zh: '医院门口 医院旁边 医院附近 医院对面' },
  { c: 'greening', w: 1, zh: '公园门口 公园旁边 公园附近 公园对面' },
  { c: 'public_transport', w: 1, zh: '地铁口 地铁站旁 地铁站附近 地铁站门口 公交站旁 公交站附近 公交站旁边' },
  { c: 'market', w: 1, zh: '超市门口 商场门口 超市旁边 商场旁边 超市附近 商场附近' },
  { c: 'food_safety', w: 0.5, zh: '饭店门口 饭馆门口 餐馆门口 饭店旁边 饭店对面' },
  // ------------------------------------------------------------ health 医疗卫生
  { c: 'health', w: 4, zh: '医院 挂号 号贩子 医生 护士 看病 就诊 门诊 医保报销 疫苗 接种 社区卫生服务站 卫生服务中心 卫生服务站 社区医院 卫生院 体检 医疗 住院 手术 大夫 诊所 急诊', en: 'hospital|doctor|nurse|appointment|vaccine|vaccination|jab$|clinic|medical|community health|health centre|health center|outpatient|emergency room' },
  { c: 'health', w: 2, zh: '医保 报销 药费 排队', en: 'health insurance|reimburse' },
  { c: 'health', w: 3, zh: '专家号 号源 刷卡报销 报销比例 hpv 卫生站 病人 患者 输液 检查费 开药 药房 救护车 医务人员', en: 'emergency department|patients|pharmacy at the hospital|gp$|medical bill' },
  // ------------------------------------------------------------ public_security 治安与消防
  { c: 'public_security', w: 4, zh: '邻里纠纷 跺脚 拖椅子 拖桌子 打麻将 可疑人员 可疑 小偷 被盗 盗窃 被偷 偷了 撬锁 撬门 打架 斗殴 打人 殴打 威胁 骚扰 诈骗 传销 赌博 吸毒 消防隐患 火灾隐患 楼道充电 飞线充电 拉线充电 着火 起火 火情 失火 火灾 治安 派出所 民警 狗叫 狗咬 遛狗不拴绳 不拴绳 恶犬 灭火器 消防栓 安全出口 消防设施', en: 'suspicious|stranger|thief|thieves|stolen|theft|burglary|break-in|broke into|fight$|fighting|assault|harass|harassment|fire hazard|fire risk|fire safety|e-bike|ebike|e-bikes|electric bike|electric scooter|charging in the hallway|charging in the corridor|charging in the stairwell|on fire|police|stomping|footsteps|dog barking|barking|fire extinguisher' },
  { c: 'public_security', w: 2, zh: '抽烟 吸烟 狗 邻居 纠纷 电动车 电瓶车 电动自行车 消防 火 报警 警察 偷 吵架 骂人 安全隐患', en: 'neighbour|neighbor|fire$|smoke alarm|dispute' },
  { c: 'public_security', w: 3, zh: '打群架 群架 干架 撬 监控拍到 砸车 砸东西 醉汉 酒鬼 闹事 寻衅 偷窃 扒手 偷东西 被撬 插排 插线板 消防器材 消防设施 烟感 半夜唱歌', en: 'stole|steal|stealing|robbed|pickpocket|drunk|vandal|trespass' },
  { c: 'public_security', w: 4, zh: '恐吓 恐吓信 威胁信 辱骂 泼油漆 堵锁眼 跟踪 偷拍' },
  { c: 'public_security', w: 4, zh: '精神不正常 精神病 疯子 砸窗户 砸玻璃 扔石头 汽油 易燃易爆 危险品 囤积', en: 'dog|dogs$|leash|unleashed|off the lead|attacked|bit my|bitten|petrol|gasoline|explosives' },
  { c: 'public_security', w: 4, zh: '偷快递 偷东西 偷车 被偷走', en: 'stealing packages|steals packages' },
  { c: 'public_security', w: 4, zh: '高空抛物 高空坠物 往下扔 往下掉东西 往下扔东西 抛物 跳楼 轻生 自杀', en: 'throwing things|jump off|suicide' },
  // ------------------------------------------------------------ civil_affairs 民政与养老
  { c: 'civil_affairs', w: 4, zh: '养老 养老院 敬老院 养老服务 独居老人 孤寡老人 空巢老人 低保 救助 困难补助 特困 残疾人 残疾证 残疾补贴 残疾 婚姻登记 结婚登记 离婚登记 结婚证 离婚证 殡葬 墓地 骨灰 丧葬 老年餐桌 助餐 高龄津贴 居家养老 失能 托老 养老驿站', en: 'elderly care|nursing home|old people\'s home|care home|welfare|subsistence allowance|dibao|disability allowance|disabled|disability|marriage registration|register our marriage|funeral|cemetery|lives alone|living alone|elderly man|elderly woman|elderly neighbour|elderly neighbor|senior canteen' },
  { c: 'civil_affairs', w: 4, zh: '独居 孤寡' },
  { c: 'civil_affairs', w: 3, zh: '公墓 陵园 墓 两项补贴 补助 困难家庭 特困人员 优抚 退役军人 敬老 老年卡 养老卡 助浴 助餐 送餐 上门服务 护工', en: 'subsistence|allowance|pension for|orphan|carer' },
  { c: 'civil_affairs', w: 3, en: 'marriage|divorce registration|funeral subsidy' },
  { c: 'civil_affairs', w: 2, zh: '老人 补贴 老年人 高龄 老大爷 老太太 老奶奶 老爷子', en: 'elderly|pensioner' },
  // ------------------------------------------------------------ public_transport 公共交通
  { c: 'public_transport', w: 4, zh: '公交 公交车 公交线路 站牌 地铁 出租车 的哥 网约车 滴滴 打车 拒载 绕路 绕远 班次 末班车 首班车 发车间隔 到站不停 甩站 一卡通 换乘 乘客 司机态度 车站', en: 'bus$|buses|bus stop|bus route|subway|metro|taxi|cab$|ride-hailing|ride hailing|didi|refused to take|took a detour|last bus|bus driver|passenger' },
  { c: 'public_transport', w: 3, zh: '公交站 站点 不按时 不打表 打表 撂下 拉客 黑车 进站 出站 安检 扶梯 地铁里 车厢 站务 公交卡 乘车', en: 'skipped our stop|skipped the stop|fare|meter$|line \\d|bus line|route \\d' },
  { c: 'public_transport', w: 2, zh: '司机 线路 站台 等车', en: 'overcrowded|crowded|rush hour' },
  { c: 'public_transport', w: 1.5, zh: '地铁站', en: 'driver|route' },
  // ------------------------------------------------------------ other 其他
  { c: 'other', w: 4, zh: '表扬 点赞 锦旗 致谢 好评 称赞 落户 户口 护照 出入境 居住证 积分落户 个税 个人所得税 身份证办理 签证', en: 'praise|compliment|well done|great job|hukou|residence permit|passport|visa$|tax return|income tax' },
  { c: 'other', w: 3, zh: '异地就医 备案 新生儿 上户口 办户口 落户 社保转移 公积金提取 出生证明 无犯罪证明 驾照 签证 港澳通行证 吃拿卡要 索要好处', en: 'how to apply|how do i|thanks to the' },
  { c: 'other', w: 1.5, zh: '感谢 建议 咨询 政策 怎么办理 如何办理 需要什么材料 什么条件 申请条件', en: 'thank|thanks|suggest|suggestion|policy|how do i apply|what documents|how can i apply' },

  // ------------------------------------------------------------ broader everyday vocabulary (brainstormed per scope item)
  { c: 'property', w: 3, zh: '物业经理 管家 物业前台 报修单 维修工 物业不作为 物业乱收费 物业合同 业主大会 公共收益 停车收益 屋面防水 防水层 外墙渗水 车库漏水 水箱 蓄水池 可视对讲 电子门 门卫 保安亭 电梯维保 电梯困', en: 'hoa$|concierge|building maintenance|superintendent|management fee|maintenance fee' },
  { c: 'heating', w: 3, zh: '上热下凉 暖气堵 排气阀 放气 暖气管道 供暖管道 地暖管 换热站 供热站 锅炉房 测温 暖气停了 停暖通知 暖气温度 壁挂炉', en: 'heat is off|heating has been off|no heating' },
  { c: 'water_supply', w: 3, zh: '水垢 水碱 白色沉淀 水锈 水有油花 不出水 出不来水 上不来水 临时停水 停水通知 供水时间 自来水浑 黄水 水管冻 水表冻', en: 'water has been cut|water cut off|water stopped|water supply cut' },
  { c: 'drainage', w: 3, zh: '排水不畅 下水慢 疏通 掏下水道 下水口 排水沟 明沟 暗沟 雨水管网 内涝 泡水 淹水 积水成河 粪便外溢 污水冒出', en: 'drainage|waterlogging|drain is blocked|drains are blocked' },
  { c: 'power', w: 3, zh: '电力抢修 电闸跳 空开 保险丝 电表箱 电费异常 预付费电表 充值电费 电费卡 电线私拉 架空线 线缆 计划停电 停电通知 供电不足', en: 'electric meter|power line|power supply|lights went out' },
  { c: 'gas', w: 3, zh: '燃气阀 自闭阀 燃气报警器 燃气热水器 燃气改造 煤改气 燃气开通 通气 燃气用户 燃气欠费 燃气充值 气表', en: 'gas boiler|gas heater|gas valve|gas alarm' },
  { c: 'garbage', w: 3, zh: '垃圾收运 清运车 垃圾楼 垃圾中转站 垃圾箱房 四分类 干垃圾 湿垃圾 可回收物 有害垃圾 撤桶 定时定点 桶前值守 垃圾外溢 垃圾成堆 旧家电 大件家具', en: 'recycling bin|waste collection|garbage collection point|bulky items' },
  { c: 'sanitation', w: 3, zh: '卫生清扫 保洁员 环卫工 扫街 牛皮癣 呕吐物 污物 痰迹 涂鸦 乱贴乱画 蚊蝇滋生 积存垃圾 蛆', en: 'street cleaning|street sweeper|vomit on' },
  { c: 'noise', w: 3, zh: '噪音超标 分贝 施工扰民 夜间作业 噪声污染 音量 外放视频 唱k 蹦迪 低频噪音 嗡嗡声 空调外机噪音 排风扇 冷库 商户噪音 叫卖声 广播声', en: 'decibel|low-frequency|humming noise|generator noise' },
  { c: 'pollution', w: 3, zh: '大气污染 空气污染 异味扰民 腥臭 粉尘污染 烟尘 排放超标 工业废气 污水排放 河流污染 湖水 水体污染 土壤污染 光污染 强光 探照灯 秸秆焚烧 露天烧烤 烧纸 锅炉冒烟 油烟净化器 排烟管道 辐射', en: 'air pollution|water pollution|light pollution|emissions|exhaust fumes|radiation' },
  { c: 'illegal_construction', w: 3, zh: '违章 违规搭建 私自改建 私开门窗 占用绿地建房 临建 活动板房 钢结构 加层 夹层 阁楼 楼顶花园 圈占公共空间 拆违', en: 'rooftop structure|built on the roof|illegal floor' },
  { c: 'street_vending', w: 3, zh: '马路市场 流动商贩 无照游商 推车 三轮车叫卖 占道摆卖 出摊经营 门前三包 店外摆放 灯箱 门头牌匾 落地广告 展板 易拉宝', en: 'street market|mobile vendor|pushcart|sidewalk sale|signboard' },
  { c: 'parking', w: 3, zh: '停车秩序 占道停车 路侧停车 停车泊位 咪表 车位紧张 私装地锁 占车位 长期占用 废旧车辆 电动车乱停 自行车乱停', en: 'parking meter|parking ticket|parking order|parked illegally|illegal parking' },
  { c: 'traffic', w: 3, zh: '撒一路 掉了一路 倒计时 路口设计 车道 掉头口 限高杆 交通标线 公交专用道 非机动车道 自行车道 大车 重型卡车 超载 抛洒 遗撒 路障 占道施工 视线遮挡 反光镜 凸面镜', en: 'bike lane|bus lane|speed bump|road closure|roadblock|heavy trucks|lorries' },
  { c: 'municipal_facility', w: 3, zh: '灯杆 坑槽 沥青 补路 人行道破损 路缘石 无障碍坡道 隔离墩 石墩 桥梁 路名牌 门牌 道路坑洼 路面不平', en: 'curb|kerb|ramp$|street sign|bridge$' },
  { c: 'greening', w: 3, zh: '修枝 移树 补种 枯枝 断枝 树枝折断 病虫害 打药 喷药 花粉 绿篱 灌木 游园 口袋公园 绿地被占 古树 树叶 落叶没人', en: 'pruned|trimmed|shrubs|hedge|saplings|tree roots' },
  { c: 'market', w: 3, zh: '消费者权益 投诉商家 维权 退款难 消费陷阱 强制消费 捆绑销售 虚假广告 计量器具 假冒伪劣 产品质量 售后服务 预付式消费 闭店 营业执照 电商 直播带货 网店 卖家', en: 'consumer rights|seller$|online shop|e-commerce|bait and switch|hidden charges' },
  { c: 'food_safety', w: 3, zh: '餐饮卫生 食品卫生 腐烂 头发 食品经营许可证 添加剂 假酒 医疗器械 餐具消毒 吃出虫 菜里 饭里 汤里', en: 'in my food|in the food|food hygiene|hair in|fly in' },
  { c: 'real_estate_registration', w: 3, zh: '抵押登记 注销抵押 产权人 赠与 面积误差 土地使用证 宅基地确权 安置房办证 房改房 经适房上市 不动产中心', en: 'mortgage registration|ownership transfer|transfer of ownership' },
  { c: 'housing', w: 3, zh: '住房保障 人才公寓 长租公寓 租金 拆迁 征收 拆迁补偿 回迁 安置 棚户区改造 外墙保温 房屋鉴定 甲醛', en: 'demolition|relocation|compensation for the house|landlord\'s|letting' },
  { c: 'labor', w: 3, zh: '劳动报酬 最低工资 解除合同 职业病 劳务派遣 用工 招聘 求职 黑中介 年假 产假 育儿假 工作证明 离职证明 绩效 扣钱', en: 'wage|paid me|unpaid leave|maternity leave|recruitment|job agency' },
  { c: 'education', w: 3, zh: '借读 民办 公办 赞助费 减负 作业多 课后服务 托管 校车 校园安全 校服 教辅 师德 体罚 霸凌 欺凌 学生家长', en: 'homework|bullying|school bus|teacher hit|head teacher|principal' },
  { c: 'health', w: 3, zh: '看病难 医疗纠纷 医疗事故 误诊 家庭医生 药品短缺 急救 救护车 妇幼 儿科 牙科 传染病 消毒 核酸 输液室', en: 'ambulance|misdiagnos|pediatric|dentist|medical dispute' },
  { c: 'public_security', w: 3, zh: '电诈 黄赌毒 卖淫 嫖娼 寻衅滋事 醉酒 尾随 家暴 养狗 大型犬 烈性犬 狗咬人 遛狗 电动车进楼 燃放烟花爆竹 放鞭炮 烟花 鞭炮 无人机 精神病人 肇事', en: 'fireworks|firecrackers|drone|domestic violence|dog bit|dangerous dog|scam|fraud' },
  { c: 'civil_affairs', w: 3, zh: '临时救助 残联 轮椅 离婚 火化 流浪人员 乞讨人员 流浪汉 救助站 孤儿 留守儿童 优待卡 老年优待 社会救助 慈善', en: 'homeless|beggar|orphan|wheelchair|care for the elderly|elderly care|old age' },
  { c: 'public_transport', w: 3, zh: '乘务员 售票员 刷卡乘车 二维码乘车 扫码乘车 议价 定制公交 候车亭 无障碍电梯 地铁线路 公交线路调整', en: 'line \\d+|train$|trains$|carriage|commute|fare$' },
  { c: 'other', w: 3, zh: '户籍 身份证 出入境 税务 公积金提取 车辆年检 小客车摇号 摇号 人才引进 意见 疫情', en: 'id card|tax office|driving licence|driver\'s license|license plate lottery' },
  // ------------------------------------------------------------ more English phrasing
  { c: 'heating', w: 3, en: 'the heat|heat is|heat has|heating season' },
  { c: 'power', w: 3, en: 'sparks|sparking|electrical box|fuse box|socket|breaker|electricity keeps' },
  { c: 'garbage', w: 3, en: 'mattress|old furniture|throw away|dispose of|get rid of' },
  { c: 'sanitation', w: 3, en: 'posting ads|ads on|adverts|leaflets|stickers|covered in litter' },
  { c: 'noise', w: 4, en: 'exhaust fan|fan noise|loud fan|loud machines|loud parties|loud party' },
  { c: 'illegal_construction', w: 3, en: 'enclosed|fenced off|took over the corridor|occupied the corridor|public corridor' },
  { c: 'illegal_construction', w: 4, en: 'load-bearing|load bearing|knocked down a wall|knocked down the wall|knocking down walls' },
  { c: 'street_vending', w: 3, en: 'sellers|fruit seller|vendor|goods on the' },
  { c: 'traffic', w: 3, en: 'high speed|speeding|drive fast|too fast|trucks$|lorry|lorries' },
  { c: 'food_safety', w: 3, en: 'expiry|past its|bakery|bread$|mouldy bread|sell-by' },
  { c: 'public_security', w: 4, en: 'break in|breaking in|tried to get in|prowler|trying the door|burglar' },
  { c: 'property', w: 3, en: 'lift$|lifts$' },
  { c: 'food_safety', w: 3, zh: '降压药 感冒药 处方药 中药 西药 假药 药品质量', en: 'medication|pills$|tablets$|drugstore' },
  { c: 'food_safety', w: 2, zh: '药' },
  { c: 'parking', w: 2, zh: '公共自行车 自行车站点 停放点 自行车停放' },
  { c: 'drainage', w: 3, en: 'rainwater|storm water|stormwater|seeps into' },
  { c: 'power', w: 4, en: 'ev charger|charger$|charging point|charging station|charging pile' },
  { c: 'market', w: 3, en: 'scale$|scales$|rigged|weighing' },
  { c: 'housing', w: 3, en: 'agent charged|agency fee|agent fee|agent\'s fee|rental agent|for a flat|letting fee|fake listing' },
  // ------------------------------------------------------------ tags for boundary rules
  { c: '#leak', w: 1, zh: '冒水 往外冒水 漏到 渗到 流到我家 管子爆 管爆 滋水 水漏 漏水 渗水 漏雨 下雨漏 漏了 滴水 往下滴 往下漏 水管破 水管裂 水管坏 跑水 淹了 泡了', en: 'leak|leaking|dripping|burst pipe|pipe burst|flooded' },
  { c: '#inbuilding', w: 1, zh: '楼上 楼内 楼里 楼道 家里 我家 屋里 室内 天花板 顶棚 卫生间 厨房 单元 墙面 墙上 楼顶 屋顶 顶楼 户内 水管井 管道井 立管 楼下邻居', en: 'upstairs|ceiling|my apartment|my flat|the building|bathroom|kitchen|my home' },
  { c: '#mains', w: 1, zh: '主管道 市政管 管网 马路上 路面 路边 街上 大街 路口 井里 自来水管道 地下管道', en: 'water main|street|road$|main pipe|under the road' },
  { c: '#noise', w: 1, zh: '拍球 跑跳 蹦 砸地 剁馅 敲打 敲墙 咚咚 噪音 噪声 躁音 燥音 吵死 吵得 太吵 好吵 很吵 吵闹 吵人 吵到 声音 动静 响 轰鸣 喇叭 到半夜 大半夜 半夜三更 睡不着 没法睡 睡不好 划拳', en: 'noise|noisy|loud|racket|din$|banging|barking|drill|hammering|all night' },
  { c: '#neighbor', w: 1, zh: '邻居 邻里 楼上 楼下 隔壁 对门 对面楼 跺脚 拖椅子 拖桌子 打麻将 弹琴 唱歌 装修 狗叫 小孩 拍球 孩子在家 小孩跑 蹦跳 脚步 那户 这户 住户 喝酒 划拳', en: 'neighbour|neighbor|upstairs|downstairs|next door|stomping|footsteps|piano|renovat|dog barking|barking' },
  { c: '#construction', w: 1, zh: '工地 施工 打桩 塔吊 搅拌 挖掘机 渣土', en: 'construction|pile driving|pile-driving|excavator|building site|jackhammer' },
  { c: '#commercial', w: 1, zh: '商铺 店铺 商家 门店 店里 店门口 超市 饭店 酒吧 KTV ktv 歌厅 促销 喇叭 音响 大排档 烧烤店 网吧 商场 餐馆 饭馆', en: 'shop|store|bar$|bars$|karaoke|restaurant|mall|promotion|loudspeaker' },
  { c: '#industrial', w: 1, zh: '汽修厂 修理厂 加工厂 工厂 厂房 厂里 机器 鼓风机 冷却塔 发电机 空调外机', en: 'factory|plant$|machinery|generator' },
  { c: '#squaredance', w: 1, zh: '广场舞 广场上跳舞 健身操 跳舞的大妈 大妈们跳舞 大妈跳舞 暴走团', en: 'square danc|dancing' },
  { c: '#security', w: 1, zh: '煤气罐 液化气罐 明火 私拉电线 治安 打架 可疑 消防 电动车 着火 起火 小偷 偷 安全隐患 火灾', en: 'fight|suspicious|fire|theft|e-bike' },
  { c: '#grouprent', w: 1, zh: '群租 隔断', en: 'overcrowded|subdivided' },
  { c: '#training', w: 1, zh: '培训 辅导 补习 课外班 兴趣班 早教 舞蹈班 托管 学画 英语班 编程班', en: 'tutoring|training|cram|after-school|course' },
  { c: '#refund', w: 1, zh: '退费 退钱 退款 跑路 不退 关门 倒闭 卷钱', en: 'refund|closed down|shut down|ran off|disappeared' },
  { c: '#praise', w: 1, zh: '表扬 点赞 锦旗 致谢 好评 称赞 非常感谢 特别感谢 十分感谢 感谢 辛苦了 给力 赞', en: 'praise|compliment|thank|thanks|great job|well done|grateful' },
  { c: '#complaint', w: 1, zh: '投诉 没人管 不管 坏 差 没有 没 不给 不让 不 问题 严重 太 举报 怎么办 影响', en: 'complain|not |no |broken|never|problem|still|won\'t|doesn\'t|didn\'t|can\'t' },
  { c: '#question', w: 1, zh: '请问 咨询 想问 问一下 问问 怎么 如何 哪里 哪儿 在哪 能查 查询 什么时候 多少 是否 吗 么 ？ ?', en: 'how |what |can i|could you|is it' },
  { c: '#firelane', w: 1, zh: '消防通道 消防车道 生命通道', en: 'fire lane|fire exit route|emergency lane|fire access' },
  { c: '#ebike', w: 1, zh: '电动车 电瓶车 电动自行车 电车 电三轮 电动三轮 电池', en: 'e-bike|ebike|electric bike|electric scooter|scooter|battery' },
  { c: '#charging', w: 1, zh: '充电 飞线 拉电线 拉线', en: 'charging|charge' },
  { c: '#indoors', w: 1, zh: '楼道 楼内 楼里 家里 屋里 室内 走廊 楼梯 电梯 过道 单元门口 地下室 家中', en: 'hallway|corridor|stairwell|indoors|inside|stairs|lift|elevator|apartment' },
  { c: '#highfloor', w: 1, zh: '高层 顶楼 楼层高 高楼层 楼上几层 十几层 二十几层 楼内 二次供水 泵 楼以上 层以上 低楼层 低层没事 低楼层没事', en: 'top floor|upper floors|high floor|high-rise' },
  { c: '#pressure', w: 1, zh: '水压 水流小 水流很小 水很小 水流太小 水小 水上不来 上不去水 水上不去 细线 停水 没水', en: 'water pressure|trickle' },
  { c: '#heatingword', w: 1, zh: '暖气 供暖 暖器 暧气 供热 地暖', en: 'heating|radiator' },
  { c: '#vehicle', w: 1, zh: '车 停', en: 'car$|cars$|vehicle|truck|van$|vans$|park on|park in|parks on|parked' },
  { c: '#compound', w: 1, zh: '小区 院里 院内 楼下 单元门口 楼前 楼后', en: 'compound|estate|courtyard|residential' },
  { c: '#road', w: 1, zh: '马路 道路 大街 街上 路上 路边 公路 主路 辅路 胡同', en: 'road|street|avenue' },
  { c: '#greeting', w: 1, zh: '你好 您好 在吗 在不在 有人吗 喂 哈喽 测试 嗨', en: 'hello|hi$|hey$|test$|testing' },
  { c: '#water', w: 1, zh: '水', en: 'water' },
  { c: '#restaurant', w: 1, zh: '烤肉店 烤鸭店 烧烤店 火锅店 饭店 餐馆 饭馆 餐厅 食堂 小吃店 面馆 后厨 饭庄 快餐店 火锅店', en: 'restaurant|noodle|canteen|diner|eatery|cafe|food stall' },
  { c: '#foodhygiene', w: 1, zh: '后厨 厨房 餐具 碗筷 食材 卫生条件 卫生状况 卫生太差 卫生很差 卫生差 卫生特别差 卫生极差 卫生状况差 操作间', en: 'kitchen|dishes|utensils|hygiene' },
  { c: '#dispute', w: 1, zh: '纠纷 矛盾 吵架 吵起来了 协商未果 协商无果 调解 吵起来 争吵 谈不拢', en: 'dispute|quarrel|argument' },
  { c: '#stuff', w: 1, zh: '堆 杂物 东西 物品 纸箱 家具', en: 'junk|clutter|boxes|stuff|furniture' },
  { c: '#hospitalside', w: 1, zh: '医院 门诊 住院 看病 药 医生', en: 'hospital|clinic|doctor' },
  // ------------------------------------------------------------ sixteenth (blind, WeChat-style) set: classes of misses
  // 下水沟/排水沟 are drains (下水道堵塞), not a river (河道污染).
  { c: 'drainage', w: 4, zh: '下水沟 排水沟 阴沟 排水渠', en: 'drainage ditch|gutter' },
  // 公厕 in any wording (厕所 in a park, a market, a lane).
  { c: 'sanitation', w: 3, zh: '厕所 茅房 旱厕 厕纸', en: 'toilets$|restrooms$' },
  // Construction and renovation waste in English (装修垃圾, 建筑垃圾).
  { c: 'garbage', w: 3, en: 'rubble|debris|building waste' },
  // A restaurant's kitchen exhaust is 餐饮油烟.
  { c: 'pollution', w: 4, en: 'kitchen exhaust|exhaust fan|exhaust vent|vents its|smell of grease|grease smell|cooking smell|cooking smells' },
  // Businesses' equipment and English shop words mark a commercial noise source (商业经营噪声).
  { c: '#commercial', w: 1, zh: '排风扇 排风机 风机 冷却塔 鼓风机', en: 'bakery|cafe|café|salon|gym$|supermarket|business' },
  // A household named as such is a neighbour (邻里纠纷).
  { c: '#neighbor', w: 1, zh: '一户人家 这户人家 那户人家 这家人 那家人 那户人 这户人', en: 'a family on|the family on|the family next' },
  // Selling tobacco or alcohol is a market matter, whatever '烟' sounds like.
  { c: 'market', w: 3, zh: '卖烟 卖酒 卖香烟 烟酒 售烟 电子烟 未成年人', en: 'sells cigarettes|selling cigarettes|sells alcohol|to minors' },
  // ------------------------------------------------------------ seventeenth (blind) set: classes of misses
  // 盗窃 in the words of someone who has just been burgled.
  { c: 'public_security', w: 4, zh: '被撬 被人撬 撬开 遭贼 进贼 进了贼 进小偷 入室', en: 'burgled|break-in|broken into|burglary' },
  { c: 'public_security', w: 2, zh: '东西丢了 丢了东西' },
  // 小区设施维修: the compound's cameras that do not work.
  { c: 'property', w: 3, zh: '监控坏 监控都坏 监控是坏 监控不好使 监控不管用 摄像头坏 摄像头都坏' },
  // 公共区域脏乱 in a market or lane.
  { c: 'sanitation', w: 4, zh: '卫生太差 卫生特别差 卫生极差 卫生状况差 脏得要命' },
  // 河道污染 in village words.
  { c: 'pollution', w: 2, zh: '河沟 黑油' },
  // English rubbish that builds up.
  { c: 'garbage', w: 4, en: 'garbage piling|rubbish piling|trash piling|piles of garbage|piles of rubbish|piles of trash|garbage piled|rubbish piled' },
  // ------------------------------------------------------------ eighteenth (blind) set: classes of misses
  // 可疑人员 as residents describe them.
  { c: 'public_security', w: 4, zh: '鬼鬼祟祟 形迹可疑 东张西望 踩点 来回转悠 跟踪', en: 'suspicious|lurking|casing' },
  // 公车 is what many say for 公交车.
  { c: 'public_transport', w: 4, zh: '公车司机 公车上 坐公车 公车站' },
  // 门禁: strangers walking in because the gate does not close.
  { c: 'property', w: 3, zh: '随便进出 随意进出 谁都能进', en: 'gate is broken|gate broke|gate is broke|gate doesn|gate won' },
  // ------------------------------------------------------------ twentieth (blind) set: classes of misses
  // Officialese openings (来电人反映, 来电称) are not the power coming back (来电): the longer phrase is the unit, weight 0.
  { c: 'other', w: 0, zh: '来电人 来电者 来电市民 来电反映 来电称 来电表示 来电咨询 来电求助 来电投诉 来电话 打来电' },
  // 无照经营的市场主体问题 in officialese: the nature and scope of a business, orders to stop and rectify.
  { c: 'market', w: 3, zh: '经营性质 经营范围 超范围经营 停业整改 责令停业 市场主体 个体工商户 工商部门 市场监管局 市场监督管理局' },
  // Prepaid cards by what they buy (健身卡, 美容卡 …) and people hanging about (可疑人员 described): issue 19's blind set E1.
  { c: 'market', w: 4, zh: '健身卡 美容卡 美发卡 理发卡 洗车卡 游泳卡 瑜伽卡 课程卡 年卡 次卡' },
  { c: 'public_security', w: 3, zh: '转悠 转来转去 徘徊 形迹可疑 踩点 盯梢', en: 'loitering|lurking|hanging around' },
  // 预付卡跑路 as people say it (a boss who ran off owing wages stays labour: no 老板跑了 here).
  { c: 'market', w: 4, zh: '卷钱跑 卷款跑 卷钱 卷款 人去楼空 闭店跑路', en: 'ran off with|ran away with|took the money' },
  // 枯树倒伏: a tree blown down in everyday words.
  { c: 'greening', w: 4, zh: '刮倒 吹倒 树倒了 树歪了 倒下的树', en: 'blown down|blew down|knocked over by the wind' },
  // 可疑人员 described by residents.
  { c: 'public_security', w: 4, zh: '不像好人 来回晃悠 瞎晃悠 门口晃悠 楼下晃悠 附近晃悠 晃来晃去 陌生男子 陌生女子 来回溜达', en: 'loitering|looking into windows' },
  // 群租房 described: bunk beds, rooms partitioned, dozens living in one flat or basement.
  { c: 'housing', w: 4, zh: '上下铺 高低床 隔成 隔出 住了十几 住了好几十 几十个人住 群居', en: 'bunk beds|dozens of people live|partitioned' },
  { c: '#grouprent', w: 1, zh: '上下铺 高低床 隔成 隔出 住了十几', en: 'bunk beds|partitioned' },
  // 孤寡老人照护 / 独居老人: living alone in everyday words.
  { c: 'civil_affairs', w: 3, zh: '一个人住 一个人生活 独自生活 独自一人 自己一个人住 无儿无女' },
  // 公厕 and public areas not cleaned, in officialese.
  { c: 'sanitation', w: 3, zh: '无人保洁 没人保洁 保洁不到位 卫生状况较差 卫生状况很差 卫生状况差' },
  // 拆改承重墙: 承重结构 in officialese.
  { c: 'illegal_construction', w: 4, zh: '承重结构 承重柱 承重梁 剪力墙', en: 'load-bearing structure' },
  // Objects blocking a fire lane (not vehicles): fire safety.
  { c: '#stuff', w: 1, zh: '快递柜 柜子 铁门 栅栏 石墩 围栏 货物', en: 'lockers|fence|goods' },
  // A question on how to (re)issue a general document: 政策咨询 → other.
  { c: 'other', w: 1.5, zh: '补办 挂失 换领 申领 换证' },
  // ------------------------------------------------------------ twenty-first (blind) set: classes of misses
  // Businesses that make noise (商业经营噪声) in Chinese too.
  { c: '#commercial', w: 1, zh: '健身房 瑜伽馆 舞蹈室 琴行 棋牌室 网吧 理发店 美容院 洗车店 菜市场 培训机构' },
  { c: 'noise', w: 3, zh: '震天响 震耳欲聋 吵翻天' },
  // 打架斗殴 with a weapon, as told.
  { c: 'public_security', w: 4, zh: '拿着刀 拿刀 持刀 提着刀 举着刀 砍人 行凶 追砍 拿着棍子 拿着棒子', en: 'knife|machete' },
  // A letter that reports a problem: its request words are a complaint, its courtesy (辛苦了, 谢谢) is no praise.
  { c: '#complaint', w: 1, zh: '反映 恳请 希望有关部门 希望相关部门 请有关部门 请相关部门 督促', en: 'please fix|please solve' },
];
