/**
 * Intake: where a resident's message becomes a petition, a clarifying
 * question, a redirect, or an addition to an open petition. Everything for one
 * resident is serialised by the lock its upsert takes on the Resident row (held
 * to commit; a brand-new resident's concurrent insert waits the same way), so two
 * messages arriving at once can never make two petitions out of one conversation.
 */
import type { GeoPoint } from '../../adapters/types.js';
import { Prisma, type Petition, type Resident } from '../../prisma/generated/client.js';
import { maskPhone, residentMobile } from '../pii.js';
import { applyTransition, OPEN_STATES } from '../petition/lifecycle.js';
import { nextNumber } from '../petition/number.js';
import type { Work } from './context.js';
import { dispatchPetition } from './dispatch.js';
import { createTimers } from './timers.js';
import type { PlaceFacts, Understood } from './understanding-port.js';

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
  location?: GeoPoint;
  contactPhone?: string;
}

/** What the bot waits for from this resident. */
export type Awaiting =
  | { kind: 'info'; petitionId: string; field: string; asked: number }
  | { kind: 'draft'; location?: GeoPoint; photoFileIds?: string[] }
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
export async function upsertResident(w: Work, r: ResidentRef, contact?: ContactPhone): Promise<Resident> {
  // One statement (Prisma's upsert would read first): residents write on every message. The phone, when
  // there is one, rides along (sealed; the masked form is all anyone else sees), so it costs no statement.
  const language = r.language?.startsWith('en') ? 'en' : 'zh';
  const phoneEnc = contact ? Buffer.from(w.deps.sealer.seal(contact.phone)) : null;
  const phoneMasked = contact ? maskPhone(contact.phone) : null;
  const [resident] = await w.tx.$queryRaw<Resident[]>`
    INSERT INTO "Resident" (id, platform, "platformUserId", "chatId", "channelAccount", language, "phoneEnc", "phoneMasked", "lastInboundAt", "windowSent", "createdAt")
    VALUES (gen_random_uuid(), ${r.platform}, ${r.userId}, ${r.chatId}, ${r.channelAccount ?? null}, ${language}, ${phoneEnc}::bytea, ${phoneMasked}::text, ${w.now}, 0, ${w.now})
    ON CONFLICT (platform, "platformUserId") DO UPDATE
      SET "chatId" = EXCLUDED."chatId", "channelAccount" = COALESCE(EXCLUDED."channelAccount", "Resident"."channelAccount"), "lastInboundAt" = EXCLUDED."lastInboundAt", "windowSent" = 0,
          "phoneEnc" = CASE WHEN ${contact?.shared ?? false}::boolean OR "Resident"."phoneEnc" IS NULL THEN COALESCE(EXCLUDED."phoneEnc", "Resident"."phoneEnc") ELSE "Resident"."phoneEnc" END,
          "phoneMasked" = CASE WHEN ${contact?.shared ?? false}::boolean OR "Resident"."phoneEnc" IS NULL THEN COALESCE(EXCLUDED."phoneMasked", "Resident"."phoneMasked") ELSE "Resident"."phoneMasked" END
    RETURNING *`;
  return resident!;
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
    if (p && awaiting.kind === 'more' && (OPEN_STATES as string[]).includes(p.status) && text) {
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
  const photos = [...(draft?.photoFileIds ?? []), ...(msg.photoFileId ? [msg.photoFileId] : [])];
  if (!text) {
    // A pin or a photo alone: keep it and ask what the problem is.
    if (location || photos.length) {
      await setAwaiting(w, resident.id, { kind: 'draft', location, photoFileIds: photos });
    }
    await replyNeedDetails(w, resident, msg.inboundId);
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

  const p = await createPetition(w, resident, msg, u, place, location, photos);
  if (resident.awaiting) await setAwaiting(w, resident.id, null);
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
    await applyTransition(w.tx, { petitionId: p.id, action: 'redirect', actor, reason: u.triage.kind, data: { triage: u.triage.kind }, at: w.now });
    await w.notify({ t: 'resident', petitionId: p.id, note: 'redirected', data: { triage: u.triage.kind } }, `res:${p.id}:redirected`);
    return { kind: 'redirected', petitionId: p.id, number: p.number };
  }
  const missingStreet = !place.streetCode;
  if (!place.districtCode || (missingStreet && asked < MAX_PLACE_QUESTIONS)) {
    const choices = place.candidates.slice(0, 6).map((c) => ({ label: c.label, value: c.streetCode ?? c.districtCode }));
    await applyTransition(w.tx, {
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
    await w.notify({ t: 'resident', petitionId: p.id, note: 'question', data: { field: 'place', choices } }, `res:${p.id}:q${asked + 1}`);
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

async function createPetition(w: Work, resident: Resident, msg: ResidentMessage, u: Understood, place: PlaceFacts, location: GeoPoint | undefined, photos: string[]): Promise<Petition> {
  // The daily counter is taken in its own statement, outside the intake transaction: inside it, its row
  // lock would be held until commit and serialise every intake (found by `npm run bench`). The price:
  // an intake that fails after this line leaves a gap in the day's numbers.
  const number = await nextNumber(w.deps.db, w.now, w.deps.timeZone);
  const attachments = [
    ...photos.map((fileId) => ({ kind: 'photo', fileId })),
    ...(location ? [{ kind: 'location', lat: location.lat, lng: location.lng, coordSystem: location.coordSystem }] : []),
  ];
  const c = placeColumns(place, location);
  // The petition and its first event in one statement.
  const [p] = await w.tx.$queryRaw<Petition[]>`
    WITH p AS (
      INSERT INTO "Petition" (id, number, "residentId", channel, "originalTextEnc", "maskedText", "categoryCode", urgency, "urgencyReason", triage, summary,
                              attachments, "districtCode", "streetCode", community, address, "placeMethod", lat, lng, "createdAt", "updatedAt")
      VALUES (gen_random_uuid(), ${number}, ${resident.id}, ${msg.resident.platform}, ${Buffer.from(w.deps.sealer.seal(msg.text))}, ${u.maskedText},
              ${u.category?.code ?? 'other'}, ${u.urgency.class}::"Urgency", ${u.urgency.reason}, ${u.triage.kind === 'none' ? null : u.triage.kind},
              ${u.summary || u.maskedText.slice(0, 60)}, ${JSON.stringify(attachments)}::jsonb, ${c.districtCode}, ${c.streetCode}, ${c.community}, ${c.address},
              ${c.placeMethod}, ${location?.lat ?? null}::float8, ${location?.lng ?? null}::float8, ${w.now}, ${w.now})
      RETURNING *),
    e AS (
      INSERT INTO "PetitionEvent" ("petitionId", "actorKind", "actorId", action, "toStatus", at, data)
      SELECT id, 'resident', ${resident.id}, 'receive', 'received', ${w.now}, jsonb_build_object('category', "categoryCode", 'method', ${place.method}::text) FROM p)
    SELECT * FROM p`;
  return p!;
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

/** Same resident, category and place as an open petition within the window: a repeat. */
async function findRepeat(w: Work, residentId: string, categoryCode: string, place: PlaceFacts): Promise<Petition | null> {
  if (!place.districtCode) return null;
  const [p] = await w.tx.$queryRaw<Petition[]>`
    SELECT * FROM "Petition"
    WHERE "residentId" = ${residentId} AND "categoryCode" = ${categoryCode} AND "districtCode" = ${place.districtCode}
      AND (${place.streetCode}::text IS NULL OR "streetCode" = ${place.streetCode}) AND status::text = ANY(${[...OPEN_STATES]})
      AND "createdAt" >= ${new Date(w.now.getTime() - w.deps.policy.repeatWindowMs)}
    ORDER BY "createdAt" DESC LIMIT 1`;
  return p ?? null;
}

async function addInfo(w: Work, p: Petition, msg: ResidentMessage, resident: Resident, maskedText?: string): Promise<IntakeOutcome> {
  const masked = maskedText ?? (await w.deps.understand(msg.text, {})).maskedText;
  await applyTransition(w.tx, {
    petitionId: p.id,
    action: 'add_info',
    actor: { kind: 'resident', id: resident.id },
    data: { maskedText: masked, ...(msg.photoFileId ? { photo: msg.photoFileId } : {}) },
    at: w.now,
  });
  if (msg.photoFileId) {
    const attachments = [...((p.attachments as object[]) ?? []), { kind: 'photo', fileId: msg.photoFileId }];
    await w.tx.petition.update({ where: { id: p.id }, data: { attachments } });
  }
  const count = await w.tx.petitionEvent.count({ where: { petitionId: p.id, action: 'add_info' } });
  await w.notify({ t: 'resident', petitionId: p.id, note: 'repeat' }, `res:${p.id}:repeat:${count}`);
  return { kind: 'repeat', petitionId: p.id, number: p.number };
}

/** Different residents, same category, same street, still open: link them and offer the coordinator a merge or a whistle. */
async function detectCluster(w: Work, p: Petition) {
  if (!p.streetCode || !p.categoryCode || p.categoryCode === 'other') return;
  const since = new Date(w.now.getTime() - w.deps.policy.clusterWindowMs);
  const peers = await w.tx.$queryRaw<{ id: string; number: string; clusterKey: string | null; residentId: string | null }[]>`
    SELECT id, number, "clusterKey", "residentId" FROM "Petition"
    WHERE "streetCode" = ${p.streetCode} AND "categoryCode" = ${p.categoryCode} AND status::text = ANY(${[...OPEN_STATES, 'dispatched']})
      AND "createdAt" >= ${since} AND "residentId" <> ${p.residentId} AND id <> ${p.id}
    ORDER BY "createdAt"`;
  const size = new Set(peers.map((x) => x.residentId)).size + 1;
  const threshold = w.deps.policy.clusterThreshold;
  if (size < threshold) return;
  const key = peers.find((x) => x.clusterKey)?.clusterKey ?? `${p.streetCode}|${p.categoryCode}|${peers[0]!.number}`;
  await w.tx.$executeRaw`UPDATE "Petition" SET "clusterKey" = ${key}, "updatedAt" = ${w.now} WHERE id = ANY(${[p.id, ...peers.map((x) => x.id)]}) AND "clusterKey" IS DISTINCT FROM ${key}`;
  // Tell the coordinator when the cluster forms and each time it doubles, not at every new petition.
  if (!Number.isInteger(Math.log2(size / threshold))) return;
  await w.notify(
    { t: 'area', areaCode: p.streetCode, note: 'cluster', petitionId: p.id, data: { clusterKey: key, numbers: [...peers.map((x) => x.number), p.number], into: peers[0]!.number } },
    `cluster:${key}:${size}`,
  );
}

export async function setAwaiting(w: Work, residentId: string, awaiting: Awaiting | null) {
  await w.tx.resident.update({ where: { id: residentId }, data: { awaiting: awaiting ? (awaiting as Prisma.InputJsonObject) : Prisma.DbNull } });
}

async function replyNeedDetails(w: Work, resident: Resident, inboundId: string) {
  await w.notify({ t: 'resident', residentId: resident.id, note: 'need_details' }, `need:${inboundId}`);
}
