/**
 * Can the resident of a petition still be messaged? Some platforms allow replies only for a while after
 * the resident's last message, and only so many (WeCom 微信客服: 48 h, 5 messages). The rule of each
 * platform is given by app.ts (`WorkflowDeps.replyWindows`, from the adapter); this file knows none.
 *
 * Decided in the transaction that answers, so what staff are told is what will happen: the send stage
 * (jobs/handlers.ts) checks the same window when the message leaves, and flags the same callback with
 * the same notice key if the window closed in between.
 */
import type { Petition } from '../../prisma/generated/client.js';
import type { Work } from './context.js';

export interface ReplyWindow {
  /** how long after the resident's last message replies are allowed */
  ms: number;
  /** how many messages that window allows */
  messages: number;
}

export type Reach = 'open' | 'closed' | 'no_chat';

/** Whether one more essential message reaches the resident of `p` now. */
export async function residentReach(w: Work, p: Pick<Petition, 'residentId'>): Promise<Reach> {
  if (!p.residentId) return 'no_chat';
  const r = await w.tx.resident.findUnique({ where: { id: p.residentId }, select: { platform: true, chatId: true, lastInboundAt: true, windowSent: true } });
  if (!r) return 'no_chat';
  const rule = w.deps.replyWindows?.[r.platform];
  if (!rule) return 'open';
  if (!r.lastInboundAt || w.now.getTime() - r.lastInboundAt.getTime() >= rule.ms) return 'closed';
  // Messages already on their way take their places in the window first.
  const queued = await w.tx.delivery.count({ where: { platform: r.platform, chatId: r.chatId, status: { in: ['pending', 'sending'] }, createdAt: { gte: r.lastInboundAt } } });
  return r.windowSent + queued + 1 > rule.messages ? 'closed' : 'open';
}

/**
 * The resident cannot be messaged any more: a person must call them back (the area's coordinators are told
 * once). `lateFor`: a message already decided did not get through (the window closed before it left): the
 * lead unit, which was told it would, hears that it did not.
 */
export async function flagPhoneCallback(w: Work, p: Pick<Petition, 'id' | 'streetCode' | 'districtCode'>, opts: { late?: boolean } = {}): Promise<void> {
  const flagged = await w.tx.petition.updateMany({ where: { id: p.id, callbackNeeded: false }, data: { callbackNeeded: true } });
  const area = p.streetCode ?? p.districtCode;
  if (area) await w.notify({ t: 'area', areaCode: area, note: 'callback_needed', petitionId: p.id }, `callback:${p.id}`);
  if (opts.late && flagged.count) {
    const lead = await w.tx.assignment.findFirst({ where: { petitionId: p.id, role: 'lead', status: { notIn: ['cancelled', 'returned'] } }, orderBy: { dispatchedAt: 'desc' } });
    if (lead) await w.notify({ t: 'unit', unitId: lead.unitId, note: 'undeliverable', petitionId: p.id }, `undeliverable:${p.id}`);
  }
}
