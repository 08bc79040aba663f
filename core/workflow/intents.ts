/**
 * Notification intents: what should be told to whom, decided inside the
 * workflow transaction. They carry ids, never text or personal data; the
 * outbound side (jobs/notify) finds the recipients and bots/render.ts words them.
 */
import type { OutboundMessage } from '../channel.js';

export type ResidentNote =
  | 'need_details'
  | 'ack'
  | 'question'
  | 'redirected'
  | 'repeat'
  | 'accepted'
  | 'progress'
  | 'extended'
  | 'resolved'
  | 'rating_reminder'
  | 'reopened'
  | 'closed'
  | 'merged'
  | 'redispatched'
  | 'comment_saved'
  /** is this message the open petition's problem or a new one? (two buttons) */
  | 'same_or_new'
  /** no problem to dispatch: data.intent praise / suggestion / consult / abuse (issue 19) */
  | 'recorded'
  /** the question went unanswered: data.outcome 'dispatched' (district level) or 'closed' */
  | 'unanswered'
  /** a unit asks the resident (询问): data.unitId signs it, data.question */
  | 'unit_question'
  /** the resident's answer went to the unit */
  | 'answer_relayed'
  /** a file could not be handed on (data.problems: kind + too_large | expired | unsupported) */
  | 'media_problem';

/**
 * `evidence`: files or a pin the resident sent later (data.from..to index Petition.attachments), threaded to the card;
 * `undeliverable`: a message to the resident did not get through after all (their channel closed): a phone callback is flagged;
 * `added_info`: the resident added to a petition the unit works on (data.nth: which add_info event; data.photos: how many photos)
 */
export type UnitNote =
  | 'remind' | 'co_report' | 'return_refused' | 'reassigned_away' | 'whistle_remind' | 'undeliverable' | 'added_info'
  | 'whistle_due_remind' | 'extension_decided' | 'accept_remind' | 'resident_answer' | 'wait_expired' | 'evidence';

/**
 * `report`: a scheduled report (每月一题 proposal, monthly three rates), already worded in data.message;
 * `alerts`: what did not reach a person (jobs/alerts.ts), data.items = { kind, number?, detail }[], data.more;
 * `emergency_unplaced`: an emergency whose place the resident has not given; areaCode '' (no district known) reaches the admins, the city level (core/workflow/recipients.ts)
 */
export type AreaNote =
  | 'emergency_unplaced' | 'escalate' | 'review_return' | 'review_reopen' | 'cluster' | 'whistle_escalate' | 'callback_needed' | 'report' | 'alerts'
  | 'whistle_overdue' | 'extension_request' | 'accept_overdue' | 'wait_expired';

/** to one staff member's own chat: a lane chief's copy of a petition on their lanes, their daily digest */
export type PersonNote = 'lane_copy' | 'lane_digest';

export type Intent =
  /** to the resident of a petition, or (need_details) to a resident with no petition yet */
  | { t: 'resident'; petitionId?: string; residentId?: string; note: ResidentNote; data?: Record<string, unknown> }
  /** dispatch card to every chat of the assignment's unit; `copy` marks the district supervision copy */
  | { t: 'card'; assignmentId: string; copyToUnitId?: string }
  | { t: 'unit'; unitId: string; note: UnitNote; petitionId?: string; whistleId?: string; data?: Record<string, unknown> }
  | { t: 'area'; areaCode: string; note: AreaNote; petitionId?: string; whistleId?: string; data?: Record<string, unknown> }
  | { t: 'whistle_task'; taskId: string }
  | { t: 'person'; staffId: string; note: PersonNote; petitionId?: string; data?: Record<string, unknown> }
  | { t: 'rollcall'; whistleId: string }
  /** a direct answer to whoever wrote, already worded (and masked) by bots/ */
  | { t: 'reply'; platform: string; chatId: string; message: Omit<OutboundMessage, 'chatId'> }
  /** answer a button press (no spinning buttons), with an optional short toast */
  | { t: 'ack'; platform: string; chatId: string; ackId: string; text?: string };
