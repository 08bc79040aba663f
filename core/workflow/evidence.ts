/**
 * Evidence from residents (photos, voice notes, videos, files, location pins): what is kept on the
 * petition (`Petition.attachments`), what reaches the unit with the card, and what is relayed later,
 * threaded to the card. A file the platform could not hand on (over its size limit, an expired media
 * id) or a kind of message the service cannot take is kept as a note: the resident is told, the card
 * says so, and nothing else of the message is lost.
 */
import gcoordModule from 'gcoord';
import type { GeoPoint, InboundMedia, OutboundAttachment } from '../channel.js';
import type { Petition } from '../../prisma/generated/client.js';
import type { Work } from './context.js';
import { ACTIVE_ASSIGNMENT } from './dispatch.js';

/** One file as the petition keeps it (JSON in `Petition.attachments`). */
export interface StoredMedia extends InboundMedia {
  /** the platform the file id belongs to (the resident's) */
  platform: string;
}
export interface StoredLocation {
  kind: 'location';
  lat: number;
  lng: number;
  coordSystem: GeoPoint['coordSystem'];
  label?: string;
}
/** A message the service could not take as evidence (a sticker…): kept so the card can say so. */
export interface StoredUnsupported {
  kind: 'unsupported';
  what: string;
}
export type StoredAttachment = StoredMedia | StoredLocation | StoredUnsupported;

// gcoord is CommonJS with an ESM-style `default` in its typings: take whichever the runtime gives.
type Gcoord = typeof gcoordModule.default;
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * A pin as the unit is shown it: GCJ-02 coordinates (what Chinese map services use; Telegram pins are
 * WGS-84) and a link that opens the point on AMap.
 */
export function mapPoint(loc: Pick<StoredLocation, 'lat' | 'lng' | 'coordSystem' | 'label'>): { lat: number; lng: number; url: string } {
  const [lng, lat] = loc.coordSystem === 'gcj02' ? [loc.lng, loc.lat] : (gcoord.transform([loc.lng, loc.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number]);
  const name = loc.label ? `&name=${encodeURIComponent(loc.label.slice(0, 40))}` : '';
  return { lat: round6(lat), lng: round6(lng), url: `https://uri.amap.com/marker?position=${round6(lng)},${round6(lat)}${name}&coordinate=gaode` };
}

/** What a sender re-sends after the card: the files that can go, and the pin (WGS-84, as Telegram's sendLocation expects). */
export function outboundAttachments(list: StoredAttachment[]): OutboundAttachment[] {
  return list.flatMap((a): OutboundAttachment[] => {
    if (a.kind === 'unsupported') return [];
    if (a.kind === 'location') {
      const [lng, lat] = a.coordSystem === 'wgs84' ? [a.lng, a.lat] : (gcoord.transform([a.lng, a.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]);
      return [{ kind: 'location', lat: round6(lat), lng: round6(lng), ...(a.label ? { label: a.label } : {}) }];
    }
    if (a.problem) return [];
    return [{ kind: a.kind, platform: a.platform, fileId: a.fileId, ...(a.relayId ? { relayId: a.relayId } : {}), ...(a.mime ? { mime: a.mime } : {}), ...(a.fileName ? { fileName: a.fileName } : {}) }];
  });
}

/** What a resident's message brought, as the petition keeps it. */
export function evidenceOf(platform: string, media: InboundMedia[] | undefined, unsupported?: string): StoredAttachment[] {
  const out: StoredAttachment[] = (media ?? []).map((m) => {
    const s: StoredMedia = { kind: m.kind, fileId: m.fileId, platform };
    for (const k of ['size', 'mime', 'fileName', 'durationSec', 'relayId', 'problem'] as const) if (m[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = m[k];
    return s;
  });
  if (unsupported) out.push({ kind: 'unsupported', what: unsupported });
  return out;
}

export function locationOf(location: GeoPoint): StoredLocation {
  return { kind: 'location', lat: location.lat, lng: location.lng, coordSystem: location.coordSystem, ...(location.label ? { label: location.label } : {}) };
}

export function attachmentsOf(p: { attachments: unknown }): StoredAttachment[] {
  const list = Array.isArray(p.attachments) ? (p.attachments as StoredAttachment[]) : [];
  // Rows from before this module stored photos as { kind: 'photo', fileId } only.
  return list.map((a) => (a.kind !== 'location' && a.kind !== 'unsupported' && !(a as StoredMedia).platform ? { ...a, platform: '' } : a)) as StoredAttachment[];
}

/** The files that can go to the unit, and the ones that could not (with why). */
export function problemsOf(list: StoredAttachment[]): { kind: string; problem: string }[] {
  return list.flatMap((a) =>
    a.kind === 'unsupported' ? [{ kind: a.what, problem: 'unsupported' }] : a.kind !== 'location' && a.problem ? [{ kind: a.kind, problem: a.problem }] : [],
  );
}

export function hasProblem(list: StoredAttachment[]): boolean {
  return problemsOf(list).length > 0;
}

/**
 * Evidence sent later about an open petition: kept on it and relayed to every unit working on it,
 * threaded to that unit's card (bots/render.ts finds the card). The resident is told when a file could
 * not be handed on.
 */
export async function addEvidence(w: Work, p: Petition, items: StoredAttachment[], key: string): Promise<void> {
  if (!items.length) return;
  const all = [...attachmentsOf(p), ...items];
  await w.tx.petition.update({ where: { id: p.id }, data: { attachments: all as object[] } });
  const from = all.length - items.length;
  const units = await w.tx.assignment.findMany({ where: { petitionId: p.id, status: { in: [...ACTIVE_ASSIGNMENT] } }, select: { unitId: true } });
  for (const unitId of new Set(units.map((u) => u.unitId))) {
    await w.notify({ t: 'unit', unitId, note: 'evidence', petitionId: p.id, data: { from, to: all.length } }, `evidence:${key}:${unitId}`);
  }
  if (hasProblem(items)) await w.notify({ t: 'resident', petitionId: p.id, note: 'media_problem', data: { problems: problemsOf(items) } }, `res:${p.id}:media:${key}`);
}
