/**
 * A real local HTTP server speaking the AMap Web Service geocoding dialect
 * (/v3/geocode/regeo and /v3/geocode/geo), for tests. It knows a few GCJ-02
 * points and addresses, checks the key, records every request, and can be
 * switched to misbehave: answer slowly, report the daily quota exceeded, or
 * fail with HTTP 500.
 *
 *   const geo = await startGeocoderServer();
 *   createGeocoder({ baseUrl: geo.url, key: geo.key, … })
 *   geo.mode = 'slow'; geo.requests.length; await geo.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KnownPlace {
  /** GCJ-02 */
  lng: number;
  lat: number;
  towncode: string;
  adcode: string;
  township: string;
  formatted: string;
}

/** GCJ-02 points the server can reverse-geocode (nearest within ~2 km). */
export const KNOWN_PLACES: KnownPlace[] = [
  { lng: 116.4552, lat: 39.9374, towncode: '110105004000', adcode: '110105', township: '三里屯街道', formatted: '北京市朝阳区三里屯街道工体北路' },
  { lng: 116.3163, lat: 39.9836, towncode: '110108011000', adcode: '110108', township: '中关村街道', formatted: '北京市海淀区中关村街道中关村大街' },
  { lng: 116.4700, lat: 40.0020, towncode: '110105026000', adcode: '110105', township: '望京街道', formatted: '北京市朝阳区望京街道阜通东大街' },
  // A towncode that is not one of our streets (e.g. a development zone left out of areas.json).
  { lng: 116.5100, lat: 39.7950, towncode: '110115400000', adcode: '110115', township: '经济技术开发区', formatted: '北京市大兴区经济技术开发区' },
];

/** Addresses the forward endpoint knows → GCJ-02 location and level. */
export const KNOWN_ADDRESSES: Record<string, { location: string; level: string; adcode: string }> = {
  工体北路8号: { location: '116.455200,39.937400', level: '门牌号', adcode: '110105' },
  阜通东大街6号: { location: '116.470000,40.002000', level: '门牌号', adcode: '110105' },
  北京市: { location: '116.407387,39.904179', level: '省', adcode: '110000' },
};

export type GeocoderMode = 'normal' | 'slow' | 'quota' | 'http500';

export interface GeocoderServer {
  url: string;
  key: string;
  mode: GeocoderMode;
  /** How long 'slow' waits before answering. */
  slowMs: number;
  requests: { path: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

export async function startGeocoderServer(opts: { key?: string } = {}): Promise<GeocoderServer> {
  const key = opts.key ?? 'test-amap-key';
  const pending = new Set<NodeJS.Timeout>();
  const state: GeocoderServer = {
    url: '',
    key,
    mode: 'normal',
    slowMs: 2000,
    requests: [],
    close: async () => {},
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const params = Object.fromEntries(u.searchParams.entries());
    state.requests.push({ path: u.pathname, params });
    const answer = () => {
      if (state.mode === 'http500') return send(res, 500, { error: 'internal' });
      if (params.key !== key) return send(res, 200, { status: '0', info: 'INVALID_USER_KEY', infocode: '10001' });
      if (state.mode === 'quota') return send(res, 200, { status: '0', info: 'DAILY_QUERY_OVER_LIMIT', infocode: '10003' });
      if (u.pathname === '/v3/geocode/regeo') {
        const m = /^(-?[\d.]+),(-?[\d.]+)$/.exec(params.location ?? '');
        if (!m) return send(res, 200, { status: '0', info: 'INVALID_PARAMS', infocode: '20000' });
        const lng = Number(m[1]);
        const lat = Number(m[2]);
        let best: KnownPlace | null = null;
        let bestD = Infinity;
        for (const p of KNOWN_PLACES) {
          const d = Math.hypot(p.lng - lng, p.lat - lat);
          if (d < bestD) [best, bestD] = [p, d];
        }
        if (!best || bestD > 0.02) {
          // Somewhere unknown: AMap answers with empty arrays for missing fields.
          return send(res, 200, {
            status: '1', info: 'OK', infocode: '10000',
            regeocode: { formatted_address: [], addressComponent: { adcode: [], towncode: [], township: [] } },
          });
        }
        return send(res, 200, {
          status: '1', info: 'OK', infocode: '10000',
          regeocode: {
            formatted_address: best.formatted,
            addressComponent: { province: '北京市', adcode: best.adcode, township: best.township, towncode: best.towncode },
          },
        });
      }
      if (u.pathname === '/v3/geocode/geo') {
        const address = params.address ?? '';
        const known = Object.entries(KNOWN_ADDRESSES).find(([k]) => address.includes(k) && k !== '北京市') ?? (address === '北京市' ? ['北京市', KNOWN_ADDRESSES['北京市']!] as const : undefined);
        if (!known) return send(res, 200, { status: '1', info: 'OK', infocode: '10000', count: '0', geocodes: [] });
        const [, g] = known;
        return send(res, 200, {
          status: '1', info: 'OK', infocode: '10000', count: '1',
          geocodes: [{ formatted_address: `北京市${address}`, location: g.location, level: g.level, adcode: g.adcode }],
        });
      }
      send(res, 404, { status: '0', info: 'NOT_FOUND' });
    };
    if (state.mode === 'slow') {
      const t = setTimeout(() => {
        pending.delete(t);
        if (!res.destroyed) answer();
      }, state.slowMs);
      pending.add(t);
    } else answer();
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = async () => {
    for (const t of pending) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
