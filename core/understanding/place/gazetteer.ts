/**
 * The project copy of the Beijing gazetteer (core/taxonomy/areas.json), read
 * once at module load and flattened for the place index.
 */
import { readFileSync } from 'node:fs';

export interface AreaCommunity {
  name: string;
  gb_code?: string;
  kind?: 'community' | 'village';
  full_name?: string;
  aliases?: string[];
}
export interface AreaStreet {
  code: string;
  name: string;
  kind: 'street' | 'area' | 'town' | 'township';
  gb_code: string;
  aliases: string[];
  communities: AreaCommunity[];
}
export interface AreaDistrict {
  code: string;
  name: string;
  aliases: string[];
  streets: AreaStreet[];
}

export interface StreetInfo {
  code: string;
  name: string;
  districtCode: string;
  districtName: string;
  gbCode: string;
  aliases: string[];
  communities: AreaCommunity[];
}

const raw = JSON.parse(readFileSync(new URL('../../taxonomy/areas.json', import.meta.url), 'utf8')) as {
  districts: AreaDistrict[];
};

export const DISTRICTS: readonly AreaDistrict[] = raw.districts;
export const DISTRICT_BY_CODE = new Map<string, AreaDistrict>(raw.districts.map((d) => [d.code, d]));
export const STREETS = new Map<string, StreetInfo>();
/** 9-digit official code → our street code. */
export const STREET_BY_GB = new Map<string, string>();
for (const d of raw.districts) {
  for (const s of d.streets) {
    STREETS.set(s.code, {
      code: s.code,
      name: s.name,
      districtCode: d.code,
      districtName: d.name,
      gbCode: s.gb_code,
      aliases: s.aliases,
      communities: s.communities,
    });
    STREET_BY_GB.set(s.gb_code, s.code);
  }
}

export function districtOfStreet(streetCode: string): string {
  const s = STREETS.get(streetCode);
  if (s) return s.districtCode;
  return streetCode.slice(0, 6);
}

export function streetLabel(streetCode: string): string {
  const s = STREETS.get(streetCode);
  return s ? `${s.districtName}${s.name}` : streetCode;
}
