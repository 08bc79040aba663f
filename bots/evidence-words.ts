/**
 * Words about evidence and contact: what the card says of the files and the pin, of files that could
 * not be handed on, of the unit's first contact; what the resident is told when a file arrives alone
 * or could not be passed on.
 */
import { mapPoint, type StoredAttachment } from '../core/workflow/evidence.js';
import { fmtTime, type Lang } from './texts.js';

const en = (l: Lang, zh: string, english: string) => (l === 'zh' ? zh : english);

const KIND: Record<string, [string, string]> = {
  photo: ['照片', 'photo'],
  voice: ['语音', 'voice note'],
  video: ['视频', 'video'],
  document: ['文件', 'file'],
  location: ['位置', 'location'],
  sticker: ['表情', 'sticker'],
  video_note: ['视频消息', 'video message'],
  audio: ['音频', 'audio'],
  link: ['链接', 'link'],
  business_card: ['名片', 'contact card'],
  miniprogram: ['小程序', 'mini program'],
  channels: ['视频号内容', 'Channels post'],
  poll: ['投票', 'poll'],
};
export const kindName = (kind: string, l: Lang) => (KIND[kind] ?? ['消息', 'message'])[l === 'zh' ? 0 : 1];

const PROBLEM: Record<string, [string, string]> = {
  too_large: ['超过平台大小限制', 'is over the platform size limit'],
  expired: ['已过期，无法获取', 'has expired and could not be fetched'],
  unsupported: ['类型暂不支持', 'is of a kind we cannot take'],
};

/** "照片 2、语音 1" */
function counted(kinds: string[], l: Lang): string {
  const n = new Map<string, number>();
  for (const k of kinds) n.set(k, (n.get(k) ?? 0) + 1);
  return [...n].map(([k, c]) => `${kindName(k, l)} ${c}`).join(en(l, '、', ', '));
}

/** The card's lines about evidence: files that follow, the pin as a map point, what could not be handed on. */
export function evidenceLines(list: StoredAttachment[], l: Lang): string[] {
  const lines: string[] = [];
  const files = list.filter((a) => a.kind !== 'location' && a.kind !== 'unsupported' && !a.problem);
  if (files.length) lines.push(en(l, `附件：${counted(files.map((a) => a.kind), l)}（随本单发送）`, `Attachments: ${counted(files.map((a) => a.kind), l)} (sent with this card)`));
  for (const a of list) {
    if (a.kind !== 'location') continue;
    const m = mapPoint(a);
    lines.push(en(l, `位置：${a.label ? `${a.label} ` : ''}${m.lng},${m.lat}（GCJ-02）地图：${m.url}`, `Location: ${a.label ? `${a.label} ` : ''}${m.lng},${m.lat} (GCJ-02) map: ${m.url}`));
  }
  for (const a of list) {
    if (a.kind === 'unsupported') lines.push(en(l, `⚠ 市民发送的${kindName(a.what, l)}类型暂不支持，未能转交。`, `⚠ The resident sent a ${kindName(a.what, l)}, which cannot be passed on.`));
    else if (a.kind !== 'location' && a.problem) lines.push(en(l, `⚠ 市民发送的${kindName(a.kind, l)}${PROBLEM[a.problem]![0]}，未能转交。`, `⚠ A ${kindName(a.kind, l)} from the resident ${PROBLEM[a.problem]![1]} and was not passed on.`));
  }
  return lines;
}

/** The card's line on the unit's first contact; uncontacted with half the time used or more is flagged. */
export function contactLine(a: { contactedAt: Date | null; contactMethod: string | null; dueAt: Date | null; dispatchedAt: Date }, timeZone: string, l: Lang, now: Date): string {
  if (a.contactedAt) {
    const how = a.contactMethod === 'phone' ? en(l, '电话', 'phone') : a.contactMethod === 'question' ? en(l, '平台询问', 'question on the platform') : en(l, '单位确认', 'marked by the unit');
    return en(l, `联系市民：已联系 ${fmtTime(a.contactedAt, timeZone)}（${how}）`, `Resident contacted: ${fmtTime(a.contactedAt, timeZone)} (${how})`);
  }
  if (a.dueAt && now > a.dueAt) return en(l, `联系市民：⚠ 尚未联系，已超过办结时限 ${fmtTime(a.dueAt, timeZone)}`, `Resident contacted: ⚠ not yet, and past the deadline ${fmtTime(a.dueAt, timeZone)}`);
  const near = a.dueAt && now.getTime() >= a.dueAt.getTime() - (a.dueAt.getTime() - a.dispatchedAt.getTime()) / 2;
  return near
    ? en(l, `联系市民：⚠ 尚未联系，办结时限 ${fmtTime(a.dueAt, timeZone)} 临近，请先联系市民`, `Resident contacted: ⚠ not yet, and the deadline ${fmtTime(a.dueAt, timeZone)} is near`)
    : en(l, '联系市民：尚未联系（先联系后办理）', 'Resident contacted: not yet (contact first, then act)');
}

/** To the resident: what arrived without words ("已收到您的语音…"). */
export function receivedMediaText(got: string[], l: Lang): string {
  const kept = got.filter((k) => k !== 'unsupported');
  if (!kept.length) return '';
  const names = counted(kept, l);
  if (kept.includes('voice')) {
    return en(l, `已收到您的${names}，会随诉求一并转给办理单位。语音暂不能自动转成文字。`, `We got your ${names}; it will go to the department with your petition. Voice notes cannot be read automatically.`);
  }
  return en(l, `已收到您的${names}，会随诉求一并转给办理单位。`, `We got your ${names}; it will go to the department with your petition.`);
}

/** To the resident: which files could not be passed on, and what to do. */
export function mediaProblemText(problems: { kind: string; problem: string }[], l: Lang): string {
  if (!problems.length) return '';
  return problems
    .map((p) =>
      p.problem === 'unsupported'
        ? en(l, `暂不支持${kindName(p.kind, l)}，请改用文字、照片、语音、视频或文件发送。`, `We cannot take a ${kindName(p.kind, l)}; please send text, a photo, a voice note, a video or a file instead.`)
        : p.problem === 'too_large'
          ? en(l, `您发送的${kindName(p.kind, l)}超过平台大小限制，未能转给办理单位，请压缩后重新发送或改发照片。`, `Your ${kindName(p.kind, l)} is over the platform's size limit and could not be passed on; please send a smaller one or a photo.`)
          : en(l, `您发送的${kindName(p.kind, l)}已过期，无法获取，请重新发送。`, `Your ${kindName(p.kind, l)} expired before we could fetch it; please send it again.`),
    )
    .join('\n');
}
