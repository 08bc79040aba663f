/**
 * Test data for insight, Open311 and dashboard tests: the real gazetteer and
 * taxonomy (so rankings cover all 343 streets), plus small builders for
 * petitions, assignments, ratings and events with explicit timestamps.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../core/db.js';

const root = new URL('../../core/taxonomy/', import.meta.url);

interface Gazetteer {
  districts: { code: string; name: string; streets: { code: string; name: string; kind: string }[] }[];
}
interface Taxonomy {
  categories: { code: string; name_zh: string; name_en: string; handler: string; scope_zh: string; urgent_when: string[] }[];
  department_types: { code: string; name_zh: string; level: string }[];
}

export const gazetteer = JSON.parse(readFileSync(new URL('areas.json', root), 'utf8')) as Gazetteer;
export const taxonomy = JSON.parse(readFileSync(new URL('categories.json', root), 'utf8')) as Taxonomy;

export async function seedAreasAndCategories(db: PrismaClient): Promise<void> {
  await db.area.createMany({
    data: gazetteer.districts.map((d) => ({ code: d.code, name: d.name, level: 'district' as const })),
  });
  await db.area.createMany({
    data: gazetteer.districts.flatMap((d) =>
      d.streets.map((s) => ({ code: s.code, name: s.name, level: 'street' as const, kind: s.kind, parentCode: d.code })),
    ),
  });
  await db.category.createMany({
    data: taxonomy.categories.map((c) => ({
      code: c.code, nameZh: c.name_zh, nameEn: c.name_en, handler: c.handler, scopeZh: c.scope_zh, urgentWhen: c.urgent_when,
    })),
  });
  await db.departmentType.createMany({
    data: taxonomy.department_types.map((t) => ({ code: t.code, nameZh: t.name_zh, level: t.level })),
  });
}

let seq = 0;

export interface PetitionSpec {
  number?: string;
  streetCode?: string | null;
  districtCode?: string | null;
  categoryCode?: string | null;
  status?: string;
  createdAt?: Date;
  updatedAt?: Date;
  residentId?: string | null;
  summary?: string;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  channel?: string;
}

export async function addPetition(db: PrismaClient, p: PetitionSpec = {}) {
  seq++;
  const district = p.districtCode !== undefined ? p.districtCode : p.streetCode ? p.streetCode.split('-')[0]! : null;
  return db.petition.create({
    data: {
      number: p.number ?? `261101${String(seq).padStart(4, '0')}`,
      channel: p.channel ?? 'telegram',
      originalTextEnc: Buffer.from('x'),
      maskedText: p.summary ?? '测试诉求',
      summary: p.summary ?? '测试诉求',
      streetCode: p.streetCode ?? null,
      districtCode: district,
      categoryCode: p.categoryCode ?? null,
      status: (p.status ?? 'received') as never,
      residentId: p.residentId ?? null,
      address: p.address ?? null,
      lat: p.lat ?? null,
      lng: p.lng ?? null,
      ...(p.createdAt ? { createdAt: p.createdAt } : {}),
      ...(p.updatedAt ? { updatedAt: p.updatedAt } : {}),
    },
  });
}

export async function addUnit(db: PrismaClient, id: string, typeCode: string, areaCode: string | null, name = id) {
  return db.unit.create({ data: { id, name, typeCode, areaCode } });
}

export async function addResident(db: PrismaClient) {
  return db.resident.create({ data: { platform: 'telegram', platformUserId: randomUUID(), chatId: randomUUID() } });
}

/** Beijing local time → Date. `bj('2026-11-01 10:00')` */
export function bj(s: string): Date {
  return new Date(s.replace(' ', 'T') + (s.length <= 10 ? 'T00:00' : '') + ':00+08:00');
}
