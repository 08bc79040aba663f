/**
 * Geocoder adapter for an AMap-style (高德 Web Service) HTTP API:
 *   GET {baseUrl}/v3/geocode/regeo?key=…&location=lng,lat  → regeocode.addressComponent.{towncode, adcode}
 *   GET {baseUrl}/v3/geocode/geo?key=…&address=…&city=北京  → geocodes[0].location "lng,lat"
 * towncode is the 12-digit 街道/乡镇 code; its first 9 digits are the street
 * gb_code in areas.json, which maps to our street code.
 *
 * Telegram pins are WGS-84, Chinese map services use GCJ-02: points are
 * converted (gcoord) before asking. Answers are cached in Redis by rounded
 * coordinates (about 10 m), every call is guarded by a daily quota counter in
 * Redis, and each request has a timeout. Over quota, nothing is sent and the
 * caller asks the resident for a named place.
 */
import { createHash } from 'node:crypto';
import gcoordModule from 'gcoord';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { GeoPoint } from '../../channel.js';
import type { Config } from '../../config.js';
import { DISTRICT_BY_CODE, STREET_BY_GB, districtOfStreet } from './gazetteer.js';

export interface GeocoderOptions {
  baseUrl: string;
  key: string;
  timeoutMs?: number;
  /** Calls per day (Asia/Shanghai calendar day) across all processes sharing the Redis. */
  dailyQuota?: number;
  /** Redis key prefix (the app's REDIS_PREFIX). */
  prefix?: string;
  cacheTtlSeconds?: number;
}

export type GeocodeFailure = 'quota' | 'timeout' | 'error' | 'not_found' | 'outside';

export interface GeocodeAnswer {
  ok: boolean;
  /** Our street code, null when the towncode is not one of ours. */
  streetCode: string | null;
  districtCode: string | null;
  /** 12-digit 街道/乡镇 code as the service gave it. */
  towncode: string | null;
  adcode: string | null;
  /** Formatted address from the service (may contain the resident's house number: personal data). */
  formatted: string | null;
  /** GCJ-02 point the answer is for. */
  location: { lat: number; lng: number } | null;
  /** When ok is false: why. */
  failure?: GeocodeFailure;
  cached?: boolean;
}

export interface Geocoder {
  reverse(point: GeoPoint): Promise<GeocodeAnswer>;
  forward(address: string): Promise<GeocodeAnswer>;
}

interface AmapRegeo {
  status?: string;
  info?: string;
  infocode?: string;
  regeocode?: {
    formatted_address?: string | unknown[];
    addressComponent?: { adcode?: string | unknown[]; towncode?: string | unknown[]; township?: string | unknown[] };
  };
}
interface AmapGeo {
  status?: string;
  info?: string;
  infocode?: string;
  count?: string;
  geocodes?: { location?: string | unknown[]; level?: string | unknown[]; adcode?: string | unknown[]; formatted_address?: string | unknown[] }[];
}

/** AMap returns [] for empty string fields. */
function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

const QUOTA_INFOCODES = new Set(['10003', '10004', '10014', '10019', '10020', '10021', '10044', '10045']);
/** Geo levels too coarse to name a street. */
const COARSE_LEVELS = new Set(['国家', '省', '市', '区县', '开发区', '未知', '']);

// gcoord is CommonJS with an ESM-style `default` in its typings: take whichever the runtime gives.
type Gcoord = typeof gcoordModule.default;
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

function shanghaiDay(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

function failure(f: GeocodeFailure, location: { lat: number; lng: number } | null = null): GeocodeAnswer {
  return { ok: false, streetCode: null, districtCode: null, towncode: null, adcode: null, formatted: null, location, failure: f };
}

export function toGcj02(point: GeoPoint): { lat: number; lng: number } {
  if (point.coordSystem === 'gcj02') return { lat: point.lat, lng: point.lng };
  const [lng, lat] = gcoord.transform([point.lng, point.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];
  return { lat, lng };
}

/** Map a towncode/adcode pair to our codes. */
export function mapTowncode(towncode: string | null, adcode: string | null): { streetCode: string | null; districtCode: string | null } {
  const streetCode = towncode && towncode.length >= 9 ? (STREET_BY_GB.get(towncode.slice(0, 9)) ?? null) : null;
  const districtCode = streetCode ? districtOfStreet(streetCode) : adcode && DISTRICT_BY_CODE.has(adcode) ? adcode : null;
  return { streetCode, districtCode };
}

export function createGeocoder(opts: GeocoderOptions, redis: Redis, logger: Logger): Geocoder {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 3000;
  const quota = opts.dailyQuota ?? 5000;
  const prefix = `${opts.prefix ?? 'shaosheng'}:geocoder`;
  const ttl = opts.cacheTtlSeconds ?? 30 * 24 * 3600;
  const log = logger.child({ component: 'geocoder' });

  /** Takes one unit of today's quota; false (and nothing sent) when it is used up. */
  async function takeQuota(): Promise<boolean> {
    const key = `${prefix}:quota:${shanghaiDay()}`;
    const n = await redis.incr(key);
    if (n === 1) await redis.expire(key, 2 * 24 * 3600);
    if (n > quota) {
      if (n === quota + 1) log.warn({ quota }, 'geocoder daily quota used up; asking residents for a named place');
      return false;
    }
    return true;
  }

  async function exhaustQuota(): Promise<void> {
    const key = `${prefix}:quota:${shanghaiDay()}`;
    await redis.set(key, String(quota + 1), 'EX', 2 * 24 * 3600);
  }

  async function call<T>(path: string, params: Record<string, string>): Promise<{ ok: true; body: T } | { ok: false; failure: GeocodeFailure }> {
    if (!(await takeQuota())) return { ok: false, failure: 'quota' };
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries({ ...params, key: opts.key, output: 'JSON' })) url.searchParams.set(k, v);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) {
        log.warn({ status: res.status, path }, 'geocoder HTTP error');
        return { ok: false, failure: res.status === 429 ? 'quota' : 'error' };
      }
      const body = (await res.json()) as T & { status?: string; info?: string; infocode?: string };
      if (body.status !== '1') {
        if (QUOTA_INFOCODES.has(String(body.infocode))) {
          await exhaustQuota();
          log.warn({ infocode: body.infocode, info: body.info }, 'geocoder says quota exceeded');
          return { ok: false, failure: 'quota' };
        }
        log.warn({ infocode: body.infocode, info: body.info, path }, 'geocoder refused the request');
        return { ok: false, failure: 'error' };
      }
      return { ok: true, body };
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      log.warn({ path, timeoutMs, err: { name: e.name, message: e.message } }, timedOut ? 'geocoder timed out' : 'geocoder request failed');
      return { ok: false, failure: timedOut ? 'timeout' : 'error' };
    }
  }

  async function cached(key: string): Promise<GeocodeAnswer | null> {
    const hit = await redis.get(key);
    if (!hit) return null;
    try {
      return { ...(JSON.parse(hit) as GeocodeAnswer), cached: true };
    } catch {
      return null;
    }
  }

  async function reverseGcj(loc: { lat: number; lng: number }): Promise<GeocodeAnswer> {
    if (!Number.isFinite(loc.lat) || !Number.isFinite(loc.lng) || Math.abs(loc.lat) > 90 || Math.abs(loc.lng) > 180) {
      return failure('not_found');
    }
    // ~11 m: nearby pins share one answer.
    const cacheKey = `${prefix}:regeo:${loc.lng.toFixed(4)},${loc.lat.toFixed(4)}`;
    const hit = await cached(cacheKey);
    if (hit) return hit;
    const r = await call<AmapRegeo>('/v3/geocode/regeo', { location: `${loc.lng.toFixed(6)},${loc.lat.toFixed(6)}`, extensions: 'base' });
    if (!r.ok) return failure(r.failure, loc);
    const comp = r.body.regeocode?.addressComponent;
    const towncode = str(comp?.towncode);
    const adcode = str(comp?.adcode);
    const { streetCode, districtCode } = mapTowncode(towncode, adcode);
    const answer: GeocodeAnswer = {
      ok: !!streetCode,
      streetCode,
      districtCode,
      towncode,
      adcode,
      formatted: str(r.body.regeocode?.formatted_address),
      location: loc,
      ...(streetCode ? {} : { failure: adcode?.startsWith('11') ? 'not_found' : 'outside' }),
    };
    if (!streetCode) log.info({ towncode, adcode }, 'geocoder towncode is not one of our streets');
    await redis.set(cacheKey, JSON.stringify(answer), 'EX', ttl);
    return answer;
  }

  return {
    async reverse(point) {
      return reverseGcj(toGcj02(point));
    },
    async forward(address) {
      const a = address.trim().slice(0, 200);
      if (!a) return failure('not_found');
      const cacheKey = `${prefix}:geo:${createHash('sha256').update(a).digest('hex').slice(0, 32)}`;
      const hit = await cached(cacheKey);
      if (hit) return hit;
      const r = await call<AmapGeo>('/v3/geocode/geo', { address: a, city: '北京' });
      if (!r.ok) return failure(r.failure);
      const g = r.body.geocodes?.[0];
      const loc = str(g?.location);
      const level = str(g?.level) ?? '';
      const adcode = str(g?.adcode);
      let answer: GeocodeAnswer;
      const m = loc ? /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(loc) : null;
      if (!g || !m || COARSE_LEVELS.has(level)) answer = failure('not_found');
      else if (adcode && !adcode.startsWith('11')) answer = failure('outside');
      else {
        const rev = await reverseGcj({ lng: Number(m[1]), lat: Number(m[2]) });
        if (rev.failure === 'quota' || rev.failure === 'timeout' || rev.failure === 'error') return rev;
        answer = { ...rev, cached: false };
      }
      await redis.set(cacheKey, JSON.stringify(answer), 'EX', ttl);
      return answer;
    },
  };
}

/** The configured geocoder, or null when GEOCODER_BASE_URL / GEOCODER_KEY are not set (pins then ask for a named place). */
export function geocoderFromConfig(
  config: Pick<Config, 'GEOCODER_BASE_URL' | 'GEOCODER_KEY' | 'GEOCODER_TIMEOUT_MS' | 'GEOCODER_DAILY_QUOTA' | 'REDIS_PREFIX'>,
  redis: Redis,
  logger: Logger,
): Geocoder | null {
  if (!config.GEOCODER_BASE_URL || !config.GEOCODER_KEY) return null;
  return createGeocoder(
    {
      baseUrl: config.GEOCODER_BASE_URL,
      key: config.GEOCODER_KEY,
      timeoutMs: config.GEOCODER_TIMEOUT_MS,
      dailyQuota: config.GEOCODER_DAILY_QUOTA,
      prefix: config.REDIS_PREFIX,
    },
    redis,
    logger,
  );
}
