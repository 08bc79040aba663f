import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { createGeocoder, resolvePin, resolvePlaceWithGeocoder, type Geocoder } from '../../../core/understanding/place/index.js';
import { startGeocoderServer, type GeocoderServer } from '../../peers/geocoder-server.js';
import { createTestRedis, type TestRedis } from '../../helpers/redis.js';

const logger = createLogger({ level: 'silent' });
/** WGS-84 as Telegram sends it; about 600 m west of the fake server's 三里屯 point in GCJ-02. */
const SANLITUN_WGS = { lat: 39.936, lng: 116.449, coordSystem: 'wgs84' as const };

let geo: GeocoderServer;
let r: TestRedis;
let n = 0;

function geocoder(over: { timeoutMs?: number; dailyQuota?: number; key?: string } = {}): Geocoder {
  // A fresh prefix per geocoder so cache and quota never leak between tests.
  return createGeocoder(
    { baseUrl: geo.url, key: over.key ?? geo.key, timeoutMs: over.timeoutMs ?? 1000, dailyQuota: over.dailyQuota ?? 100, prefix: `${r.prefix}:${++n}` },
    r.redis,
    logger,
  );
}

beforeAll(async () => {
  geo = await startGeocoderServer();
  r = await createTestRedis();
});
afterAll(async () => {
  await geo.close();
  await r.cleanup();
});
beforeEach(() => {
  geo.mode = 'normal';
  geo.requests.length = 0;
});

describe('location pins through the geocoder', () => {
  it('converts a Telegram WGS-84 pin to GCJ-02 and maps the towncode to our street', async () => {
    const res = await resolvePin(SANLITUN_WGS, geocoder());
    expect(res).toMatchObject({ streetCode: '110105-sanlitun', districtCode: '110105', method: 'pin' });
    expect(res.confidence).toBeGreaterThan(0.8);
    const [lng, lat] = geo.requests[0]!.params.location!.split(',').map(Number) as [number, number];
    // GCJ-02 is shifted ~600 m east of WGS-84 around Beijing: the service got the converted point.
    expect(lng - SANLITUN_WGS.lng).toBeGreaterThan(0.004);
    expect(Math.abs(lng - 116.4552)).toBeLessThan(0.0005);
    expect(Math.abs(lat - 39.9374)).toBeLessThan(0.0005);
  });

  it('sends GCJ-02 points (WeCom) unchanged', async () => {
    const res = await resolvePin({ lat: 39.9836, lng: 116.3163, coordSystem: 'gcj02' }, geocoder());
    expect(res.streetCode).toBe('110108-zhongguancun');
    expect(geo.requests[0]!.params.location).toBe('116.316300,39.983600');
  });

  it('answers a pin a few metres away from the cache without calling the service again', async () => {
    const g = geocoder();
    await resolvePin(SANLITUN_WGS, g);
    const again = await resolvePin({ ...SANLITUN_WGS, lat: SANLITUN_WGS.lat + 0.00001 }, g);
    expect(again.streetCode).toBe('110105-sanlitun');
    expect(geo.requests).toHaveLength(1);
  });

  it('an unknown towncode gives the district but no street, so the resident is asked', async () => {
    const res = await resolvePin({ lat: 39.795, lng: 116.51, coordSystem: 'gcj02' }, geocoder());
    expect(res).toMatchObject({ streetCode: null, districtCode: '110115', method: 'pin', reason: 'needs_named_place' });
  });

  it('a point the service knows nothing about gives no street and no district', async () => {
    const res = await resolvePin({ lat: 31.23, lng: 121.47, coordSystem: 'gcj02' }, geocoder());
    expect(res).toMatchObject({ streetCode: null, districtCode: null });
  });

  it('times out instead of hanging, and says the geocoder failed', async () => {
    geo.mode = 'slow';
    geo.slowMs = 1500;
    const started = Date.now();
    const res = await resolvePin(SANLITUN_WGS, geocoder({ timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(1200);
    expect(res).toMatchObject({ streetCode: null, reason: 'geocoder_error' });
  });

  it('stops calling once the daily quota is used up', async () => {
    const g = geocoder({ dailyQuota: 2 });
    await resolvePin({ lat: 39.9836, lng: 116.3163, coordSystem: 'gcj02' }, g);
    await resolvePin({ lat: 40.002, lng: 116.47, coordSystem: 'gcj02' }, g);
    const third = await resolvePin(SANLITUN_WGS, g);
    expect(geo.requests).toHaveLength(2);
    expect(third).toMatchObject({ streetCode: null, reason: 'quota' });
  });

  it('when the service itself reports the quota exceeded, no further calls are made today', async () => {
    geo.mode = 'quota';
    const g = geocoder();
    const first = await resolvePin(SANLITUN_WGS, g);
    expect(first).toMatchObject({ streetCode: null, reason: 'quota' });
    geo.mode = 'normal';
    const second = await resolvePin({ lat: 39.9836, lng: 116.3163, coordSystem: 'gcj02' }, g);
    expect(second.reason).toBe('quota');
    expect(geo.requests).toHaveLength(1);
  });

  it('a wrong key or HTTP 500 is a failure, not a street', async () => {
    expect((await resolvePin(SANLITUN_WGS, geocoder({ key: 'wrong' }))).reason).toBe('geocoder_error');
    geo.mode = 'http500';
    expect((await resolvePin(SANLITUN_WGS, geocoder())).reason).toBe('geocoder_error');
  });

  it('without a geocoder a pin has no street and the caller asks for a named place', async () => {
    const res = await resolvePin(SANLITUN_WGS);
    expect(res).toMatchObject({ streetCode: null, districtCode: null, method: 'pin', reason: 'needs_named_place' });
    expect(geo.requests).toHaveLength(0);
  });
});

describe('addresses the dictionaries cannot place', () => {
  it('forward-geocodes an address, then maps the point to a street', async () => {
    const res = await resolvePlaceWithGeocoder('我家在工体北路8号，楼下烧烤太吵', { geocoder: geocoder() });
    expect(res).toMatchObject({ streetCode: '110105-sanlitun', method: 'geocoder' });
    expect(geo.requests.map((q) => q.path)).toEqual(['/v3/geocode/geo', '/v3/geocode/regeo']);
    // Only the address fragment leaves the process, not the message.
    expect(geo.requests[0]!.params.address).toBe('工体北路8号');
  });

  it('does not call the geocoder when the dictionaries already know the place, or the text has no address', async () => {
    const g = geocoder();
    expect((await resolvePlaceWithGeocoder('三里屯这边太吵', { geocoder: g })).streetCode).toBe('110105-sanlitun');
    expect((await resolvePlaceWithGeocoder('楼上漏水三天了', { geocoder: g })).streetCode).toBeNull();
    expect(geo.requests).toHaveLength(0);
  });

  it('a city-level answer is not a street', async () => {
    const res = await resolvePlaceWithGeocoder('幸福大街不存在路99号', { geocoder: geocoder() });
    expect(res.streetCode).toBeNull();
  });
});

describe('the geocoder settles, but never overrides, what the text says', () => {
  it('an address on a street-straddling road picks the candidate the geocoder confirms', async () => {
    // 工体 straddles 三里屯 and 朝外: the text alone gives candidates; the address settles it.
    const res = await resolvePlaceWithGeocoder('工体北路8号门口', { geocoder: geocoder() });
    expect(res.streetCode).toBe('110105-sanlitun');
  });

  it('a geocoder answer in another district than the one the resident named is not taken', async () => {
    const res = await resolvePlaceWithGeocoder('海淀区工体北路8号', { geocoder: geocoder() });
    expect(res.streetCode).toBeNull();
  });
});

describe('configuration', () => {
  it('no geocoder without a base URL and key; a working one with them', async () => {
    const { geocoderFromConfig } = await import('../../../core/understanding/place/index.js');
    const { loadConfig } = await import('../../../core/config.js');
    expect(geocoderFromConfig(loadConfig({}), r.redis, logger)).toBeNull();
    const g = geocoderFromConfig(loadConfig({ GEOCODER_BASE_URL: geo.url, GEOCODER_KEY: geo.key, REDIS_PREFIX: `${r.prefix}cfg` }), r.redis, logger);
    expect(g).not.toBeNull();
    expect((await resolvePin(SANLITUN_WGS, g)).streetCode).toBe('110105-sanlitun');
  });
});
