/**
 * Every sentence the bots say, in Chinese and English. Kept in one place so a
 * change of wording never needs a change of logic.
 */
import type { SafetyKind } from '../core/workflow/safety.js';

export type Lang = 'zh' | 'en';
export const langOf = (v: string | null | undefined): Lang => (v === 'en' ? 'en' : 'zh');

const STATUS: Record<string, [string, string]> = {
  received: ['已受理', 'received'],
  needs_info: ['待补充信息', 'waiting for your information'],
  dispatched: ['已派单', 'sent to the department'],
  accepted: ['部门已签收', 'accepted by the department'],
  in_progress: ['办理中', 'in progress'],
  resolved: ['已办结，待评价', 'answered, waiting for your rating'],
  rated: ['已评价', 'rated'],
  closed: ['已结案', 'closed'],
  returned: ['重新派单中', 'being re-routed'],
  reopen_requested: ['重办审核中', 'reopening under review'],
  reopened: ['已重办', 'reopened'],
  merged: ['已合并', 'merged'],
  withdrawn: ['已撤回', 'withdrawn'],
  redirected: ['已转其他渠道', 'redirected'],
};
export const statusText = (s: string, l: Lang) => (STATUS[s] ?? [s, s])[l === 'zh' ? 0 : 1];

const TRIAGE: Record<string, [string, string]> = {
  '110': ['这属于紧急警情，请立即拨打 110 报警。', 'This is an emergency for the police: call 110 now.'],
  '119': ['发生火情请立即拨打 119。', 'For a fire, call 119 now.'],
  '120': ['人员伤病请立即拨打 120 急救电话。', 'For a medical emergency, call 120 now.'],
  '122': ['交通事故请立即拨打 122。', 'For a traffic accident, call 122 now.'],
  court: ['该事项需通过人民法院诉讼解决，我们已记录。', 'This matter belongs to the courts; we have recorded it.'],
  arbitration: ['该事项请向劳动人事争议仲裁委员会申请仲裁，我们已记录。', 'Please apply to the labour arbitration commission; we have recorded it.'],
  xinfang: ['该事项请通过信访渠道反映，我们已记录。', 'Please use the petition-letter (信访) channel; we have recorded it.'],
};
export const triageText = (kind: string, l: Lang) => (TRIAGE[kind] ?? ['已记录。', 'Recorded.'])[l === 'zh' ? 0 : 1];

const SAFETY: Record<SafetyKind, [string, string]> = {
  gas: [
    '⚠️ 疑似燃气泄漏，请立即：离开房间和楼道；不要开关电灯、电器，不要使用明火、吸烟，不要在现场打电话；能顺手时打开门窗通风；到室外安全处拨打燃气抢修 96777 或火警 119。',
    '⚠️ Possible gas leak. Now: leave the room and the stairwell; do not touch light switches or appliances, no flames or cigarettes, no phone calls on the spot; open windows and doors on your way out if you can; once outside, call the gas emergency line 96777 or the fire brigade 119.',
  ],
  fire: ['⚠️ 如有火情，请立即撤离到安全地带，不要乘电梯，并拨打火警 119。', '⚠️ If there is a fire, get out to a safe place now (not by lift) and call 119.'],
  medical: ['⚠️ 如有人身体危急，请立即拨打 120 急救电话。', '⚠️ If someone needs urgent medical help, call 120 now.'],
  crime: ['⚠️ 如正在发生违法犯罪或有人身危险，请立即拨打 110 报警，并先确保自身安全。', '⚠️ If a crime is happening or someone is in danger, call 110 now and keep yourself safe.'],
  general: ['⚠️ 如有人身安全危险，请立即拨打 110（警情）、119（火情）或 120（急救）。', '⚠️ If anyone is in danger, call 110 (police), 119 (fire) or 120 (ambulance) now.'],
};
/** What to do at once in an emergency, in the resident's language (the kind is decided in core/workflow/safety.ts). */
export const safetyText = (kind: SafetyKind, l: Lang) => SAFETY[kind][l === 'zh' ? 0 : 1];

export const T = {
  welcome: {
    zh: '您好，这里是 12345 接诉即办。请直接描述您遇到的问题和地点（区、街道或小区），可附照片或发送位置。我们会给您一个诉求编号，并告诉您办理进展。\n/my 查看我的诉求',
    en: 'Hello, this is the 12345 citizen hotline. Describe the problem and where it is (district, street or compound); you may add a photo or send a location. You will get a petition number and progress updates.\n/my lists your petitions',
  },
  chooseLanguage: { zh: '请选择语言 / Choose your language', en: 'Choose your language / 请选择语言' },
  needDetails: {
    zh: '请用文字描述遇到的问题和具体地点，例如：“朝阳区三里屯街道某小区3号楼电梯坏了”。',
    en: 'Please describe the problem and where it is, e.g. "the lift in building 3 of … compound, Sanlitun, Chaoyang is broken".',
  },
  askPlace: {
    zh: '请告诉我们问题发生的具体地点（区 + 街道/乡镇或小区、路名），也可以发送位置。',
    en: 'Where exactly is it? Please give the district and the street, compound or road, or send a location pin.',
  },
  askPlaceNow: {
    zh: '请马上告诉我们具体地点（区、街道或小区、楼号），或发送位置，我们会立即派单；几分钟内没有地点，工作人员会联系您。',
    en: 'Tell us right away where it is (district, street or compound, building), or send a location, and we will dispatch at once; without a place, a member of staff will contact you within minutes.',
  },
  /** Without a geocoder a pin cannot name a street: it is not invited as the answer. */
  askPlaceNamed: {
    zh: '请告诉我们问题发生的具体地点（区 + 街道/乡镇或小区、路名）。发送的定位只会转给办理单位参考，仍需写明地点名称才能派单。',
    en: 'Where exactly is it? Please name the district and the street, compound or road. A location pin is passed on to the department, but we still need the name of the place to route it.',
  },
  askPlacePinKept: {
    zh: '已收到您的定位，会转给办理单位。请再写明小区、街道或附近地标，以便准确派单。',
    en: 'We have your location pin and will pass it on to the department. Please also name the compound, street or a nearby landmark so we can route this correctly.',
  },
  askPlaceChoices: { zh: '您说的是哪里？请选择，或补充更具体的地点：', en: 'Which place do you mean? Choose one, or tell us more precisely:' },
  unansweredDispatched: {
    zh: '我们没有收到您补充的具体地点，已先按所在区派单办理，办理单位可能会联系您核实地点。',
    en: 'We did not hear back about the exact place, so we have sent it to the district to handle; the department may contact you to confirm where it is.',
  },
  unansweredClosed: {
    zh: '我们没有收到您补充的地点，无法派单，此诉求已关闭。如问题仍然存在，请重新发送问题和具体地点（区、街道或小区），我们会重新受理。',
    en: 'We did not hear back about where it is, so it could not be sent to a department and is now closed. If the problem is still there, write again with the problem and the place (district, street or compound) and we will take it up.',
  },
  help: {
    zh: '可用命令：/my 我的诉求。直接发送文字即可提交新的诉求。',
    en: 'Commands: /my your petitions. Send a message to file a new petition.',
  },
  staffHelp: {
    zh: '部门操作：签收 单号｜进展 单号 内容｜办结 单号 答复｜延期 单号 天数 理由｜退单 单号 理由｜询问 单号 问题｜报到 哨号｜完成 哨号 说明\n协调人：吹哨 单号或地点 部门… [30分钟]｜点名｜派单 单号 单位｜审核｜超期｜统计 [月份]｜热点',
    en: 'Staff: /accept NO | /progress NO text | /resolve NO answer | /extend NO days reason | /return NO reason | /ask NO question | /report W-NO | /done W-NO note\nCoordinators: /whistle NO-or-place units… [30] | /rollcall | /dispatch NO unit | /review | /overdue | /stats [month] | /hotspots',
  },
  noSuchPetition: { zh: '找不到诉求 %s。', en: 'No petition %s.' },
  noSuchWhistle: { zh: '找不到吹哨 %s。', en: 'No whistle %s.' },
  unknownCommand: { zh: '没有识别这条指令。', en: 'Command not recognised.' },
  notStaff: { zh: '您不是登记的工作人员，无法操作。', en: 'You are not registered staff.' },
  bound: { zh: '绑定成功：本群将接收', en: 'Bound: this chat now receives orders for' },
  badBindCode: { zh: '绑定码无效或已过期。', en: 'The bind code is invalid or has expired.' },
  ratingContacted: { zh: '办理单位是否与您联系过？', en: 'Did the department contact you?' },
  ratingSolved: { zh: '您的问题是否已解决？', en: 'Is your problem solved?' },
  ratingSatisfied: { zh: '您对办理结果是否满意？', en: 'Are you satisfied with the result?' },
  ratingComment: { zh: '感谢评价！如有补充意见，可直接回复文字。', en: 'Thank you! You may reply with a comment.' },
  ratingReopen: { zh: '感谢反馈，我们将提交重新办理审核，结果会通知您。', en: 'Thank you. We will review reopening it and let you know.' },
  commentSaved: { zh: '意见已记录，感谢您的反馈。', en: 'Your comment is recorded. Thank you.' },
  recordedPraise: { zh: '感谢您的肯定，已记录并转达。', en: 'Thank you for your kind words; we have recorded them and will pass them on.' },
  recordedSuggestion: { zh: '感谢您的建议，已记录，我们会认真研究改进。', en: 'Thank you for your suggestion; it is recorded and will be considered.' },
  recordedConsult: {
    zh: '您的咨询已记录，工作人员会尽快答复。如咨询与某个区有关，请告诉我们是哪个区，以便转给对口部门。',
    en: 'Your question is recorded and staff will answer it. If it concerns a particular district, tell us which one so we can pass it to the right department.',
  },
  recordedAbuse: { zh: '已记录。如需反映问题，请描述问题和发生的地点，我们会尽快处理。', en: 'Recorded. To report a problem, please describe it and where it is, and we will handle it.' },
  recordedOther: { zh: '已记录。', en: 'Recorded.' },
  noPetitions: { zh: '您还没有提交过诉求。', en: 'You have not filed any petitions yet.' },
  withdrawn: { zh: '诉求已撤回。', en: 'The petition is withdrawn.' },
  addInfoPrompt: { zh: '请发送要补充的内容（文字或照片）。', en: 'Send what you want to add (text or a photo).' },
  digestHeader: { zh: '新派单汇总（消息较多，合并发送）：', en: 'New orders (bundled to avoid flooding):' },
  digestFooter: { zh: '回复“签收 单号”签收，或“卡片 单号”查看操作按钮。', en: 'Reply "/accept NO" to accept, or "/card NO" for the buttons.' },
} satisfies Record<string, Record<Lang, string>>;

export const t = (key: keyof typeof T, l: Lang) => T[key][l];

export const BUTTONS = {
  accept: { zh: '签收', en: 'Accept' },
  progress: { zh: '进展', en: 'Progress' },
  resolve: { zh: '办结', en: 'Resolve' },
  extend: { zh: '延期', en: 'Extend' },
  return: { zh: '退单', en: 'Return' },
  report: { zh: '报到', en: 'Report' },
  done: { zh: '完成', en: 'Done' },
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
  solved: { zh: '解决', en: 'Solved' },
  partly: { zh: '部分解决', en: 'Partly' },
  unsolved: { zh: '未解决', en: 'Not solved' },
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically: { zh: '基本满意', en: 'Mostly' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
  approveReturn: { zh: '同意退单并改派', en: 'Approve, re-route' },
  refuseReturn: { zh: '驳回退单', en: 'Refuse return' },
  approveReopen: { zh: '同意重办', en: 'Reopen' },
  declineReopen: { zh: '不予重办', en: 'Close' },
  approveExtension: { zh: '同意延期', en: 'Approve extension' },
  refuseExtension: { zh: '驳回延期', en: 'Refuse extension' },
  merge: { zh: '合并', en: 'Merge' },
  whistle: { zh: '吹哨', en: 'Whistle' },
  withdraw: { zh: '撤回', en: 'Withdraw' },
  addInfo: { zh: '补充', en: 'Add info' },
  sendLocation: { zh: '发送位置', en: 'Send location' },
  callResident: { zh: '📞 联系市民', en: '📞 Call resident' },
  contacted: { zh: '✅ 已联系', en: '✅ Contacted' },
} satisfies Record<string, Record<Lang, string>>;

export const b = (key: keyof typeof BUTTONS, l: Lang) => BUTTONS[key][l];

const FORMATS = new Map<string, Intl.DateTimeFormat>();

const words = new Intl.Segmenter('zh', { granularity: 'word' });

/** At most `max` characters, cut between words (Chinese words too), with "…" when cut. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if ([...flat].length <= max) return flat;
  let out = '';
  for (const { segment } of words.segment(flat)) {
    if ([...out].length + [...segment].length > max - 1) break;
    out += segment;
  }
  // one word longer than the whole budget: cut it rather than show nothing
  return `${(out || [...flat].slice(0, max - 1).join('')).trimEnd()}…`;
}

export function fmtTime(d: Date | null | undefined, timeZone: string): string {
  if (!d) return '-';
  let f = FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    FORMATS.set(timeZone, f);
  }
  return f.format(d);
}

/** A deadline for staff: the time in the service's zone, named (北京时间 for Asia/Shanghai). */
export function fmtDeadline(d: Date | null | undefined, timeZone: string, l: Lang = 'zh'): string {
  if (!d) return '-';
  const zone = timeZone === 'Asia/Shanghai' ? (l === 'zh' ? '北京时间' : 'Beijing time') : timeZone;
  return l === 'zh' ? `${fmtTime(d, timeZone)}（${zone}）` : `${fmtTime(d, timeZone)} (${zone})`;
}
