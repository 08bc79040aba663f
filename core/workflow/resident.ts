/**
 * What a resident can do with their own petitions: rate the answer (回访),
 * withdraw, add information. Unsolved or unsatisfied → a reopen request for
 * the area's coordinator.
 */
import type { Petition, Rating, Resident, Satisfaction, Solved } from '../../prisma/generated/client.js';
import { AppError, NotAuthorizedError } from '../errors.js';
import { applyTransition } from '../petition/lifecycle.js';
import type { Work } from './context.js';
import { cancelOpenAssignments, loadPetition } from './dispatch.js';
import { setAwaiting } from './intake.js';
import { cancelTimers, scheduleTimer } from './timers.js';
import type { PersonRef } from './staff.js';

/** After a satisfied rating the resident may still add a comment for this long. */
const COMMENT_GRACE_MS = 24 * 3_600_000;

export async function residentOf(w: Work, who: PersonRef): Promise<Resident | null> {
  return w.tx.resident.findUnique({ where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } } });
}

/**
 * A button press (a 微信客服 menu click is a message from the resident) opens a fresh reply window,
 * as any message does: without this, answering a rating by clicks would spend the old window's budget.
 */
export async function renewWindow(w: Work, who: PersonRef): Promise<void> {
  await w.tx.$executeRaw`UPDATE "Resident" SET "lastInboundAt" = ${w.now}, "windowSent" = 0 WHERE platform = ${who.platform} AND "platformUserId" = ${who.userId}`;
}

async function ownPetition(w: Work, who: PersonRef, number: string): Promise<{ resident: Resident; petition: Petition }> {
  const resident = await residentOf(w, who);
  const petition = await loadPetition(w, number);
  if (!resident || petition.residentId !== resident.id) throw new NotAuthorizedError(`resident acted on ${number} of someone else`, `诉求 ${number} 不是您提交的。/ Not your petition.`);
  return { resident, petition };
}

export type RatingAnswer = { contacted: boolean } | { solved: Solved } | { satisfaction: Satisfaction };

export interface RatingProgress {
  petition: Petition;
  rating: Rating;
  /** the next question to ask; 'comment' (optional) once the three answers are in */
  next: 'contacted' | 'solved' | 'satisfaction' | 'comment';
  outcome?: 'rated' | 'reopen_requested';
}

/** Record one answer of the callback survey; complete once all three are in. */
export async function rate(w: Work, who: PersonRef, number: string, answer: RatingAnswer): Promise<RatingProgress> {
  const { resident, petition } = await ownPetition(w, who, number);
  const rating = await w.tx.rating.findFirst({ where: { petitionId: petition.id }, orderBy: { round: 'desc' } });
  if (!rating) throw new AppError('no_rating', `no rating asked for ${number}`, `诉求 ${number} 还没有办结，暂不能评价。/ Not resolved yet.`);
  if (rating.ratedAt !== null || petition.status !== 'resolved') {
    throw new AppError('already_rated', `${number} already rated`, `诉求 ${number} 已评价，感谢。/ Already rated, thank you.`);
  }
  const updated = await w.tx.rating.update({ where: { id: rating.id }, data: answer });
  const next = updated.contacted === null ? 'contacted' : updated.solved === null ? 'solved' : updated.satisfaction === null ? 'satisfaction' : null;
  if (next) return { petition, rating: updated, next };

  const final = await w.tx.rating.update({ where: { id: rating.id }, data: { ratedAt: w.now } });
  await cancelTimers(w.tx, rating.id, w.now);
  await cancelTimers(w.tx, `${petition.id}:${rating.round}`, w.now);
  const unhappy = final.solved === 'unsolved' || final.satisfaction === 'dissatisfied';
  const actor = { kind: 'resident' as const, id: resident.id };
  const data = { contacted: final.contacted, solved: final.solved, satisfaction: final.satisfaction, round: final.round };
  if (unhappy) {
    await applyTransition(w.tx, { petitionId: petition.id, action: 'request_reopen', actor, data, at: w.now });
    const area = petition.streetCode ?? petition.districtCode;
    if (area) await w.notify({ t: 'area', areaCode: area, note: 'review_reopen', petitionId: petition.id, data }, `reopen:${petition.id}:${final.round}`);
  } else {
    await applyTransition(w.tx, { petitionId: petition.id, action: 'rate', actor, data, at: w.now });
    await scheduleTimer(w.tx, 'close_rated', petition.id, new Date(w.now.getTime() + COMMENT_GRACE_MS));
  }
  await setAwaiting(w, resident.id, { kind: 'comment', petitionId: petition.id });
  return { petition, rating: final, next: 'comment', outcome: unhappy ? 'reopen_requested' : 'rated' };
}

export async function withdraw(w: Work, who: PersonRef, number: string) {
  const { resident, petition } = await ownPetition(w, who, number);
  await cancelOpenAssignments(w, petition.id);
  await applyTransition(w.tx, { petitionId: petition.id, action: 'withdraw', actor: { kind: 'resident', id: resident.id }, set: { closedAt: w.now }, at: w.now });
  for (const a of await w.tx.assignment.findMany({ where: { petitionId: petition.id, status: 'cancelled' }, select: { unitId: true, id: true } })) {
    await w.notify({ t: 'unit', unitId: a.unitId, note: 'reassigned_away', petitionId: petition.id, data: { withdrawn: true } }, `wd:${a.id}`);
  }
  await setAwaiting(w, resident.id, null);
  return petition;
}

/** The next message from this resident adds to the petition. */
export async function startAddingInfo(w: Work, who: PersonRef, number: string) {
  const { resident, petition } = await ownPetition(w, who, number);
  await setAwaiting(w, resident.id, { kind: 'more', petitionId: petition.id });
  return petition;
}

export async function myPetitions(w: Work, who: PersonRef) {
  const resident = await residentOf(w, who);
  if (!resident) return [];
  return w.tx.petition.findMany({
    where: { residentId: resident.id },
    select: { number: true, status: true, summary: true, createdAt: true },
    orderBy: { createdAt: 'desc' },
    take: 10,
  });
}

export async function setLanguage(w: Work, who: PersonRef & { chatId: string }, language: 'zh' | 'en') {
  return w.tx.resident.upsert({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    create: { platform: who.platform, platformUserId: who.userId, chatId: who.chatId, language },
    update: { language },
  });
}
