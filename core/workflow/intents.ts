/**
 * Notification intents: what should be told to whom, decided inside the
 * workflow transaction. They carry ids, never text or personal data; the
 * outbound side (jobs/notify) finds the recipients and bots/render.ts words them.
 */
import type { OutboundMessage } from '../../adapters/types.js';

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
  /** the question went unanswered: data.outcome 'dispatched' (district level) or 'closed' */
  | 'unanswered'
  /** a file could not be handed on (data.problems: kind + too_large | expired | unsupported) */
  | 'media_problem';

/** `evidence`: files or a pin the resident sent later (data.from..to index Petition.attachments), threaded to the card */
export type UnitNote = 'remind' | 'co_report' | 'return_refused' | 'reassigned_away' | 'whistle_remind' | 'evidence';

/** `report`: a scheduled report (每月一题 proposal, monthly three rates), already worded in data.message */
export type AreaNote = 'escalate' | 'review_return' | 'review_reopen' | 'cluster' | 'whistle_escalate' | 'callback_needed' | 'report';

export type Intent =
  /** to the resident of a petition, or (need_details) to a resident with no petition yet */
  | { t: 'resident'; petitionId?: string; residentId?: string; note: ResidentNote; data?: Record<string, unknown> }
  /** dispatch card to every chat of the assignment's unit; `copy` marks the district supervision copy */
  | { t: 'card'; assignmentId: string; copyToUnitId?: string }
  | { t: 'unit'; unitId: string; note: UnitNote; petitionId?: string; whistleId?: string; data?: Record<string, unknown> }
  | { t: 'area'; areaCode: string; note: AreaNote; petitionId?: string; whistleId?: string; data?: Record<string, unknown> }
  | { t: 'whistle_task'; taskId: string }
  | { t: 'rollcall'; whistleId: string }
  /** a direct answer to whoever wrote, already worded (and masked) by bots/ */
  | { t: 'reply'; platform: string; chatId: string; message: Omit<OutboundMessage, 'chatId'> }
  /** answer a button press (no spinning buttons), with an optional short toast */
  | { t: 'ack'; platform: string; chatId: string; ackId: string; text?: string };
