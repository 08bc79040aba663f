/**
 * Urgency and triage.
 *
 * `urgent` is true exactly when one of the taxonomy's `urgent_when` situations
 * applies (or an emergency that belongs to 110/119/120: a risk to life).
 * Urgency class, a fixed rule:
 *   emergency  – urgent (risk to life or property; dispatch within 1 h);
 *   utilities  – otherwise water, power, gas, heating, or extreme weather (2 h);
 *   complex    – otherwise title registration, housing-security applications,
 *                old-compound renovation and lift retrofits, wage arrears of many
 *                workers, or a matter the resident says is years old (15 days);
 *   ordinary   – everything else.
 * Triage: fire → 119, medical emergency → 120, crime in progress → 110,
 * traffic accident → 122; lawsuits → court, labour disputes already in
 * arbitration → arbitration, complaints about officials → 信访 (xinfang).
 */
import type { CategoryCode } from './taxonomy.js';
import { UTILITY_CATEGORIES } from './taxonomy.js';

export type UrgencyClass = 'emergency' | 'utilities' | 'ordinary' | 'complex';
export type TriageKind = 'none' | '110' | '119' | '120' | '122' | 'court' | 'arbitration' | 'xinfang';

export interface Urgency {
  class: UrgencyClass;
  urgent: boolean;
  reason: string;
}

export interface Triage {
  kind: TriageKind;
  message_zh: string;
  message_en: string;
}

export interface UrgentRule {
  category: CategoryCode;
  situation: string; // the urgent_when text it implements
  test: (t: string) => boolean;
}

const re = (r: RegExp) => (t: string) => r.test(t);
const both = (a: RegExp, b: RegExp) => (t: string) => a.test(t) && b.test(t);

/** Words that turn a fire into a fire *risk* (隐患), which is not a fire. */
const RISK_WORDS = /风险|隐患|危险|容易|防止|担心|害怕|怕|万一|可能|会不会|如果|要是|假如|一旦|if |in case|risk|hazard|could|might|afraid|worried|danger/;

const FIRE = /there(?:'s| is| was) a fire|\ba fire (?:in|on|at) (?:my|our|the|a|this)|\bfire (?:in|on) (?:my|our|the) (?:building|flat|apartment|house|home|kitchen|floor|stairwell|corridor|hallway)|(?:stair|hallway|corridor|building|flat|apartment|upstairs|downstairs|room|kitchen|lobby)[^.!?]{0,30}(?:full of|filled with|lots of|clouds of|thick|black) (?:thick )?(?:black )?smoke|(?:lots|clouds|full|filled) (?:of|with) (?:thick )?(?:black )?smoke[^.!?]{0,30}(?:stair|hallway|corridor|building|flat|apartment|upstairs|room|lobby|window)|(?:楼道|楼里|楼内|屋里|家里|房间|走廊|楼梯|单元|窗户)(?:里|内)?(?:全是|都是|满是|冒出|冒着|一片)?(?:浓烟|黑烟|烟雾弥漫|烟)(?![囱头])|哪里着了|着了火|smoke (?:is )?(?:coming|pouring) (?:out|from)|smell(?:s|ing)? (?:something )?burning|(?:屋里|家里|门缝|窗户|楼道|房间).{0,6}冒(?:黑)?烟|着火|起火了|起火啦|失火|火灾发生|发生火灾|烧起来|燃起来|火很大|火势|冒火|明火|起了火|着了火|on fire|fire broke out|(?:house|building|flat|apartment|car|room|kitchen|shop|store|home) (?:is )?(?:on fire|burning)|caught fire|flames/;
const fireNow = (t: string): boolean => {
  const m = FIRE.exec(t);
  if (!m) return false;
  // 点不着火 / 打不着火 is a stove that will not light
  if (/[不没开]$/.test(t.slice(0, m.index))) return false; // 点不着火, 开着火 (a stove left on)
  // a simile: 烟大得像着火了一样
  if (/(?:像|跟|如同|仿佛).{0,3}(?:着火|起火|失火|烧起来)了?(?:一样|似的)/.test(t)) return false;
  const around = t.slice(Math.max(0, m.index - 8), m.index + m[0].length + 8);
  return !RISK_WORDS.test(around);
};

/**
 * An incident told as history: a past-time word and the people already out
 * ("上个礼拜我妈被困在里面四十分钟…最后是消防来救出来的"). Nothing to dispatch now.
 */
const PAST_TIME = /上(?:个)?(?:礼拜|星期|周|月)|去年|前年|以前|之前|上次|那次|前几天|前些天|有一次|last (?:week|month|year|time)|once$|previously/;
const RESOLVED = /救出来|救了出来|被救出|已经出来|后来出来|才出来|最后出来|放出来|rescued|got (?:them |him |her |us )?out/;
const NOW = /(?<!到)现在|正在|还在|还困|目前|此刻|刚刚|刚才|right now|still (?:stuck|trapped)|currently/;
const pastResolved = (t: string) => PAST_TIME.test(t) && RESOLVED.test(t) && !NOW.test(t);

/** A fight that happens "every night" is a standing problem to report, not a fight in progress. */
const HABITUAL = /每天|天天|每晚|每天晚上|经常|总是|老是|常常|时常|三天两头|every (?:night|day|weekend)|often|always/;
const ONGOING = /正在|现在|快来|快点|赶紧|刚刚|刚才|right now|now$|happening/;

/** "还好没砸着人", "没压到车": what did not happen is not the situation. */
const NOT_HIT = /(?:没|没有|未|并未|幸好没|还好没)(?:砸|压|伤)(?:到|着|住|中|伤)?[^，。,.!！;；]{0,8}|(?:nobody|no one) (?:was )?(?:hurt|hit|injured)|(?:didn't|did not) (?:hit|crush|land on)[^,.;]{0,20}/g;

/** A fight told the day after ("昨天晚上有人打架，今天看到血迹") is a report, not a fight to stop. */
const PAST_DAY = /昨天|昨晚|前天|前晚|上(?:个)?(?:礼拜|星期|周|月)|前几天|那天晚上|yesterday|last night|the other day/;

/** Two patterns close together (a long message mentions an old man and, much later, that nobody answers the phone). */
const near = (a: RegExp, b: RegExp, span: number, notAfter?: RegExp) => {
  const ga = new RegExp(a.source, 'g');
  const gb = new RegExp(b.source, 'g');
  return (t: string): boolean => {
  // Cheap rejection first: most messages have neither.
  if (!a.test(t) || !b.test(t)) return false;
  ga.lastIndex = 0;
  gb.lastIndex = 0;
  const pa: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = ga.exec(t))) {
    pa.push(m.index);
    if (m[0].length === 0) ga.lastIndex++;
  }
  if (!pa.length) return false;
  while ((m = gb.exec(t))) {
    const i = m.index;
    if (notAfter && notAfter.test(t.slice(Math.max(0, i - 8), i))) continue;
    if (pa.some((p) => Math.abs(p - i) <= span)) return true;
    if (m[0].length === 0) gb.lastIndex++;
  }
  return false;
  };
};

/**
 * Issue 19's dangers, as vocabulary (not sentences): a gas pipe dug open, people trapped by water,
 * many people poisoned, heating or power lost in extreme weather with vulnerable people at home,
 * a crowd of unpaid workers in conflict.
 */
const GAS = /燃气|煤气|天然气|液化气|\bgas\b/;
/** A pipe broken by a digger or a blow (挖断, 刨破, 碰裂…), and the gas pipe it names. */
const GAS_PIPE_BROKEN = /(?:燃气|煤气|天然气)(?:的)?(?:管|管道|管线|管子|总管|主管|阀门)?.{0,8}(?:挖|刨|铲|碰|撞|砸|钻|压|弄|戳|打|凿)(?:破|断|裂|坏|漏|穿|爆)|(?:挖|刨|铲|碰|撞|砸|钻|压|弄|戳|凿)(?:破|断|裂|坏|漏|穿|爆)了?.{0,8}(?:燃气|煤气|天然气)|(?:燃气|煤气|天然气)(?:管|管道|管线|管子).{0,4}(?:破了|断了|裂了|爆了|裂开|崩了)|gas (?:pipe|line|main|pipeline)s?[^.!?]{0,30}(?:broke|broken|burst|ruptur|damag|cut|hit|crack|leak|hiss|sever|punctur)|(?:broke|broken|burst|ruptur|damag|cut(?: through)?|hit|crack|dug (?:up|into)|struck|sever|punctur)[^.!?]{0,30}gas (?:pipe|line|main|pipeline)/;
/** Gas escaping: it hisses, spurts or pours out. */
const GAS_ESCAPING = /(?:燃气|煤气|天然气|管子|管道|管线).{0,12}(?:冒气|喷气|往外冒|往外喷|呲呲|嘶嘶|滋滋|咝咝|哧哧|呼呼)|(?:嘶嘶|呲呲|滋滋|咝咝|哧哧).{0,12}(?:臭鸡蛋|燃气|煤气|天然气)|(?:臭鸡蛋|燃气|煤气|天然气).{0,12}(?:嘶嘶|呲呲|滋滋|咝咝|哧哧)|hiss(?:ing|es)?[^.!?]{0,40}\bgas\b|\bgas\b[^.!?]{0,40}hiss/;
/** The smell of gas told as rotten eggs (not a drain's), or "gas" between Chinese words (gas味). */
const GAS_SMELL_WORDS = /臭鸡蛋(?:的)?(?:味|气味)|\bgas\s?(?:的)?(?:味|气味)|rotten eggs?/;
const DRAIN_WORDS = /下水|污水|化粪|厕所|马桶|sewer|sewage|drain|toilet/;

/** Water in, and people caught by it (a flooded car park, underpass, basement, a car in deep water). */
const WATER_IN = /进水|灌水|灌进|灌满|灌了|淹|积水|水漫|涌进|泡在(?:水|里)|水没过|没过车顶|水太深|水很深|深水|flood|water (?:is )?(?:pouring|rushing|coming|flowing) in|submerged|under ?water|in the water|deep water/;
const CAUGHT = /被困|困在|困住|出不来|没出来|没上来|上不来|人在里面|还在里面|人在车里|车里有人|车里还有人|在车顶|车顶上|快救人|救救|trapped|stuck (?:in|inside)|still (?:down )?(?:there|inside|in (?:the|his|her|their|my) car)|can(?:'t|not) get out|driver (?:is )?(?:still )?inside|with the driver inside/;

/** Many people at once (a class, a canteen, a wedding table). */
const MANY_PEOPLE = /多人|好几|几个人|几户|多户|全家|一家|十几|几十|二十多|三十多|一群|一大片|一桌|全班|一个班|整个班|好多|很多|不少|大批|们|大家|小朋友|同学|学生|员工|工人|送医|一个接一个|接二连三|several|many|whole family|family|all of us|(?:two|three|four|five|six|several|\d+) of us|everyone|people|friends|colleagues|we (?:all|both)|both of us|all (?:have|had|got)|dozen|kids|children|students|pupils|workers|staff/;

/** Extreme weather now (cold or heat). */
const EXTREME_COLD = /零下|严寒|寒潮|大降温|冰天雪地|这么冷的天|天这么冷|大冷天|数九寒天|三九天|寒冬腊月|(?:^|[^\d\w-])-\s?\d{1,2}(?![\d.])|minus \d|below zero|below freezing|sub-zero|freezing (?:cold|night|outside|weather)|cold snap/;
const EXTREME_HEAT = /高温|酷暑|三十[五六七八九]度|四十(?:多)?度|(?:3[5-9]|4\d) ?(?:度|°|℃)|heat ?wave|scorching|(?:3[5-9]|4\d) ?degrees/;
/** Someone at home who cannot bear it. */
const VULNERABLE = /老人|老年人|老父亲|老母亲|老伴|爷爷|奶奶|姥姥|姥爷|外公|外婆|大爷|大妈|[七八九]十(?:多)?岁|婴儿|宝宝|满月|新生儿|月子|孩子|病人|瘫痪|卧床|孕妇|残疾|elderly|grandparent|grandmother|grandfather|grandma|grandpa|newborn|baby|infant|toddler|(?:mother|father|mum|mom|dad|parent)s? (?:is|are) (?:[7-9]\d|over [7-9]0)|\b[7-9]\d years? old|bedridden|disabled|pregnant/;
const SUFFERING = /冻得|冻病|冻坏|冻伤|冻感冒|哆嗦|发抖|受不了|扛不住|撑不住|撑不了|发烧|生病|病了|中暑|喘不上气|冷得|freezing|shivering|can(?:'t|not) (?:bear|stand|take)|getting sick|fell ill|heatstroke/;
const HEATING_OFF = /停暖|没暖气|没有暖气|没来暖气|不来暖气|暖气没来|暖气还没|没供暖|还没供暖|不供暖|停止供暖|断暖|暖气.{0,6}(?:停|断|坏|没了|不热|灭|凉了|冰凉)|供暖.{0,4}(?:停|断)|no heat|heating.{0,40}(?:off|out|broke|broken|stopped|died|failed|not working|cut|down)|radiators?.{0,20}(?:cold|died|stopped|off|not working|dead)/;
/** Heating gone (not merely weak: 暖气不热 with a cold child is a complaint, not an emergency, unless it is freezing outside). */
const HEATING_LOST = /停暖|没暖气|没有暖气|断暖|不供暖|停止供暖|暖气.{0,6}(?:停|断|坏|没了|灭|冰凉)|供暖.{0,4}(?:停|断)|no heat|heating.{0,40}(?:off|out|broke|broken|stopped|died|failed|not working|cut|down)|radiators?.{0,20}(?:cold|died|stopped|off|not working|dead)/;
const POWER_OFF = /停电|断电|没电|停了电|no power|power (?:cut|outage|failure)|power (?:is |has been |went )?(?:out|off|down)|blackout|electricity (?:is |has been |went )?(?:off|out|cut)/;
const LIFE_SUPPORT = /呼吸机|制氧机|氧气机|吸氧|透析|ventilator|oxygen (?:machine|concentrator)|dialysis/;

/** Unpaid workers, many of them, in conflict. */
const WAGES = /讨薪|欠薪|工资|工钱|薪水|血汗钱|wages|unpaid|owed|salary|salaries|\bpay\b/;
const CROWD = /几十|上百|一群|一帮|一伙|一大帮|好多(?:工人|人)|很多(?:工人|人)|大批|集体|工人们|农民工们|多名|数十|dozens|crowd|group of|many workers|hundreds|a lot of workers|mob/;
const CONFLICT = /聚集|聚了|聚在|聚着|围堵|围了|围住|围着|堵门|堵在|堵着|堵路|推搡|冲突|情绪激动|激动|闹事|打起来|砸|拉横幅|横幅|失控|surround|shout|angry|agitat|block|gather|protest|clash|fight|violent|riot/;

export const URGENT_RULES: UrgentRule[] = [
  { category: 'property', situation: '电梯困人', test: (t) => !pastResolved(t) && ((/电梯|lift|elevator/.test(t) && /被困|困在|困住|困人|困了人|困着人|关在|被关|出不来|下坠|坠落|溜梯|冲顶|失控|trapped|stuck inside|plunged|dropped|stuck in (?:the |an |a )?(?:lift|elevator)/.test(t)) || /电梯困人|困在电梯|困电梯|被困.{0,6}电梯|电梯.{0,8}(?:困|关)(?:了|住|着).{0,3}(?:人|老人|孩子|小孩|我)|电梯.{0,12}(?:卡在|停在|悬在).{0,12}(?:里面|里头|里边)(?:有|还有)|电梯.{0,6}(?:里面|里头|里边|里)(?:有|还有)(?:人|个|位|一个|两个|老人|孩子)|电梯.{0,16}(?:里面|里头|里边)?关着(?:人|一个|两个|几个|老人|孩子|小孩|我)|电梯里出不来|stuck in (?:the |an |a )?(?:lift|elevator)|trapped in (?:the |an |a )?(?:lift|elevator)|(?:lift|elevator).{0,20}(?:trapped|stuck inside)/.test(t)) },
  { category: 'property', situation: '楼内大面积漏水', test: (t) => /整个楼道.{0,6}(?:水|河)|(?:楼道|楼里|楼内|单元|家里|屋里).{0,6}(?:全是水|成河|成了(?:小)?河|积水)|从.{1,3}楼.{0,8}(?:流到|漏到|淹到)|跟河似的|像河一样|(?:楼里|楼内|单元|楼道|家里).{0,6}水管.{0,3}(?:爆|崩|裂开)/.test(t) || both(/漏水|跑水|水管爆|水管裂|淹|水漫|leak|flood|burst/, /大面积|整栋|整个单元|好几层|好几户|多户|水漫金山|流成河|淹了|一直往下流|像下雨|哗哗|whole building|several floors|pouring|everywhere/)(t) },
  { category: 'heating', situation: '严寒天气停暖', test: (t) => (HEATING_OFF.test(t) && EXTREME_COLD.test(t)) || (HEATING_LOST.test(t) && VULNERABLE.test(t) && SUFFERING.test(t)) || both(/停暖|没暖气|没有暖气|没来暖气|不来暖气|暖气没来|暖气还没|没供暖|还没供暖|暖气不热|暖气停|暖气坏|不供暖|停止供暖|断暖|no heat|heating.{0,40}(?:off|out|broken|not working|cut)|radiators? (?:are |is )?cold/, /零下|严寒|寒潮|大降温|降温|冻坏|冻得受不了|冻病|冻伤|below zero|minus|sub-zero|cold snap|below freezing/)(t) },
  { category: 'heating', situation: '暖气管爆裂', test: re(/暖气管.{0,4}(?:爆|裂|崩)|暖气片.{0,4}(?:爆|裂)|暖气.{0,3}爆|(?:radiator|heating pipe).{0,12}burst|burst.{0,12}(?:radiator|heating pipe)/) },
  { category: 'water_supply', situation: '大面积停水', test: both(/停水|没水|断水|不来水|no water|water (?:is |was |has been )?(?:off|cut)|water supply (?:is |was |has been )?(?:cut|off|stopped)/, /大面积|整个小区|全小区|整片|一片|好几个小区|多个小区|几个小区|好几栋|多栋|整栋|全楼|整幢|整条街|全村|整个村|[百千]户|上百户|几百户|\d{2,}户|whole (?:compound|estate|neighbourhood|neighborhood|area|village|building)|several buildings|entire/) },
  { category: 'water_supply', situation: '主管道爆裂', test: re(/(?:水管|管道|管子|water pipe|water main).{0,10}(?:马路|路面|街上|路上|street|road).{0,4}(?:爆|崩|断|burst)|(?:马路|路面|街上|路上|路口|路边|地下).{0,8}(?:水管|管道|管子).{0,4}(?:爆|崩|断)|(?:水管|管道|供水管).{0,4}(?:挖断|爆).{0,12}(?:整条街|马路|路面|没水)|(?:water )?pipe.{0,8}burst.{0,30}(?:street|road)|burst.{0,12}pipe.{0,20}(?:street|road)|主管道.{0,6}(?:爆|裂|破|漏)|(?:自来水|供水|上水)管.{0,4}(?:爆|崩)|爆管|水柱|往外喷水|喷出|water main.{0,12}(?:burst|broke|leak)|burst (?:water )?main|gushing/) },
  { category: 'drainage', situation: '暴雨积水', test: (t) => (WATER_IN.test(t) && CAUGHT.test(t)) || (/暴雨|大暴雨|特大|雨太大|大雨|rainstorm|heavy rain|downpour/.test(t) && /积水|淹|水深|过不去|flood|waterlog|standing water/.test(t)) || /积水.{0,10}(?:没过|过膝|到膝|齐腰|淹没)|(?:车|人).{0,4}被淹|knee-deep|waist-deep/.test(t) },
  { category: 'drainage', situation: '污水倒灌进屋', test: re(/倒灌|(?:污水|脏水|臭水|粪水|下水道的水|下水).{0,10}(?:进屋|进家|漫进|流进|灌进|冒进|(?:漫|流|淹|冒|灌|返)(?:到|进)?.{0,3}(?:屋|家里|客厅|卧室|房间|室内|厨房))|(?:屋里|家里|室内).{0,8}污水|返到屋|(?:污水|脏水|臭水|粪水).{0,8}(?:从)?.{0,6}(?:地漏|马桶|下水口|水池).{0,3}(?:返|冒|涌|溢)(?:上来|出来|进来)|sewage.{0,60}(?:into|in) (?:my|the|our) (?:home|house|flat|apartment|room)|backing up into/) },
  { category: 'power', situation: '电线起火', test: re(/(?:电线|电箱|配电箱|变电箱|变压器|电缆|电表箱|配电室).{0,6}(?:起火|着火|冒火|打火|火花|冒烟|烧着|烧了)|(?:wire|wires|cable|power line|electrical box|fuse box|meter box|socket).{0,20}(?:on fire|sparking|sparks|burning|smoking)|sparks? (?:are |is )?(?:coming|flying) (?:from|out)/) },
  { category: 'power', situation: '电线落地', test: re(/电线.{0,6}(?:落地|掉|垂到|垂落|垂地|断了|拖地|拖在地|在地上|落在地|掉在地)|电线杆.{0,4}(?:倒|断)|高压线.{0,6}(?:断|掉|落)|(?:wires?|power lines?|cables?).{0,12}(?:down|on the ground|fallen|hanging down to|lying)|downed (?:wire|power line)/) },
  { category: 'power', situation: '极端天气停电危及老人病人', test: (t) => POWER_OFF.test(t) && (LIFE_SUPPORT.test(t) || ((EXTREME_COLD.test(t) || EXTREME_HEAT.test(t)) && (VULNERABLE.test(t) || SUFFERING.test(t)))) },
  { category: 'power', situation: '大面积停电', test: both(/停电|没电|断电|no power|power(?:'s| has| is| has been| was)? .{0,10}(?:out|off|cut)|power out|blackout/, /大面积|整个小区|全小区|整片|一片|好几个小区|多个小区|好几栋|多栋|整条街|全村|整个村|whole (?:compound|estate|neighbourhood|neighborhood|area|village|street)|several buildings|entire/) },
  { category: 'gas', situation: '闻到燃气味', test: (t) => (GAS_SMELL_WORDS.test(t) && (!DRAIN_WORDS.test(t) || GAS.test(t))) || re(/(?:燃气|煤气|天然气)\s?gas.{0,3}味|(?:燃气|煤气|天然气|液化气)(?:的)?(?:味|气味)|闻到.{0,4}(?:燃气|煤气|天然气)|(?:smell|smells|smelled|smelt|smelling)(?: (?:strongly|badly|really|so much|a lot))?(?: of| like)? (?:gas|something like gas)|(?:strong |terrible |bad )?gas smell|smell of gas/)(t) },
  // "担心漏气", "万一泄漏": a worry about a leak is not a leak (rusty pipes are reported, not evacuated).
  { category: 'gas', situation: '燃气泄漏', test: (t) => !/(?:担心|害怕|怕|万一|会不会|可能会|容易|防止|预防|以防|worried|afraid|in case|could)\S{0,4}(?:漏气|泄漏|泄露|漏了|leak)/.test(t) && (GAS_PIPE_BROKEN.test(t) || GAS_ESCAPING.test(t) || /(?:燃气灶|煤气灶|灶).{0,6}(?:开着|没关).{0,10}(?:人不在|没人|不在家)/.test(t) || re(/(?:燃气|煤气|天然气|液化气).{0,6}(?:泄漏|泄露|漏气|漏了|在漏)|漏气|gas (?:is )?leak|leaking gas|gas escaping/)(t)) },
  { category: 'noise', situation: '深夜施工持续扰民', test: both(/施工|打桩|工地|电钻|切割|construction|pile|building site|drilling/, /深夜|半夜|凌晨|夜里|夜间|一宿|整宿|通宵|睡不着|睡不著|没法睡|晚上.{0,12}(?:一直|持续|不停|整晚)|晚上1[0-2]点|十一点|十二点|后半夜|通宵|整夜|all night|through the night|overnight|midnight|late at night|[1-3] ?am|every night|overnight|at night/) },
  { category: 'pollution', situation: '化学品泄漏', test: re(/化学.{0,6}(?:流|洒|撒|漏|泄)|罐车.{0,6}(?:侧翻|翻了|翻车|漏)|化学品.{0,6}(?:泄漏|泄露|洒|漏)|(?:化工|危化|有毒|农药|硫酸|盐酸|液体|气体).{0,6}(?:泄漏|泄露)|chemical (?:leak|spill)|toxic (?:leak|spill|gas)/) },
  { category: 'pollution', situation: '大面积异味致人不适', test: (t) => /异味|怪味|味道|臭|刺鼻|恶臭|臭气|气味|毒气|烟|smell|stench|fumes|smoke|odou?r/.test(t) && /头晕|头疼|头痛|恶心|想吐|呕吐|喘不上气|喘不过气|呼吸困难|不舒服|不适|咳嗽|睁不开眼|眼睛疼|嗓子疼|dizzy|nause|headache|can't breathe|cannot breathe|vomit|sick|eyes|throat|sting/.test(t) && /很多人|好多人|不少人|多人|大家|居民们|居民都|整个小区|整栋|一片|周边|附近的人|全村|许多|people|residents|everyone|neighbours|neighbors|\bus\b|头晕|呕吐|晕倒|昏|呼吸困难|喘不上气|喘不过气|dizzy|vomit|can't breathe|cannot breathe|faint|eyes are burning|burning eyes/.test(t) },
  { category: 'illegal_construction', situation: '拆改承重墙危及安全', test: re(/(?:拆|砸|打|凿|改|挖|掏).{0,4}承重(?:墙|结构|柱|梁)|承重(?:墙|结构|柱|梁).{0,6}(?:拆|砸|打掉|凿|改|掏|挖)|(?:knock|tear|tore|remov|demolish|tak).{0,60}load[- ]bearing|load[- ]bearing.{0,40}(?:knock|remov|demolish|tore|torn)/) },
  { category: 'parking', situation: '堵塞消防通道', test: re(/消防车.{0,6}(?:进不来|进不去|过不去|开不进|进不了)|fire (?:engine|truck)s? (?:can't|cannot|couldn't) (?:get|come) (?:in|through)|(?:堵|占|挡|停).{0,8}(?:消防通道|消防车道|生命通道)|(?:消防通道|消防车道|生命通道).{0,14}(?:堵|占|停满|被停|挡|进不去|过不去)|(?:block|obstruct|park).{0,25}(?:fire lane|fire access|emergency lane)|fire lane.{0,20}(?:blocked|obstructed)/) },
  { category: 'traffic', situation: '信号灯全部失灵', test: re(/(?:信号灯|红绿灯|交通灯).{0,8}(?:全部|全都|都|全)(?:失灵|不亮|灭|坏|黑)|(?:全部|所有|整个路口).{0,6}(?:信号灯|红绿灯|交通灯).{0,6}(?:失灵|不亮|灭|坏)|(?:all|every) (?:the )?(?:traffic )?(?:lights|signals).{0,12}(?:out|dead|off|not working|broken)|traffic lights? (?:are |is )?(?:all )?(?:completely )?(?:out|dead)/) },
  { category: 'municipal_facility', situation: '井盖缺失', test: re(/井盖.{0,10}(?:丢|没了|没有了|缺失|不见了|偷|被盗|翻了|掉下去|碎了|压碎|窟窿|大洞)|没盖的井|没有盖的井|井没盖|掉进.{0,6}井|(?:没有|没|缺|少了).{0,2}井盖|(?:missing|stolen|open|uncovered).{0,10}manhole|manhole.{0,15}(?:missing|gone|open|uncovered|stolen|不见|没了|丢|被偷)|manhole.{0,60}(?:cover (?:is |was |has been )?(?:missing|gone|stolen|removed)|no cover|without (?:a )?cover)/) },
  { category: 'municipal_facility', situation: '路面塌陷', test: re(/塌陷|地陷|路塌|路面.{0,4}塌|马路.{0,4}塌|路.{0,2}塌了|塌了.{0,4}(?:洞|坑)|塌了个|塌出|sinkhole|(?:road|pavement|sidewalk|street|ground).{0,20}collapsed|collapsed (?:road|pavement)|cave-?in|road cave/) },
  { category: 'greening', situation: '大树倒伏压人压车', test: (t) => !/咋办|怎么办|万一|担心|害怕|会不会|可能会|what if|could fall/.test(t) && ((t = t.replace(NOT_HIT, '，')), /树|枝|tree|branch/.test(t) && /(?:砸|压)(?:到|住|伤|坏|中|在|了|倒)?.{0,8}(?:人|车|房|屋|棚)|(?:fell|fallen|falling|crushed|landed|came down).{0,30}(?:car|person|people|someone|house|roof|pedestrian)/.test(t)) }, 
  { category: 'food_safety', situation: '食物中毒', test: re(/食物中毒|食品中毒|吃.{0,8}中毒|集体中毒|food poisoning/) },
  { category: 'food_safety', situation: '多人呕吐腹泻', test: (t) => /一个接一个(?:地)?(?:吐|拉|呕)|接二连三(?:地)?(?:吐|拉|呕)|集体(?:呕吐|腹泻|拉肚子)/.test(t) || both(/呕吐|腹泻|拉肚子|上吐下泻|吐了|吐得|vomit|diarrh|got sick|fell ill|taken to hospital/, MANY_PEOPLE)(t) || both(/呕吐|腹泻|拉肚子|上吐下泻|吐了|vomit|diarrh/, /多人|好几|几个人|几户|多户|全家|一家|十几|几十|一群|们|大家|都(?:上吐|吐|拉|腹泻)|送医|several|many|whole family|family|all of us|(?:two|three|four|five|six|several|\d+) of us|everyone|people|friends|colleagues|we (?:all|both)|both of us|all (?:have|had|got)/)(t) },
  { category: 'housing', situation: '房屋开裂有倒塌风险', test: both(/开裂|裂缝|裂了|裂开|墙裂|危房|倾斜|(?:地基|房子|房屋|楼房|整栋楼|墙体?).{0,3}下沉|crack|tilting|(?:house|building|foundation).{0,10}sinking/, /倒塌|塌|垮|掉渣|掉块|摇晃|危险|越来越大|随时|下沉|往下沉|歪|变形|collapse|dangerous|falling apart|getting bigger|getting wider|widening|growing|unsafe|leaning|tilting|huge cracks|sinking|bulging/) },
  { category: 'labor', situation: '讨薪聚集', test: (t) => (WAGES.test(t) && CROWD.test(t) && CONFLICT.test(t)) || /讨薪|欠薪|工资|wages|paid/.test(t) && /聚集|围堵|围在|围着|堵门|堵在|拉横幅|横幅|集体讨|一起讨|一起去|群体讨|gathered|gathering|crowd|protest|blocking the gate/.test(t) },
  { category: 'public_security', situation: '火情', test: fireNow },
  { category: 'public_security', situation: '打架斗殴', test: (t) => !((HABITUAL.test(t) || PAST_DAY.test(t)) && !ONGOING.test(t)) && re(/打群架|群架|干架|打架|斗殴|打起来|打人|互殴|群殴|持刀|拿刀|拿着刀|提着刀|举着刀|砍人|动刀|挥刀|追砍|fight(?:ing)?\b|brawl|assault|attacking|with a knife|stabb/)(t) },
  { category: 'public_security', situation: '电动车楼内充电起火风险', test: (t) => /电动车|电瓶车|电动自行车|电车|电三轮|电动三轮|电池|e-?bike|electric (?:bike|scooter)|scooter|batter/.test(t) && (/飞线|拉线|拉电线|楼道|楼内|楼里|家里|屋里|室内|走廊|楼梯|过道|电梯|推上楼|搬上楼|hallway|corridor|stairwell|indoors|inside|upstairs|lift|elevator|apartment|flat/.test(t) && /充电|充着|charg|plugged/.test(t.replace(/(?:没有|没|不|未|禁止|不准|不让|not|no|isn't|aren't|without) ?(?:在)?(?:充电|charging)/g, ''))) },
  // The old person and the silence in the same breath: in a long message "老人摔了…找物业…到现在也没动静" is the property manager's silence.
  { category: 'civil_affairs', situation: '独居老人失联', test: (t) => near(/独居|孤寡|空巢|一个人住|一个人生活|独自一人|自己住|老人|老大爷|老太太|大爷|大妈|奶奶|爷爷/, /失联|联系不上|好几天没|几天没|天没动静|没动静|没有动静|敲门也不开|敲门不开|不开门|没见(?:着|到)?.{0,4}(?:出门|人|他|她)|没出门|敲门没人|敲门不应|没人应|没开门|电话不接|打不通/, 24, /投诉|反映|报修|物业|报上去|回复|部门|找了|打了|催了/)(t) || near(/elderly|old man|old woman|old lady|lives alone|living alone/, /not seen|haven't seen|hasn't been seen|nobody has seen|no one has seen|not been seen|no answer|answer(?:ed|ing)? the door|not answering|can't reach|cannot reach|missing/, 60)(t) },
];

// ---------------------------------------------------------------- triage

const T119 = fireNow;
const T120 = /晕倒|昏倒|昏迷|晕过去|不省人事|没有呼吸|没呼吸|没了呼吸|心脏病|心梗|脑梗|中风|抽搐|大出血|流了很多血|血流不止|受重伤|伤得很重|摔倒.{0,6}起不来|倒地不起|叫不醒|口吐白沫|unconscious|fainted|collapsed on|passed out|not breathing|heart attack|stroke|bleeding heavily|seriously injured|badly hurt|seizure/;
const FIGHT = /打群架|群架|干架|打架|斗殴|打起来|打人|互殴|群殴|fight(?:ing)?\b|brawl/;
const T110 = /跳楼|轻生|自杀|要跳下|jump(?:ing)? off|suicid|持刀|拿刀|拿着刀|提着刀|举着刀|砍人|动刀|挥刀|抢劫|抢包|抢东西|正在偷|正在撬|入室|家暴|绑架|劫持|砸店|砸车|行凶|杀人|robbery|robbing|mugging|break-in in progress|breaking in|someone is breaking|with a knife|stabb|domestic violence|kidnap/;
const T122 = /车祸|撞车|追尾|剐蹭|交通事故|被车撞|撞了人|撞人|撞到人|撞倒(?:了)?(?:人|行人|老人|孩子)|翻车|car accident|car crash|traffic accident|hit by a car|knocked down by|crashed into|collision/;
const COURT = /法院|判决|裁定书|诉讼|打官司|起诉|强制执行|立案庭|lawsuit|sued|sue (?:them|him|her|the)|court ruling|court case|judgment|in court/;
const ARBITRATION = /(?:已经|已|正在|在|申请了|提起了?|提交了?)(?:申请)?(?:劳动)?仲裁|仲裁(?:中|委|庭|裁决|结果|阶段|已经|开庭)|仲裁.{0,6}(?:受理|立案|开庭)|(?:in|filed for|applied for|started|pending) (?:labou?r )?arbitration|arbitration (?:case|hearing|award|is pending|tribunal)/;
const XINFANG = /信访|上访|(?:举报|投诉|反映).{0,10}(?:干部|官员|领导|书记|主任|局长|科长|镇长|街道主任|公务员|工作人员.{0,4}(?:受贿|索贿|贪污))|贪污|腐败|受贿|索贿|行贿|渎职|滥用职权|corruption|corrupt official|bribe|official.{0,20}(?:abuse|misconduct)|petition office/;

const TRIAGE_TEXT: Record<Exclude<TriageKind, 'none'>, { zh: string; en: string }> = {
  '119': { zh: '如有火情，请立即拨打119火警电话并撤离到安全地带。我们已记录您的反映。', en: 'If there is a fire, call 119 now and get to safety. We have recorded your report.' },
  '120': { zh: '如有人身体危急，请立即拨打120急救电话。我们已记录您的反映。', en: 'If someone needs urgent medical help, call 120 now. We have recorded your report.' },
  '110': { zh: '如正在发生违法犯罪或危及人身安全，请立即拨打110报警。我们已记录您的反映。', en: 'If a crime is happening or someone is in danger, call 110 now. We have recorded your report.' },
  '122': { zh: '发生交通事故请拨打122交通事故报警电话，如有人员受伤请同时拨打120。我们已记录您的反映。', en: 'For a traffic accident call 122 (and 120 if anyone is hurt). We have recorded your report.' },
  court: { zh: '已进入或需要通过诉讼解决的事项，请向人民法院提出；12345可为您提供咨询指引。', en: 'Matters in or for litigation go to the people\'s court; we can point you to the right court.' },
  arbitration: { zh: '已申请劳动仲裁的事项，请关注仲裁委员会的处理进度；如有新情况可补充反映。', en: 'A labour dispute already in arbitration is decided by the arbitration committee; please follow up there.' },
  xinfang: { zh: '涉及对公职人员的检举、控告等信访事项，请通过信访渠道（信访办/网上信访）反映。', en: 'Complaints and reports about public officials are handled through the petition (信访) channel.' },
};

export function triageFor(t: string): Triage {
  let kind: TriageKind = 'none';
  if (T119(t)) kind = '119';
  else if (T120.test(t)) kind = '120';
  else if (T110.test(t) || (FIGHT.test(t) && !((HABITUAL.test(t) || PAST_DAY.test(t)) && !ONGOING.test(t)))) kind = '110';
  else if (T122.test(t)) kind = '122';
  else if (ARBITRATION.test(t)) kind = 'arbitration';
  else if (COURT.test(t)) kind = 'court';
  else if (XINFANG.test(t)) kind = 'xinfang';
  if (kind === 'none') return { kind, message_zh: '', message_en: '' };
  const m = TRIAGE_TEXT[kind];
  return { kind, message_zh: m.zh, message_en: m.en };
}

/** The urgent_when situations that apply to the text (any category). */
/**
 * A worry or a hypothesis is not the situation ("万一电梯困人怎么办", "担心暖气管爆裂", "怕下暴雨又积水"):
 * the clause after such a word is left out before the rules run, except for the situations that
 * are a risk by definition (charging indoors, a cracked house, a load-bearing wall, an open manhole).
 */
const HYPOTHETICAL = /(?:担心|害怕|生怕|怕是|怕|万一|会不会|如果|要是|假如|一旦|以防|防止|预防|worried (?:that|about)|afraid (?:that|of)|what if|in case|if (?:the|a|it))[^，。,.!！?？；;\n]{0,16}/g;
const RISK_SITUATIONS = new Set(['电动车楼内充电起火风险', '房屋开裂有倒塌风险', '拆改承重墙危及安全', '井盖缺失', '路面塌陷']);

export function urgentSituations(t: string): UrgentRule[] {
  HYPOTHETICAL.lastIndex = 0;
  const real = HYPOTHETICAL.test(t) ? t.replace(HYPOTHETICAL, '，') : t;
  HYPOTHETICAL.lastIndex = 0;
  return URGENT_RULES.filter((r) => r.test(RISK_SITUATIONS.has(r.situation) || real === t ? t : real));
}

const EXTREME_WEATHER = /暴雨|暴雪|寒潮|大风|冰雹|高温|台风|沙尘暴|雷暴|rainstorm|blizzard|heatwave|heat wave|snowstorm|cold snap|typhoon/;
const MANY_WORKERS = /农民工|工人们|几十个?(?:工人|人)|上百|一群|集体|多名|十几个?(?:工人|人)|好多工人|很多工人|全体|整个(?:工地|班组|公司)|dozens of|many workers|all the workers|workers/;
const LONG_STANDING = /多年|好几年|几年了|十几年|二十年|历史遗留|遗留问题|一直没解决|反映多次|多次反映|长期|for years|years ago|long-standing/;
const HOUSING_COMPLEX = /保障房|公租房|廉租房|经适房|共有产权|保障性住房|轮候|配租|老旧小区改造|加装电梯|装电梯|public rental|affordable housing|public housing|elevator retrofit|install (?:an elevator|a lift)/;

/** Urgency class and flag for a categorised message. */
export function urgencyFor(t: string, category: CategoryCode, triage: Triage, situations: UrgentRule[] = urgentSituations(t)): Urgency {
  // Prefer a situation of the message's own category for the reason.
  const own = situations.find((s) => s.category === category) ?? situations[0];
  if (own) return { class: 'emergency', urgent: true, reason: `urgent_when: ${own.situation}` };
  if (triage.kind === '119' || triage.kind === '120' || triage.kind === '110') {
    return { class: 'emergency', urgent: true, reason: `emergency for ${triage.kind}` };
  }
  if (triage.kind === '122' && /受伤|流血|伤者|人被撞|撞了人|撞人|撞倒(?:了)?(?:人|行人|老人|孩子)|injur|hurt|bleeding/.test(t)) {
    return { class: 'emergency', urgent: true, reason: 'traffic accident with injuries' };
  }
  if (UTILITY_CATEGORIES.has(category)) return { class: 'utilities', urgent: false, reason: `utility: ${category}` };
  if (EXTREME_WEATHER.test(t)) return { class: 'utilities', urgent: false, reason: 'extreme weather' };
  if (category === 'real_estate_registration') return { class: 'complex', urgent: false, reason: 'title registration backlog' };
  if (category === 'housing' && HOUSING_COMPLEX.test(t)) return { class: 'complex', urgent: false, reason: 'housing security or renovation programme' };
  if (category === 'labor' && MANY_WORKERS.test(t)) return { class: 'complex', urgent: false, reason: 'wage arrears of many workers' };
  if (LONG_STANDING.test(t)) return { class: 'complex', urgent: false, reason: 'long-standing matter' };
  return { class: 'ordinary', urgent: false, reason: 'no urgent situation' };
}
