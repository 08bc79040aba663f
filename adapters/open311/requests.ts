/**
 * Petitions as GeoReport v2 service requests. Lifecycle → open/closed:
 * closed = rated, closed, merged, withdrawn, redirected; everything else is
 * open. Free text leaving the system (description, status_notes, address) goes
 * through maskText so no phone, ID number or e-mail is published.
 *
 * GET requests needs no API key (as the spec intends), so by default nothing
 * that tells who or exactly where is published: `description` and
 * `status_notes` go through publicText (no address, house number or contact),
 * `address` is the street and community, and lat/long are rounded to 3
 * decimals (about 100 m). `detail: 'full'` (a key in OPEN311_DETAIL_KEYS)
 * publishes the masked text, the (masked) stored address and the exact point.
 */
import { DateTime } from 'luxon';
import type { PrismaClient } from '../../core/db.js';
import { maskText, publicText } from '../../core/pii.js';
import { leadUnitAt } from '../../core/insight/assessment.js';

export const CLOSED_STATUSES = ['rated', 'closed', 'merged', 'withdrawn', 'redirected'] as const;
const CLOSED = new Set<string>(CLOSED_STATUSES);

export function openClosed(status: string): 'open' | 'closed' {
  return CLOSED.has(status) ? 'closed' : 'open';
}

export interface ServiceRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

/** ISO 8601 with the local offset, e.g. 2026-11-25T09:30:00+08:00. */
export function isoLocal(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true })!;
}

export interface RequestFilter {
  ids?: string[];
  serviceCodes?: string[];
  statuses?: ('open' | 'closed')[];
  start?: Date;
  end?: Date;
  limit: number;
}

export type LocationDetail = 'coarse' | 'full';

const requestSelect = {
  id: true, number: true, status: true, categoryCode: true, maskedText: true, summary: true, address: true,
  streetCode: true, districtCode: true, community: true,
  lat: true, lng: true, createdAt: true, updatedAt: true, feedbackDueAt: true,
  assignments: {
    where: { role: 'lead' as const },
    select: { unitId: true, status: true, dispatchedAt: true, resolvedAt: true, answer: true, unit: { select: { name: true } } },
  },
  events: { where: { reason: { not: null } }, orderBy: { at: 'desc' as const }, take: 1, select: { reason: true, at: true } },
} as const;

const round3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

export async function findRequests(db: PrismaClient, f: RequestFilter, zone: string, detail: LocationDetail = 'coarse'): Promise<ServiceRequest[]> {
  const where = f.ids
    ? { number: { in: f.ids } }
    : {
        ...(f.serviceCodes ? { categoryCode: { in: f.serviceCodes } } : {}),
        ...(f.statuses && f.statuses.length === 1
          ? f.statuses[0] === 'closed'
            ? { status: { in: [...CLOSED_STATUSES] } }
            : { status: { notIn: [...CLOSED_STATUSES] } }
          : {}),
        createdAt: { ...(f.start ? { gte: f.start } : {}), ...(f.end ? { lte: f.end } : {}) },
      };
  const rows = await db.petition.findMany({ where, select: requestSelect, orderBy: { createdAt: 'desc' }, take: f.limit });
  const cats = new Map((await db.category.findMany({ select: { code: true, nameZh: true } })).map((c) => [c.code, c.nameZh]));
  const areaCodes = [...new Set(rows.flatMap((p) => [p.streetCode, p.districtCode]).filter((c): c is string => !!c))];
  const areas = new Map(
    (areaCodes.length ? await db.area.findMany({ where: { code: { in: areaCodes } }, select: { code: true, name: true } }) : []).map((a) => [a.code, a.name]),
  );
  const now = new Date();
  return rows.map((p) => {
    const leadId = leadUnitAt(p.assignments, now);
    const lead = p.assignments.filter((a) => a.unitId === leadId).sort((a, b) => b.dispatchedAt.getTime() - a.dispatchedAt.getTime())[0];
    const answers = p.assignments
      .filter((a) => a.answer)
      .map((a) => ({ text: a.answer!, at: a.resolvedAt ?? a.dispatchedAt }));
    const reasons = p.events.map((e) => ({ text: e.reason!, at: e.at }));
    const note = [...answers, ...reasons].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    const out = detail === 'full' ? maskText : (text: string) => publicText(text, { address: p.address });
    return {
      service_request_id: p.number,
      status: openClosed(p.status),
      status_notes: note ? out(note.text) : null,
      service_name: p.categoryCode ? cats.get(p.categoryCode) ?? null : null,
      service_code: p.categoryCode,
      description: out(p.maskedText || p.summary),
      agency_responsible: lead?.unit.name ?? null,
      service_notice: null,
      requested_datetime: isoLocal(p.createdAt, zone),
      updated_datetime: isoLocal(p.updatedAt, zone),
      expected_datetime: p.feedbackDueAt ? isoLocal(p.feedbackDueAt, zone) : null,
      address:
        detail === 'full'
          ? p.address ? maskText(p.address) : null
          : [p.districtCode && areas.get(p.districtCode), p.streetCode && areas.get(p.streetCode), p.community].filter(Boolean).join('') || null,
      address_id: null,
      zipcode: null,
      lat: detail === 'full' ? p.lat : round3(p.lat),
      long: detail === 'full' ? p.lng : round3(p.lng),
      media_url: null,
    };
  });
}
