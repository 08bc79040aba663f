/**
 * Intake: where a resident's message becomes a petition, a clarifying
 * question, a redirect, or an addition to an open petition. Everything for one
 * resident is serialised by the lock its upsert takes on the Resident row (held
 * to commit; a brand-new resident's concurrent insert waits the same way), so two
 * messages arriving at once can never make two petitions out of one conversation.
 */
import type { GeoPoint, InboundMedia } from '../../adapters/types.js';
import { Prisma, type Petition, type Resident } from '../../prisma/generated/client.js';
import { maskPhone, residentMobile } from '../pii.js';
import { applyTransition, OPEN_STATES, transition } from '../petition/lifecycle.js';
import { nextNumbers } from '../petition/number.js';
import type { Work } from './context.js';
import { dispatchPetition } from './dispatch.js';
import { createTimers } from './timers.js';
import type { PlaceFacts, Understood } from './understanding-port.js';
import { together } from './together.js';
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
  | { kind: 'comment'; petitionId: string };

export type IntakeOutcome =
  | { kind: 'petition'; petitionId: string; number: string; status: string }
  | { kind: 'question'; petitionId: string; number: string }
  | { kind: 'repeat'; petitionId: string; number: string }
  | { kind: 'redirected'; petitionId: string; number: string }
  | { kind: 'need_details' }
  | { kind: 'comment'; petitionId: string };

/** Place questions asked before we dispatch on what we have (district level). */
const MAX_PLACE_QUESTIONS = 1;

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

export async function receiveResidentMessage(w: Work, msg: ResidentMessage): Promise<IntakeOutcome> {
  // A shared contact, or else a mobile number the resident typed (kept only if none is on file).
  const typed = msg.contactPhone ? null : residentMobile(msg.text);
  const contact = msg.contactPhone ? { phone: msg.contactPhone, shared: true } : typed ? { phone: typed, shared: false } : undefined;
  const resident = await upsertResident(w, msg.resident, contact);
  const awaiting = resident.awaiting as Awaiting | null;
  const text = msg.text.trim();

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

  const repeat = await findRepeat(w, resident.id, u.category?.code ?? 'other', place);
  if (repeat) return addInfo(w, repeat, msg, resident, u.maskedText);

  const p = await createPetition(w, resident, msg, u, place, location, photos, evidence);
  if (resident.awaiting) await setAwaiting(w, resident.id, null);
  await notePhoneDeclined(w, p.id, text);
  if (hasProblem(brought)) await w.notify({ t: 'resident', petitionId: p.id, note: 'media_problem', data: { problems: problemsOf(brought) } }, `res:${p.id}:media:${msg.inboundId}`);
  return decide(w, resident, p, u, place, 0);
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
  const missingStreet = !place.streetCode;
  if (!place.districtCode || (missingStreet && asked < MAX_PLACE_QUESTIONS)) {
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
    await w.notify({ t: 'resident', petitionId: p.id, note: 'question', data: { field: 'place', choices, pinPlaces: !!w.deps.locate, hadPin: p.lat !== null } }, `res:${p.id}:q${asked + 1}`);
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
    categoryCode: u.category?.code ?? 'other',
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
      SELECT p.id, 'resident', p."residentId", 'receive', 'received', ${w.now}, jsonb_build_object('category', p."categoryCode", 'method', t.method)
        FROM p JOIN unnest(${col('number')}::text[], ${col('placeMethod')}::text[]) AS t(number, method) USING (number))
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

/** Same resident, category and place as an open petition within the window: a repeat. */
async function findRepeat(w: Work, residentId: string, categoryCode: string, place: PlaceFacts): Promise<Petition | null> {
  if (!place.districtCode) return null;
  return together(w, findRepeats, { residentId, categoryCode, place });
}

async function findRepeats(w: Work, queries: RepeatQuery[]): Promise<(Petition | null)[]> {
  const rows = await w.tx.$queryRaw<(Petition & { n: number })[]>`
    SELECT q.n::int AS n, p.*
      FROM unnest(${queries.map((q) => q.residentId)}::text[], ${queries.map((q) => q.categoryCode)}::text[], ${queries.map((q) => q.place.districtCode)}::text[],
                  ${queries.map((q) => q.place.streetCode ?? null)}::text[]) WITH ORDINALITY AS q(resident, category, district, street, n)
     CROSS JOIN LATERAL (
       SELECT * FROM "Petition"
        WHERE "residentId" = q.resident AND "categoryCode" = q.category AND "districtCode" = q.district
          AND (q.street IS NULL OR "streetCode" = q.street) AND status::text = ANY(${[...OPEN_STATES]})
          AND "createdAt" >= ${new Date(w.now.getTime() - w.deps.policy.repeatWindowMs)}
        ORDER BY "createdAt" DESC LIMIT 1) p`;
  const found = new Map(rows.map(({ n, ...p }) => [n, p as Petition]));
  return queries.map((_, i) => found.get(i + 1) ?? null);
}

async function addInfo(w: Work, p: Petition, msg: ResidentMessage, resident: Resident, maskedText?: string): Promise<IntakeOutcome> {
  const masked = maskedText ?? (msg.text.trim() ? (await w.deps.understand(msg.text, {})).maskedText : '');
  await applyTransition(w.tx, {
    petitionId: p.id,
    action: 'add_info',
    actor: { kind: 'resident', id: resident.id },
    data: { maskedText: masked, ...(msg.photoFileId ? { photo: msg.photoFileId } : {}), ...(evidenceIn(msg).length ? { evidence: evidenceIn(msg).map((a) => a.kind) } : {}) },
    at: w.now,
  });
  // Files and a pin sent now reach the unit threaded to its card (core/workflow/evidence.ts).
  await addEvidence(w, p, [...evidenceIn(msg), ...(msg.location ? [locationOf(msg.location)] : [])], msg.inboundId);
  if (msg.text) await notePhoneDeclined(w, p.id, msg.text);
  const count = await w.tx.petitionEvent.count({ where: { petitionId: p.id, action: 'add_info' } });
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
