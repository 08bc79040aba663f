/**
 * Intake: where a resident's message becomes a petition, a clarifying
 * question, a redirect, or an addition to an open petition. Everything for one
 * resident is serialised by the lock its upsert takes on the Resident row (held
 * to commit; a brand-new resident's concurrent insert waits the same way), so two
 * messages arriving at once can never make two petitions out of one conversation.
 */
import type { GeoPoint, InboundMedia } from '../channel.js';
import { Prisma, type Petition, type Resident } from '../../prisma/generated/client.js';
import { maskPhone, residentMobile } from '../pii.js';
import { applyTransition, OPEN_STATES, transition } from '../petition/lifecycle.js';
import { nextNumbers } from '../petition/number.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT, dispatchPetition } from './dispatch.js';
import { sameProblem, similarity } from './repeat.js';
import { safetyKind } from './safety.js';
import { cancelTimers, createTimers } from './timers.js';
import type { PlaceFacts, Understood } from './understanding-port.js';
import { together } from './together.js';
import { residentAnswered } from './waiting.js';
import { notePhoneDeclined } from './contact.js';
import { addEvidence, evidenceOf, hasProblem, locationOf, problemsOf, type StoredAttachment } from './evidence.js';

export interface ResidentRef {
  platform: string;
  userId: string;
  chatId: string;
  language?: string;
  channelAccount?: string;
}

export interface ResidentMessage {
  resident: ResidentRef;
  /** the stored inbound message: keys replies so reprocessing never answers twice */
  inboundId: string;
  text: string;
  photoFileId?: string;
  /** photos, voice notes, videos, files (core/workflow/evidence.ts) */
  media?: InboundMedia[];
  /** a kind of message that cannot be taken as evidence (a sticker…) */
  unsupported?: string;
  location?: GeoPoint;
  contactPhone?: string;
  /** the category the sender chose (Open311 service_code): filed under it, the classifier's reading kept beside it */
  categoryCode?: string;
}

/** The evidence a message brought, as the petition keeps it. */
function evidenceIn(msg: ResidentMessage): StoredAttachment[] {
  const media = msg.media ?? (msg.photoFileId ? [{ kind: 'photo' as const, fileId: msg.photoFileId }] : []);
  return evidenceOf(msg.resident.platform, media, msg.unsupported);
}

/** What the bot waits for from this resident. */
export type Awaiting =
  | { kind: 'info'; petitionId: string; field: string; asked: number }
  | { kind: 'draft'; location?: GeoPoint; photoFileIds?: string[]; media?: StoredAttachment[] }
  | { kind: 'more'; petitionId: string }
  /** after rating: the next message is a comment */
  | { kind: 'comment'; petitionId: string }
  /**
   * A message that may or may not be the open petition's problem: the resident is asked. The message
   * waits here (its text sealed) until they choose, write something else, or the choice expires.
   */
  | { kind: 'same_or_new'; petitionId: string; inboundId: string; textEnc: string; location?: GeoPoint; photoFileIds?: string[] }
  /** a unit asked the resident (询问, waiting.ts): the next message is the answer */
  | { kind: 'reply'; petitionId: string; assignmentId: string };

export type IntakeOutcome =
  | { kind: 'petition'; petitionId: string; number: string; status: string }
  | { kind: 'question'; petitionId: string; number: string }
  | { kind: 'repeat'; petitionId: string; number: string }
  /** asked whether it is the open petition's problem or a new one */
  | { kind: 'same_or_new'; petitionId: string; number: string }
  | { kind: 'redirected'; petitionId: string; number: string }
  /** thanks, praise, a suggestion about the service, abuse, or a 咨询 with no district: recorded, nothing dispatched */
  | { kind: 'recorded'; petitionId: string; number: string; intent: string }
  | { kind: 'need_details' }
  | { kind: 'comment'; petitionId: string };

/**
 * A phone to keep as the resident's contact: `shared` (the platform's contact button) replaces any
 * phone on file; one typed in a message is kept only when none is on file yet.
 */
export interface ContactPhone {
  phone: string;
  shared: boolean;
}

/** Must be the first thing a step reads of the resident: it takes the row lock that serialises them. */
export function upsertResident(w: Work, r: ResidentRef, contact?: ContactPhone): Promise<Resident> {
  return together(w, upsertResidents, { r, contact });
}

/**
 * One statement for the residents of a batch (Prisma's upsert would read first): residents write on
 * every message. The phone, when there is one, rides along (sealed; the masked form is all anyone
 * else sees). Rows are locked in key order, so two batches never wait on each other in a circle.
 */
async function upsertResidents(w: Work, items: { r: ResidentRef; contact?: ContactPhone }[]): Promise<Resident[]> {
  const col = <T>(f: (x: (typeof items)[number]) => T) => items.map((x) => f(x) ?? null);
  const rows = await w.tx.$queryRaw<Resident[]>`
    WITH input AS (
      SELECT * FROM unnest(${col((x) => x.r.platform)}::text[], ${col((x) => x.r.userId)}::text[], ${col((x) => x.r.chatId)}::text[],
                           ${col((x) => x.r.channelAccount)}::text[], ${col((x) => (x.r.language?.startsWith('en') ? 'en' : 'zh'))}::text[],
                           ${col((x) => (x.contact ? Buffer.from(w.deps.sealer.seal(x.contact.phone)).toString('base64') : null))}::text[],
                           ${col((x) => (x.contact ? maskPhone(x.contact.phone) : null))}::text[], ${col((x) => x.contact?.shared ?? false)}::boolean[])
        AS t(platform, uid, chat, account, language, phone_enc, phone_masked, shared))
    INSERT INTO "Resident" AS res (id, platform, "platformUserId", "chatId", "channelAccount", language, "phoneEnc", "phoneMasked", "lastInboundAt", "windowSent", "createdAt")
    SELECT gen_random_uuid(), platform, uid, chat, account, language, decode(phone_enc, 'base64'), phone_masked, ${w.now}, 0, ${w.now} FROM input ORDER BY platform, uid
    ON CONFLICT (platform, "platformUserId") DO UPDATE
      SET "chatId" = EXCLUDED."chatId", "channelAccount" = COALESCE(EXCLUDED."channelAccount", res."channelAccount"), "lastInboundAt" = EXCLUDED."lastInboundAt", "windowSent" = 0,
          "phoneEnc" = CASE WHEN (SELECT shared FROM input i WHERE i.platform = EXCLUDED.platform AND i.uid = EXCLUDED."platformUserId") OR res."phoneEnc" IS NULL
                            THEN COALESCE(EXCLUDED."phoneEnc", res."phoneEnc") ELSE res."phoneEnc" END,
          "phoneMasked" = CASE WHEN (SELECT shared FROM input i WHERE i.platform = EXCLUDED.platform AND i.uid = EXCLUDED."platformUserId") OR res."phoneEnc" IS NULL
                               THEN COALESCE(EXCLUDED."phoneMasked", res."phoneMasked") ELSE res."phoneMasked" END
    RETURNING *`;
  const byKey = new Map(rows.map((row) => [`${row.platform}\u0000${row.platformUserId}`, row]));
  return items.map(({ r }) => byKey.get(`${r.platform}\u0000${r.userId}`)!);
}

/**
 * A resident's message, and what became of it recorded on its stored inbound message (the petition it
 * made or went to, and the outcome), in one statement for a batch: a client that cannot read a chat
 * (Open311) follows its request through that record.
 */
export async function receiveResidentMessage(w: Work, msg: ResidentMessage): Promise<IntakeOutcome> {
  const outcome = await receive(w, msg);
  await together(w, recordOutcomes, { inboundId: msg.inboundId, outcome });
  return outcome;
}

async function recordOutcomes(w: Work, items: { inboundId: string; outcome: IntakeOutcome }[]): Promise<void[]> {
  const petitionOf = (o: IntakeOutcome) => ('petitionId' in o ? o.petitionId : null);
  const outcomeOf = (o: IntakeOutcome) => (o.kind === 'question' ? 'question:place' : o.kind);
  await w.tx.$executeRaw`
    UPDATE "InboundMessage" i SET outcome = t.outcome, "petitionId" = COALESCE(t.petition, i."petitionId")
      FROM unnest(${items.map((x) => x.inboundId)}::text[], ${items.map((x) => outcomeOf(x.outcome))}::text[], ${items.map((x) => petitionOf(x.outcome))}::text[])
           AS t(id, outcome, petition)
     WHERE i.id = t.id`;
  return items.map(() => undefined);
}

async function receive(w: Work, msg: ResidentMessage): Promise<IntakeOutcome> {
  // A shared contact, or else a mobile number the resident typed (kept only if none is on file).
  const typed = msg.contactPhone ? null : residentMobile(msg.text);
  const contact = msg.contactPhone ? { phone: msg.contactPhone, shared: true } : typed ? { phone: typed, shared: false } : undefined;
  const resident = await upsertResident(w, msg.resident, contact);
  let awaiting = resident.awaiting as Awaiting | null;
  const text = msg.text.trim();

  if (awaiting?.kind === 'same_or_new') {
    // Typed on channels without buttons (the numbered choices): 1 the same problem, 2 a new one.
    const choice = msg.photoFileId || msg.location ? null : typedChoice(text);
    if (choice) return settleRepeat(w, resident, awaiting, choice);
    // Anything else: the waiting message becomes a petition of its own, then this one is taken as usual.
    await settleRepeat(w, resident, awaiting, 'new');
    awaiting = null;
    resident.awaiting = null;
  }

  // 询问: the answer to a unit's question goes to that unit (waiting.ts), and its clock runs again.
  if (awaiting?.kind === 'reply') {
    const answered = await residentAnswered(w, resident, awaiting, msg);
    if (answered) return answered;
  }

  if (awaiting?.kind === 'info' || awaiting?.kind === 'more') {
    const p = await w.tx.petition.findUnique({ where: { id: awaiting.petitionId } });
    if (p?.status === 'needs_info' && awaiting.kind === 'info') return answerQuestion(w, resident, p, awaiting, msg);
    if (p && awaiting.kind === 'more' && (OPEN_STATES as string[]).includes(p.status) && (text || evidenceIn(msg).length)) {
      await setAwaiting(w, resident.id, null);
      return addInfo(w, p, msg, resident);
    }
  }

  if (awaiting?.kind === 'comment' && text) {
    await setAwaiting(w, resident.id, null);
    const said = await w.deps.understand(text, {});
    // A new problem at a named place is a new petition, not a remark on the rated one.
    const newMatter = !!said.category && said.category.code !== 'other' && !!said.place.districtCode;
    const rating = newMatter ? null : await w.tx.rating.findFirst({ where: { petitionId: awaiting.petitionId }, orderBy: { round: 'desc' } });
    if (rating) {
      await w.tx.rating.update({ where: { id: rating.id }, data: { comment: said.maskedText.slice(0, 1000) } });
      await w.notify({ t: 'resident', petitionId: awaiting.petitionId, note: 'comment_saved' }, `res:${awaiting.petitionId}:comment:${rating.id}`);
      return { kind: 'comment', petitionId: awaiting.petitionId };
    }
  }

  const draft = awaiting?.kind === 'draft' ? awaiting : null;
  const location = msg.location ?? draft?.location;
  const photos = draft?.photoFileIds ?? [];
  const brought = evidenceIn(msg);
  const evidence = [...(draft?.media ?? []), ...brought];
  if (!text) {
    // Files alone while exactly one petition is being handled: evidence for it, relayed to its unit.
    if (brought.some((e) => e.kind !== 'unsupported') && !draft && !msg.location) {
      const open = await w.tx.petition.findMany({ where: { residentId: resident.id, status: { in: ['dispatched', 'accepted', 'in_progress', 'reopened'] } }, take: 2 });
      if (open.length === 1) return addInfo(w, open[0]!, msg, resident);
    }
    // A pin, a photo, a voice note alone: keep it and ask what the problem is.
    if (location || photos.length || evidence.length) {
      await setAwaiting(w, resident.id, { kind: 'draft', location, photoFileIds: photos, media: evidence });
    }
    await replyNeedDetails(w, resident, msg.inboundId, brought);
    return { kind: 'need_details' };
  }

  const u = await w.deps.understand(text, { location, lang: resident.language === 'en' ? 'en' : 'zh' });
  if (u.needsMoreInfo) {
    await replyNeedDetails(w, resident, msg.inboundId);
    return { kind: 'need_details' };
  }
  const place = await placeWithPin(w, u.place, location);

  // An open petition of the same category and street: folded only when it is the same problem.
  const open = await findRepeat(w, resident.id, msg.categoryCode ?? u.category?.code ?? 'other', place);
  const next = { text: u.maskedText, address: place.address, community: place.community };
  const judged = open.map((p) => ({ p, same: sameProblem(next, { text: p.maskedText, address: p.address, community: p.community }) }));
  const same = judged.find((j) => j.same === 'same');
  if (same) {
    if (draft) await setAwaiting(w, resident.id, null);
    return addInfo(w, same.p, msg, resident, u.maskedText, photos);
  }
  const unsure = judged.find((j) => j.same === 'unsure');
  if (unsure) return askSameOrNew(w, resident, unsure.p, msg, location, photos);

  return fileNew(w, resident, msg, u, place, location, photos, evidence);
}

async function fileNew(
  w: Work, resident: Resident, msg: ResidentMessage, u: Understood, place: PlaceFacts, location: GeoPoint | undefined, photos: string[],
  evidence: StoredAttachment[] = evidenceIn(msg),
): Promise<IntakeOutcome> {
  const brought = evidenceIn(msg);
  const p = await createPetition(w, resident, msg, u, place, location, photos, evidence);
  if (resident.awaiting) await setAwaiting(w, resident.id, null);
  await notePhoneDeclined(w, p.id, msg.text);
  if (hasProblem(brought)) await w.notify({ t: 'resident', petitionId: p.id, note: 'media_problem', data: { problems: problemsOf(brought) } }, `res:${p.id}:media:${msg.inboundId}`);
  return decide(w, resident, p, u, place, 0);
}

const SAME_WORDS = /^(1|同一个?问题?|是同一个?问题?|一样|same( problem)?)$/i;
const NEW_WORDS = /^(2|新问题|不是同一个?问题?|是新问题|不一样|new( problem)?)$/i;

function typedChoice(text: string): 'same' | 'new' | null {
  const t = text.replace(/[\s。.!！]+$/u, '').trim();
  return SAME_WORDS.test(t) ? 'same' : NEW_WORDS.test(t) ? 'new' : null;
}

const choiceTimer = (residentId: string, inboundId: string) => `${residentId}:${inboundId}`;

/** Not sure it is the open petition's problem: keep the message and ask the resident (two buttons). */
async function askSameOrNew(w: Work, resident: Resident, open: Petition, msg: ResidentMessage, location: GeoPoint | undefined, photos: string[]): Promise<IntakeOutcome> {
  const textEnc = Buffer.from(w.deps.sealer.seal(msg.text)).toString('base64');
  await setAwaiting(w, resident.id, { kind: 'same_or_new', petitionId: open.id, inboundId: msg.inboundId, textEnc, location, photoFileIds: photos });
  await createTimers(w.tx, choiceTimer(resident.id, msg.inboundId), [
    { kind: 'repeat_choice_expire', dueAt: new Date(w.now.getTime() + w.deps.policy.repeatChoiceWaitMs), data: { residentId: resident.id, inboundId: msg.inboundId } },
  ]);
  await w.notify({ t: 'resident', petitionId: open.id, note: 'same_or_new' }, `res:${open.id}:same_or_new:${msg.inboundId}`);
  return { kind: 'same_or_new', petitionId: open.id, number: open.number };
}

/** The waiting message goes where the resident said: into the open petition, or a petition of its own. */
async function settleRepeat(w: Work, resident: Resident, pending: Extract<Awaiting, { kind: 'same_or_new' }>, choice: 'same' | 'new'): Promise<IntakeOutcome> {
  await setAwaiting(w, resident.id, null);
  await cancelTimers(w.tx, choiceTimer(resident.id, pending.inboundId), w.now, ['repeat_choice_expire']);
  const msg: ResidentMessage = {
    resident: { platform: resident.platform, userId: resident.platformUserId, chatId: resident.chatId, language: resident.language, channelAccount: resident.channelAccount ?? undefined },
    inboundId: pending.inboundId,
    text: w.deps.sealer.open(Buffer.from(pending.textEnc, 'base64')),
  };
  const photos = pending.photoFileIds ?? [];
  const open = await w.tx.petition.findUnique({ where: { id: pending.petitionId } });
  if (choice === 'same' && open && (OPEN_STATES as string[]).includes(open.status)) return addInfo(w, open, msg, resident, undefined, photos);
  const u = await w.deps.understand(msg.text, { location: pending.location, lang: resident.language === 'en' ? 'en' : 'zh' });
  const place = await placeWithPin(w, u.place, pending.location);
  return fileNew(w, { ...resident, awaiting: null }, msg, u, place, pending.location, photos);
}

/** The resident pressed "same problem" or "new problem" on the question about the open petition `number`. */
export async function chooseRepeat(w: Work, ref: ResidentRef, number: string, choice: 'same' | 'new'): Promise<IntakeOutcome | null> {
  const resident = await upsertResident(w, ref);
  const pending = resident.awaiting as Awaiting | null;
  if (pending?.kind !== 'same_or_new') return null;
  const open = await w.tx.petition.findUnique({ where: { id: pending.petitionId }, select: { number: true } });
  if (open?.number !== number) return null;
  return settleRepeat(w, resident, pending, choice);
}

/** Nobody chose (Timer `repeat_choice_expire`): the waiting message becomes a petition of its own, so nothing is swallowed. */
export async function expireRepeatChoice(w: Work, residentId: string, inboundId: string): Promise<void> {
  const [resident] = await w.tx.$queryRaw<Resident[]>`SELECT * FROM "Resident" WHERE id = ${residentId} FOR UPDATE`;
  const pending = resident?.awaiting as Awaiting | null;
  if (!resident || pending?.kind !== 'same_or_new' || pending.inboundId !== inboundId) return;
  await settleRepeat(w, resident, pending, 'new');
}

/** The resident answers our question (a place, usually): merge and decide again. */
async function answerQuestion(w: Work, resident: Resident, p: Petition, awaiting: Extract<Awaiting, { kind: 'info' }>, msg: ResidentMessage): Promise<IntakeOutcome> {
  const previous = w.deps.sealer.open(p.originalTextEnc);
  const added = msg.text.trim();
  const combined = added ? `${previous}\n${added}` : previous;
  const u = await w.deps.understand(combined, { location: msg.location, lang: resident.language === 'en' ? 'en' : 'zh' });
  // What the resident says now about the place outweighs the first message.
  const answerPlace = added ? (await w.deps.understand(added, { location: msg.location })).place : null;
  let place = answerPlace?.streetCode || (answerPlace?.districtCode && !u.place.streetCode) ? answerPlace : u.place;
  place = await placeWithPin(w, place ?? u.place, msg.location);
  if (!place.districtCode && p.districtCode) place = { ...place, districtCode: p.districtCode };

  await w.tx.petition.update({
    where: { id: p.id },
    data: {
      originalTextEnc: w.deps.sealer.seal(combined),
      maskedText: u.maskedText,
      summary: u.summary || p.summary,
      categoryCode: u.category?.code ?? p.categoryCode,
      urgency: u.urgency.class,
      urgencyReason: u.urgency.reason,
      ...placeColumns(place, msg.location),
    },
  });
  // Files or a pin that came with the answer are kept; they reach the unit with the card.
  await addEvidence(w, p, [...evidenceIn(msg), ...(msg.location ? [locationOf(msg.location)] : [])], msg.inboundId);
  await applyTransition(w.tx, {
    petitionId: p.id,
    action: 'provide_info',
    actor: { kind: 'resident', id: resident.id },
    data: { field: awaiting.field, maskedText: added ? u.maskedText : null, method: place.method },
    at: w.now,
  });
  await setAwaiting(w, resident.id, null);
  const fresh = (await w.tx.petition.findUnique({ where: { id: p.id } }))!;
  return decide(w, resident, fresh, u, place, awaiting.asked);
}

/** The one place a new or completed petition is decided: redirect, ask, or dispatch. */
async function decide(w: Work, resident: Resident, p: Petition, u: Understood, place: PlaceFacts, asked: number): Promise<IntakeOutcome> {
  const actor = { kind: 'system' as const };
  if (u.triage.kind !== 'none') {
    await transition(w, { petitionId: p.id, action: 'redirect', actor, reason: u.triage.kind, data: { triage: u.triage.kind }, at: w.now });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'redirected', data: { triage: u.triage.kind } }, `res:${p.id}:redirected`);
    return { kind: 'redirected', petitionId: p.id, number: p.number };
  }
  // Issue 19, not every message is a problem: thanks, praise, a suggestion about the service and abuse are recorded;
  // a policy question (咨询) never waits for a place: with a district it is dispatched there, without one it is recorded.
  if (u.intent && u.intent !== 'problem' && (u.intent !== 'consult' || !place.districtCode)) {
    await transition(w, { petitionId: p.id, action: 'record', actor, reason: u.intent, data: { intent: u.intent }, set: { closedAt: w.now }, at: w.now });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'recorded', data: { intent: u.intent } }, `res:${p.id}:recorded`);
    return { kind: 'recorded', petitionId: p.id, number: p.number, intent: u.intent };
  }
  // Ask for a place only when dispatch needs it (issue 19): no district. A known district with no street is
  // dispatched to the district at once; the unit asks for the exact spot in the case conversation.
  if (!place.districtCode) {
    const choices = place.candidates.slice(0, 6).map((c) => ({ label: c.label, value: c.streetCode ?? c.districtCode }));
    await transition(w, {
      petitionId: p.id,
      action: 'ask_info',
      actor,
      reason: 'place',
      data: { choices },
      set: { pausedAt: p.pausedAt ?? w.now },
      at: w.now,
    });
    await setAwaiting(w, resident.id, { kind: 'info', petitionId: p.id, field: 'place', asked: asked + 1 });
    // One expiry per question, keyed by when it was asked: a later question never moves or reuses an earlier one's timer.
    await createTimers(w.tx, `${p.id}:${w.now.getTime()}`, [{ kind: 'info_expire', dueAt: new Date(w.now.getTime() + w.deps.policy.infoWaitMs), data: { petitionId: p.id, askedAt: w.now.getTime() } }]);
    // Whether a pin can answer (a geocoder places it) and whether one came: the question's wording depends on both.
    // An emergency does not wait a day on the place: safety advice with the question, and a person
    // (the coordinator) alerted to call back if the place is still missing in a few minutes.
    const safety = safetyKind({ urgency: u.urgency.class, categoryCode: u.category?.code ?? null, urgencyReason: u.urgency.reason, triage: u.triage.kind });
    if (safety) {
      await createTimers(w.tx, `${p.id}:emergency`, [{ kind: 'emergency_place', dueAt: new Date(w.now.getTime() + w.deps.policy.emergencyPlaceWaitMs), data: { petitionId: p.id } }]);
    }
    await w.notify({ t: 'resident', petitionId: p.id, note: 'question', data: { field: 'place', choices, pinPlaces: !!w.deps.locate, hadPin: p.lat !== null, ...(safety ? { safety } : {}) } }, `res:${p.id}:q${asked + 1}`);
    return { kind: 'question', petitionId: p.id, number: p.number };
  }
  await dispatchPetition(w, p, { actor });
  await detectCluster(w, p);
  return { kind: 'petition', petitionId: p.id, number: p.number, status: 'dispatched' };
}

/**
 * The resident never answered the question asked at `askedAt` (Timer `info_expire`). Still waiting on it:
 * with a district, the petition goes on at district level; without one it is closed and the resident is
 * told they can write again. Answered, withdrawn, merged, or asked again since: nothing happens.
 */
export async function expireQuestion(w: Work, petitionId: string, askedAt: number): Promise<'dispatched' | 'closed' | null> {
  const seen = await w.tx.petition.findUnique({ where: { id: petitionId }, select: { status: true, residentId: true } });
  if (seen?.status !== 'needs_info') return null;
  // The lock order of intake (resident, then petition): an answer arriving now either committed first
  // (and is seen below) or waits for this transaction; the two never deadlock.
  if (seen.residentId) await w.tx.$queryRaw`SELECT 1 FROM "Resident" WHERE id = ${seen.residentId} FOR UPDATE`;
  const [p] = await w.tx.$queryRaw<(Petition & { askedAt: Date | null })[]>`
    SELECT p.*, (SELECT max(e.at) FROM "PetitionEvent" e WHERE e."petitionId" = p.id AND e.action = 'ask_info') AS "askedAt"
      FROM "Petition" p WHERE p.id = ${petitionId} FOR UPDATE OF p`;
  if (!p || p.status !== 'needs_info' || p.askedAt?.getTime() !== askedAt) return null;
  if (p.residentId) {
    await w.tx.$executeRaw`UPDATE "Resident" SET awaiting = NULL WHERE id = ${p.residentId} AND awaiting->>'kind' = 'info' AND awaiting->>'petitionId' = ${p.id}`;
  }
  const actor = { kind: 'system' as const };
  if (p.districtCode) {
    await applyTransition(w.tx, { petitionId: p.id, action: 'expire_question', actor, reason: 'no_answer', at: w.now });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'unanswered', data: { outcome: 'dispatched' } }, `res:${p.id}:unanswered`);
    const { askedAt: _askedAt, ...petition } = p;
    await dispatchPetition(w, { ...petition, status: 'received' }, { actor, reason: 'no_answer' });
    return 'dispatched';
  }
  await applyTransition(w.tx, { petitionId: p.id, action: 'close_unanswered', actor, reason: 'no_answer', set: { closedAt: w.now }, at: w.now });
  await w.notify({ t: 'resident', petitionId: p.id, note: 'unanswered', data: { outcome: 'closed' } }, `res:${p.id}:unanswered`);
  return 'closed';
}

/**
 * An emergency still has no place (Timer `emergency_place`): the coordinator of its district (or, with
 * no district, the city's coordinators and admins) is told, with the masked text, so a person calls
 * the resident back. Answered by now (dispatched), withdrawn or closed: nothing happens.
 */
export async function alertUnplacedEmergency(w: Work, petitionId: string): Promise<boolean> {
  const p = await w.tx.petition.findUnique({ where: { id: petitionId }, select: { id: true, status: true, districtCode: true } });
  if (p?.status !== 'needs_info') return false;
  await applyTransition(w.tx, { petitionId: p.id, action: 'note', actor: { kind: 'system' }, reason: 'emergency_unplaced', at: w.now });
  await w.notify({ t: 'area', areaCode: p.districtCode ?? '', note: 'emergency_unplaced', petitionId: p.id }, `emergency:${p.id}`);
  return true;
}

interface NewPetition {
  resident: Resident;
  msg: ResidentMessage;
  u: Understood;
  place: PlaceFacts;
  location?: GeoPoint;
  photos: string[];
  evidence: StoredAttachment[];
}

function createPetition(w: Work, resident: Resident, msg: ResidentMessage, u: Understood, place: PlaceFacts, location: GeoPoint | undefined, photos: string[], evidence: StoredAttachment[]): Promise<Petition> {
  return together(w, createPetitions, { resident, msg, u, place, location, photos, evidence });
}

/** New petitions and their first events: their numbers in one statement, the rows in another. */
async function createPetitions(w: Work, items: NewPetition[]): Promise<Petition[]> {
  // The daily counter is taken in its own statement, outside the intake transaction: inside it, its row
  // lock would be held until commit and serialise every intake (found by `npm run bench`). The price:
  // an intake that fails after this line leaves a gap in the day's numbers.
  const numbers = await nextNumbers(w.deps.db, w.now, w.deps.timeZone, items.length);
  const rows = items.map(({ resident, msg, u, place, location, photos, evidence }, i) => ({
    number: numbers[i]!,
    residentId: resident.id,
    channel: msg.resident.platform,
    originalTextEnc: Buffer.from(w.deps.sealer.seal(msg.text)).toString('base64'),
    maskedText: u.maskedText,
    categoryCode: msg.categoryCode ?? u.category?.code ?? 'other',
    classified: u.category?.code ?? 'other',
    chosenBy: msg.categoryCode ? 'sender' : 'classifier',
    urgency: u.urgency.class,
    urgencyReason: u.urgency.reason,
    triage: u.triage.kind === 'none' ? null : u.triage.kind,
    summary: u.summary || u.maskedText.slice(0, 60),
    attachments: JSON.stringify([
      ...photos.map((fileId) => ({ kind: 'photo', fileId, platform: msg.resident.platform })),
      ...evidence,
      ...(location ? [locationOf(location)] : []),
    ]),
    ...placeColumns(place, location),
  }));
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k] ?? null);
  const created = await w.tx.$queryRaw<Petition[]>`
    WITH p AS (
      INSERT INTO "Petition" (id, number, "residentId", channel, "originalTextEnc", "maskedText", "categoryCode", urgency, "urgencyReason", triage, summary,
                              attachments, "districtCode", "streetCode", community, address, "placeMethod", lat, lng, "createdAt", "updatedAt")
      SELECT gen_random_uuid(), number, resident, channel, decode(enc, 'base64'), masked, category, urgency::"Urgency", urgency_reason, triage, summary,
             attachments::jsonb, district, street, community, address, method, lat, lng, ${w.now}, ${w.now}
        FROM unnest(${col('number')}::text[], ${col('residentId')}::text[], ${col('channel')}::text[], ${col('originalTextEnc')}::text[], ${col('maskedText')}::text[],
                    ${col('categoryCode')}::text[], ${col('urgency')}::text[], ${col('urgencyReason')}::text[], ${col('triage')}::text[], ${col('summary')}::text[],
                    ${col('attachments')}::text[], ${col('districtCode')}::text[], ${col('streetCode')}::text[], ${col('community')}::text[], ${col('address')}::text[],
                    ${col('placeMethod')}::text[], ${col('lat')}::float8[], ${col('lng')}::float8[])
               AS t(number, resident, channel, enc, masked, category, urgency, urgency_reason, triage, summary, attachments, district, street, community, address,
                    method, lat, lng)
      RETURNING *),
    e AS (
      INSERT INTO "PetitionEvent" ("petitionId", "actorKind", "actorId", action, "toStatus", at, data)
      SELECT p.id, 'resident', p."residentId", 'receive', 'received', ${w.now},
             jsonb_build_object('category', p."categoryCode", 'method', t.method, 'chosenBy', t.chosen_by, 'classified', t.classified)
        FROM p JOIN unnest(${col('number')}::text[], ${col('placeMethod')}::text[], ${col('chosenBy')}::text[], ${col('classified')}::text[])
                    AS t(number, method, chosen_by, classified) USING (number))
    SELECT * FROM p`;
  const byNumber = new Map(created.map((p) => [p.number, p]));
  return numbers.map((n) => byNumber.get(n)!);
}

function placeColumns(place: PlaceFacts, location?: GeoPoint) {
  return {
    districtCode: place.districtCode,
    streetCode: place.streetCode,
    community: place.community,
    address: place.address,
    placeMethod: place.method,
    ...(location ? { lat: location.lat, lng: location.lng } : {}),
  };
}

async function placeWithPin(w: Work, place: PlaceFacts, location?: GeoPoint): Promise<PlaceFacts> {
  if (place.streetCode || !location || !w.deps.locate) return place;
  const pinned = await w.deps.locate(location).catch((err: unknown) => {
    w.deps.logger.warn({ err }, 'geocoder failed; asking for a named place');
    return null;
  });
  return pinned?.streetCode ? { ...pinned, address: place.address ?? pinned.address } : place;
}

interface RepeatQuery {
  residentId: string;
  categoryCode: string;
  place: PlaceFacts;
}

/** Open petitions of the same resident, category and place within the window (the newest few): repeats, if the same problem. */
async function findRepeat(w: Work, residentId: string, categoryCode: string, place: PlaceFacts): Promise<Petition[]> {
  if (!place.districtCode) return [];
  return together(w, findRepeats, { residentId, categoryCode, place });
}

async function findRepeats(w: Work, queries: RepeatQuery[]): Promise<Petition[][]> {
  const rows = await w.tx.$queryRaw<(Petition & { n: number })[]>`
    SELECT q.n::int AS n, p.*
      FROM unnest(${queries.map((q) => q.residentId)}::text[], ${queries.map((q) => q.categoryCode)}::text[], ${queries.map((q) => q.place.districtCode)}::text[],
                  ${queries.map((q) => q.place.streetCode ?? null)}::text[]) WITH ORDINALITY AS q(resident, category, district, street, n)
     CROSS JOIN LATERAL (
       SELECT * FROM "Petition"
        WHERE "residentId" = q.resident AND "categoryCode" = q.category AND "districtCode" = q.district
          AND (q.street IS NULL OR "streetCode" = q.street) AND status::text = ANY(${[...OPEN_STATES]})
          AND "createdAt" >= ${new Date(w.now.getTime() - w.deps.policy.repeatWindowMs)}
        ORDER BY "createdAt" DESC LIMIT 5) p`;
  const found = queries.map(() => [] as Petition[]);
  for (const { n, ...p } of rows) found[n - 1]!.push(p as Petition);
  return found;
}

/**
 * Something the resident adds to an open petition (补充, a repeat folded in, a photo): recorded, kept
 * in the petition's text (so a unit that gets it later reads it on the card), and sent at once to
 * every unit working on it, quoting the number. The resident is told it was forwarded.
 */
async function addInfo(w: Work, p: Petition, msg: ResidentMessage, resident: Resident, maskedText?: string, photos = msg.photoFileId ? [msg.photoFileId] : []): Promise<IntakeOutcome> {
  const masked = msg.text.trim() ? (maskedText ?? (await w.deps.understand(msg.text, {})).maskedText) : '';
  await applyTransition(w.tx, {
    petitionId: p.id,
    action: 'add_info',
    actor: { kind: 'resident', id: resident.id },
    data: {
      maskedText: masked,
      ...(photos.length ? { photo: photos[0], photos } : {}),
      ...(evidenceIn(msg).length ? { evidence: evidenceIn(msg).map((a) => a.kind) } : {}),
    },
    at: w.now,
  });
  // The same words sent twice are not written twice into the text.
  const addToText = masked && similarity(masked, p.maskedText) < 0.95 && !p.maskedText.includes(masked);
  if (addToText) await w.tx.petition.update({ where: { id: p.id }, data: { maskedText: `${p.maskedText}\n${masked}`.slice(0, 20_000) } });
  // Files and a pin (this message's, or the photos of a folded repeat) reach the unit threaded to its card (core/workflow/evidence.ts).
  const files = msg.media?.length || !photos.length ? evidenceIn(msg) : evidenceOf(msg.resident.platform, photos.map((fileId) => ({ kind: 'photo' as const, fileId })), msg.unsupported);
  await addEvidence(w, p, [...files, ...(msg.location ? [locationOf(msg.location)] : [])], msg.inboundId);
  if (msg.text) await notePhoneDeclined(w, p.id, msg.text);
  const count = await w.tx.petitionEvent.count({ where: { petitionId: p.id, action: 'add_info' } });
  const units = await w.tx.assignment.findMany({ where: { petitionId: p.id, status: { in: [...ACTIVE_ASSIGNMENT] } }, select: { unitId: true }, distinct: ['unitId'] });
  for (const { unitId } of units) {
    await w.notify({ t: 'unit', unitId, note: 'added_info', petitionId: p.id, data: { nth: count, photos: photos.length } }, `unit:${p.id}:added:${count}:${unitId}`);
  }
  await w.notify({ t: 'resident', petitionId: p.id, note: 'repeat' }, `res:${p.id}:repeat:${count}`);
  return { kind: 'repeat', petitionId: p.id, number: p.number };
}

/** Different residents, same category, same street, still open: link them and offer the coordinator a merge or a whistle. */
async function detectCluster(w: Work, p: Petition) {
  if (!p.streetCode || !p.categoryCode || p.categoryCode === 'other') return;
  await together(w, detectClusters, p);
}

/**
 * The clusters of many new petitions, decided as if one after another: each sees the petitions of
 * the same batch that came before it, and the keys they set.
 */
async function detectClusters(w: Work, ps: Petition[]): Promise<void[]> {
  const since = new Date(w.now.getTime() - w.deps.policy.clusterWindowMs);
  const rows = await w.tx.$queryRaw<{ n: number; id: string; number: string; clusterKey: string | null; residentId: string | null }[]>`
    WITH q AS (SELECT * FROM unnest(${ps.map((p) => p.id)}::text[], ${ps.map((p) => p.streetCode)}::text[], ${ps.map((p) => p.categoryCode)}::text[],
                                    ${ps.map((p) => p.residentId)}::text[]) WITH ORDINALITY AS t(id, street, category, resident, n))
    SELECT q.n::int AS n, x.id, x.number, x."clusterKey", x."residentId"
      FROM q JOIN "Petition" x ON x."streetCode" = q.street AND x."categoryCode" = q.category AND x.status::text = ANY(${[...OPEN_STATES, 'dispatched']})
                              AND x."createdAt" >= ${since} AND x."residentId" <> q.resident AND x.id <> q.id
      LEFT JOIN q later ON later.id = x.id
     WHERE later.n IS NULL OR later.n < q.n
     ORDER BY q.n, x."createdAt", later.n NULLS FIRST`;
  const threshold = w.deps.policy.clusterThreshold;
  const peersOf = ps.map(() => [] as typeof rows);
  for (const row of rows) peersOf[row.n - 1]!.push(row);
  const keys = new Map<string, string>();
  for (const [i, p] of ps.entries()) {
    const peers = peersOf[i]!;
    const size = new Set(peers.map((x) => x.residentId)).size + 1;
    if (size < threshold) continue;
    const keyOf = (x: { id: string; clusterKey: string | null }) => keys.get(x.id) ?? x.clusterKey;
    const key = peers.map(keyOf).find((k) => !!k) ?? `${p.streetCode}|${p.categoryCode}|${peers[0]!.number}`;
    for (const id of [p.id, ...peers.map((x) => x.id)]) keys.set(id, key);
    // Tell the coordinator when the cluster forms and each time it doubles, not at every new petition.
    if (!Number.isInteger(Math.log2(size / threshold))) continue;
    await w.notify(
      { t: 'area', areaCode: p.streetCode!, note: 'cluster', petitionId: p.id, data: { clusterKey: key, numbers: [...peers.map((x) => x.number), p.number], into: peers[0]!.number } },
      `cluster:${key}:${size}`,
    );
  }
  if (keys.size) {
    await w.tx.$executeRaw`
      UPDATE "Petition" p SET "clusterKey" = k.key, "updatedAt" = ${w.now}
        FROM unnest(${[...keys.keys()]}::text[], ${[...keys.values()]}::text[]) AS k(id, key)
       WHERE p.id = k.id AND p."clusterKey" IS DISTINCT FROM k.key`;
  }
  return ps.map(() => undefined);
}

export async function setAwaiting(w: Work, residentId: string, awaiting: Awaiting | null) {
  await w.tx.resident.update({ where: { id: residentId }, data: { awaiting: awaiting ? (awaiting as Prisma.InputJsonObject) : Prisma.DbNull } });
}

async function replyNeedDetails(w: Work, resident: Resident, inboundId: string, brought: StoredAttachment[] = []) {
  // What came is acknowledged (a voice note cannot be read: it is kept and the resident asked for words).
  const got = brought.map((a) => (a.kind === 'unsupported' ? 'unsupported' : a.kind));
  await w.notify({ t: 'resident', residentId: resident.id, note: 'need_details', data: got.length ? { got, problems: problemsOf(brought) } : undefined }, `need:${inboundId}`);
}
