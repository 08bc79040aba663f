/**
 * Location pins and addresses the dictionaries cannot place, through the
 * geocoder when one is configured. Without a geocoder (or over quota, or when
 * it fails) the result has no street and says why, so the caller stores the
 * pin and asks the resident for a named place.
 */
import type { GeoPoint } from '../../channel.js';
import type { Geocoder, GeocodeAnswer } from './geocoder.js';
import { resolvePlace, type PlaceResult } from './index.js';

function unresolved(method: 'pin' | 'geocoder', reason: PlaceResult['reason'], districtCode: string | null = null, address: string | null = null): PlaceResult {
  return { districtCode, streetCode: null, community: null, communityCode: null, address, method, confidence: 0, candidates: [], reason };
}

function fromAnswer(a: GeocodeAnswer, method: 'pin' | 'geocoder', address: string | null): PlaceResult {
  if (a.streetCode) {
    return {
      districtCode: a.districtCode, streetCode: a.streetCode, community: null, communityCode: null,
      address: address ?? a.formatted, method, confidence: method === 'pin' ? 0.9 : 0.75, candidates: [],
    };
  }
  const reason: PlaceResult['reason'] =
    a.failure === 'quota' ? 'quota' : a.failure === 'timeout' || a.failure === 'error' ? 'geocoder_error' : 'needs_named_place';
  return unresolved(method, reason, a.districtCode, address ?? a.formatted);
}

/** A location pin → street via reverse geocoding; without a geocoder, streetCode null (ask for a named place). */
export async function resolvePin(point: GeoPoint, geocoder?: Geocoder | null): Promise<PlaceResult> {
  if (!geocoder) return unresolved('pin', 'needs_named_place');
  const a = await geocoder.reverse(point);
  return fromAnswer(a, 'pin', null);
}

/** Text that looks like an address: a road/street/estate name with a number. */
const ADDRESS_LIKE = /[\u4e00-\u9fa5]{2,}(?:大街|路|街|胡同|巷|小区|花园|家园|公寓|大厦|广场|中心|园|苑|里)[\u4e00-\u9fa5]{0,6}?(?:\d+|[一二三四五六七八九十]+)(?:号|号院|号楼|栋|幢|座)/;

/**
 * resolvePlace, then (only when the text names no place the dictionaries know
 * and it reads like an address) forward geocoding.
 */
export async function resolvePlaceWithGeocoder(
  text: string,
  opts: { history?: string[]; geocoder?: Geocoder | null } = {},
): Promise<PlaceResult> {
  const local = resolvePlace(text, opts.history ? { history: opts.history } : {});
  if (local.streetCode || !opts.geocoder) return local;
  const m = ADDRESS_LIKE.exec(text);
  if (!m) return local;
  if (local.reason === 'conflict') return local;
  // Only the address fragment is sent, never the whole message.
  const fragment = m[0].replace(/^(?:我家|我们家|我们|我)?(?:就住在|住在|就在|在|住|位于|于)/, '');
  const a = await opts.geocoder.forward(fragment);
  const r = fromAnswer(a, 'geocoder', local.address ?? fragment);
  if (!r.streetCode) return { ...local, reason: r.reason ?? local.reason };
  // The geocoder must agree with what the text itself says: one of the candidates, or the named district.
  const streetCands = local.candidates.filter((c) => c.streetCode);
  if (streetCands.length && !streetCands.some((c) => c.streetCode === r.streetCode)) return { ...local, reason: 'conflict' };
  if (local.districtCode && r.districtCode !== local.districtCode) return { ...local, reason: 'conflict' };
  return r;
}
