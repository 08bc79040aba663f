/**
 * What the resident wants (issue 19: not every message is a problem):
 *   problem    – something to dispatch (the default);
 *   praise     – thanks or praise, with no complaint left in it;
 *   suggestion – a suggestion about the service itself (the bot, the hotline, replies);
 *   consult    – a question about policy or procedure (政策咨询: tax, allowances, fees, how to apply),
 *                with no problem reported: it needs no place;
 *   abuse      – insults aimed at the service, with no problem told.
 * Vocabulary, not sentences; an emergency or a triage case is always a problem.
 */

export type Intent = 'problem' | 'praise' | 'suggestion' | 'consult' | 'abuse';

/** Something is wrong somewhere (a problem word), which no thanks or question makes a non-problem. */
const PROBLEM =
  /坏了|坏掉|坏的|损坏|不亮|漏水|漏气|漏了|堵了|堵塞|堵着|吵|噪音|噪声|扰民|脏|臭|乱停|乱扔|乱堆|乱贴|乱收费|没人管|不管|没人修|投诉|举报|拖欠|欠薪|不退|不给退|违章|违建|私搭|停水|停电|停暖|没水|没电|不热|积水|冒烟|着火|危险|隐患|塌|裂|被偷|偷了|骗|强制|威胁|占用|占道|一直没|没发|未发放|没到账|还没到|少报|不给报|停气|往下掉|掉下来|脱落|不透明|不合理|砸到|broken|leak|noisy|noise|dirty|blocked|not working|doesn't work|complain|overflow|smell|stink|illegal|dangerous|stolen/;
/** The problem has been dealt with (thanks for a repair). */
const RESOLVED = /已经?(?:修好|解决|处理|清理|清走|弄好|恢复|热了|来了|通了|好了|拉走|收走)|修好了|解决了|处理好了|办好了|弄好了|清理干净|恢复正常|(?:fixed|solved|resolved|repaired|cleaned|collected|restored)\b|is clean now|works now|working again/;
/** A request still open: a letter's courtesy around a complaint ("希望…管一管，谢谢", "麻烦给协调一下，谢谢") is no praise. */
const STILL_ASKING = /但是|可是|不过|还是没|仍然|仍未|还没|到现在|一直|又坏|希望|麻烦|恳请|督促|反映|请.{0,4}(?:尽快|帮忙|帮我|处理|解决|派人|维修|来人|协调|解答)|给(?:解答|协调|处理)|\bbut\b|\bstill\b|\bagain\b|please/;
const RELAPSE = /又坏|又不|又开始|但是|可是|不过|\bbut\b|\bagain\b/;
/** Praise that is more than a letter's closing formula. */
const STRONG_PRAISE = /表扬|点赞|点个赞|好评|锦旗|效率(?:真|很|挺|特别)?高|服务(?:真|很|特别)好|态度(?:真|很|特别)好|太感谢了|great job|good job|well done|kudos|praise|compliment|thank you so much|much appreciated/;
const THANKS = /谢谢|感谢|多谢|太感谢|表扬|点赞|点个赞|好评|辛苦了|锦旗|给力|效率(?:真|很|挺|特别)?高|服务(?:真|很|特别)好|态度(?:真|很|特别)好|thank|thanks|appreciate|great job|good job|well done|kudos|grateful|responsive/;

/** Suggestions about the service itself (its channel, replies, features), not about a place. */
const SUGGEST = /建议|希望|能不能|可不可以|能否|最好|要是能|如果能|suggest|would be (?:nice|great|better|helpful)|please add|could you add|wish|it would help/;
const SERVICE = /你们|机器人|平台|系统|小程序|功能|客服|热线|12345|回复|答复|服务|英文|英语|语音|进度|查询|\bbot\b|\bapp\b|service|feature|reply|replies|response|english|language|interface/;

/** Policy and procedure questions (咨询): how to apply, what it costs, who is eligible. */
const CONSULT =
  /怎么(?:填|申请|办理|办|交|缴|领|报|查|分配|算|弄|补办|提取|认定)(?!了)|如何(?:办理|申请|缴纳|领取|查询|提取|认定|计算)|需要(?:什么|哪些)(?:材料|手续|条件|证件)|(?:去|到|在)哪(?:里|儿)?(?:办|申请|领|交|缴|补办)|(?:交|缴|领|发|补|涨|报销|减免|扣除)(?:多少|几个月|几年|几次)|多少(?:钱|岁|年)|(?:什么|哪些)条件|申请条件|有没有(?:补贴|政策|优惠)|能(?:不能|否)(?:领|申请|办|享受|报销|减免)|是否(?:可以|能)|可以(?:减免|报销|领|申请|办)吗|(?:涨|降|调整|变)了吗|政策|补贴|津贴|标准是|流程|怎么收费|收费标准|什么时候(?:上门|开始|发放|能办)|how (?:do|can|should) (?:i|we)|how much|how long does|what is the (?:policy|rule|fee|procedure)|what are the (?:rules|requirements)|am i eligible|eligib|is there a (?:subsidy|policy|allowance)|does beijing have|requirements? for|apply for|how to apply|renew/;

/** Insults aimed at the service. */
const ABUSE = /废物|垃圾(?:12345|热线|政府|部门|客服|机器人|平台|服务)|去死|滚(?:蛋|开|吧|！|!|$)|傻[逼比x×b]|\bsb\b|白痴|脑残|蠢货|饭桶|吃干饭|拿着工资不干活|你妈|操你|\bfuck|idiot|useless|stupid|moron|shut up|dumb bot|piece of (?:shit|crap)/;

export interface IntentEvidence {
  /** normalised text */
  t: string;
  /** an urgent_when situation or a triage case applies */
  danger: boolean;
  /** the strongest category score of the lexicon (0 = no category word) */
  topScore: number;
}

export function intentFor({ t, danger, topScore }: IntentEvidence): Intent {
  if (danger || !t) return 'problem';
  const problem = PROBLEM.test(t);
  if (ABUSE.test(t) && topScore < 5) return 'abuse';
  if (THANKS.test(t) && ((RESOLVED.test(t) && !RELAPSE.test(t)) || (!STILL_ASKING.test(t) && (STRONG_PRAISE.test(t) || (!problem && topScore < 3))))) return 'praise';
  if (problem) return 'problem';
  if (SUGGEST.test(t) && SERVICE.test(t) && topScore < 3 && !STILL_ASKING.test(t)) return 'suggestion';
  if (CONSULT.test(t)) return 'consult';
  return 'problem';
}
