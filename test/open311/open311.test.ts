import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { Writable } from 'node:stream';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createLogger } from '../../core/log.js';
import { createSealer } from '../../core/crypto.js';
import { open311Routes, clientChatId } from '../../adapters/open311/routes.js';
import type { InboundMessage } from '../../core/channel.js';
import { addPetition, addUnit, gazetteer, seedAreasAndCategories } from '../insight/seed.js';

const KEY = 'test-key-123';
const A = gazetteer.districts[0]!.streets[0]!.code;
let t: TestDb;
let app: FastifyInstance;
const received: InboundMessage[] = [];
let logged = '';
const xml = new XMLParser({ parseTagValue: false });

beforeAll(async () => {
  t = await createTestDb();
  await seedAreasAndCategories(t.db);
  await addUnit(t.db, 'U1', 'urban_mgmt', '110101', '东城区城市管理委员会');
  await addUnit(t.db, 'U2', 'street_office', A, '东华门街道办事处');
  const sealer = createSealer(Buffer.alloc(32, 7));
  // The sink contract (adapters/types.ts): store once per platform + messageId, false on a redelivery.
  const sink = async (msg: InboundMessage) => {
    const r = await t.db.inboundMessage.createMany({
      data: [{ platform: msg.platform, messageId: msg.messageId, payloadEnc: sealer.seal(JSON.stringify(msg)) }],
      skipDuplicates: true,
    });
    if (r.count) received.push(msg);
    return r.count === 1;
  };
  const sinkLog = new Writable({ write(chunk, _e, cb) { logged += chunk.toString(); cb(); } });
  app = Fastify();
  await app.register(open311Routes, { db: t.db, apiKeys: ['other', KEY], sink, logger: createLogger({ level: 'debug' }, sinkLog), publicUrl: 'https://example.org' });
  await app.ready();

  // Existing petitions for the GETs.
  const open = await addPetition(t.db, {
    number: '2611200001', streetCode: A, categoryCode: 'garbage', status: 'in_progress', createdAt: new Date('2026-11-20T02:00:00Z'),
    summary: '垃圾桶满溢，联系电话 13912345678', address: '东华门大街1号院3号楼502', lat: 39.91234, lng: 116.40071,
  });
  const a1 = await t.db.assignment.create({ data: { petitionId: open.id, unitId: 'U2', role: 'lead', status: 'returned', dispatchedAt: new Date('2026-11-20T03:00:00Z') } });
  await t.db.assignment.create({ data: { petitionId: open.id, unitId: 'U1', role: 'lead', dispatchedAt: new Date('2026-11-20T05:00:00Z') } });
  await t.db.petitionEvent.create({ data: { petitionId: open.id, actorKind: 'staff', action: 'progress', reason: '已派人清运，回电 13912345678', toStatus: 'in_progress', at: new Date('2026-11-21T01:00:00Z'), data: { assignmentId: a1.id } } });
  const closed = await addPetition(t.db, { number: '2611200002', streetCode: A, categoryCode: 'noise', status: 'rated', createdAt: new Date('2026-11-21T02:00:00Z') });
  await t.db.assignment.create({ data: { petitionId: closed.id, unitId: 'U1', role: 'lead', status: 'resolved', answer: '已约谈施工方', resolvedAt: new Date('2026-11-22T02:00:00Z'), dispatchedAt: new Date('2026-11-21T03:00:00Z') } });
  await addPetition(t.db, { number: '2605010001', streetCode: A, categoryCode: 'noise', status: 'closed', createdAt: new Date('2026-05-01T02:00:00Z') });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const post = (body: Record<string, string>, headers: Record<string, string> = {}, fmt = 'json') =>
  app.inject({ method: 'POST', url: `/open311/v2/requests.${fmt}`, payload: form(body), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

describe('Open311 discovery and services', () => {
  it('serves discovery and the category taxonomy as JSON and XML', async () => {
    const d = await app.inject('/open311/v2/discovery.json');
    expect(d.json().endpoints[0]).toMatchObject({ url: 'https://example.org/open311/v2/', formats: ['application/json', 'text/xml'] });
    const dx = xml.parse((await app.inject('/open311/v2/discovery.xml')).body);
    expect(dx.discovery.endpoints.endpoint.url).toBe('https://example.org/open311/v2/');

    const s = (await app.inject('/open311/v2/services.json')).json();
    expect(s).toHaveLength(27);
    expect(s.find((x: { service_code: string }) => x.service_code === 'garbage')).toMatchObject({ service_name: expect.stringContaining('垃圾'), type: 'realtime', metadata: false });
    const sx = await app.inject('/open311/v2/services.xml');
    expect(sx.headers['content-type']).toContain('text/xml');
    expect(xml.parse(sx.body).services.service).toHaveLength(27);

    expect((await app.inject('/open311/v2/services/garbage.json')).json()).toEqual({ service_code: 'garbage', attributes: [] });
    expect(xml.parse((await app.inject('/open311/v2/services/garbage.xml')).body).service_definition.service_code).toBe('garbage');
    const missing = await app.inject('/open311/v2/services/nope.xml');
    expect(missing.statusCode).toBe(404);
    expect(xml.parse(missing.body).errors.error).toMatchObject({ code: '404' });
  });
});

describe('Open311 GET requests', () => {
  it('maps petitions to service requests with status, notes and the responsible agency', async () => {
    const res = await app.inject('/open311/v2/requests/2611200001.json');
    expect(res.statusCode).toBe(200);
    const [r] = res.json();
    expect(r).toMatchObject({
      service_request_id: '2611200001', status: 'open', service_code: 'garbage', agency_responsible: '东城区城市管理委员会',
      requested_datetime: '2026-11-20T10:00:00+08:00', address: `东城区${gazetteer.districts[0]!.streets[0]!.name}`, lat: 39.912, long: 116.401,
    });
    expect(r.status_notes).toBe('已派人清运，回电 139****5678');
    expect(r.description).not.toContain('13912345678');
    expect(JSON.stringify(res.json())).not.toContain('502');
    const full = Fastify();
    await full.register(open311Routes, { db: t.db, apiKeys: [], sink: async () => true, logger: createLogger({ level: 'silent' }), detailKeys: ['detail-key'] });
    const [f] = (await full.inject('/open311/v2/requests/2611200001.json?api_key=detail-key')).json();
    expect(f).toMatchObject({ address: '东华门大街1号院3号楼502', lat: 39.91234, long: 116.40071 });
    await full.close();
    const [c] = (await app.inject('/open311/v2/requests/2611200002.json')).json();
    expect(c).toMatchObject({ status: 'closed', status_notes: '已约谈施工方' });
    const x = xml.parse((await app.inject('/open311/v2/requests/2611200002.xml')).body);
    expect(x.service_requests.request.status).toBe('closed');
    const nf = await app.inject('/open311/v2/requests/999.json');
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('filters by ids, service code, status and dates (default: last 90 days)', async () => {
    const ids = (u: string) => app.inject(u).then((r) => r.json().map((x: { service_request_id: string }) => x.service_request_id).sort());
    expect(await ids('/open311/v2/requests.json')).toEqual(['2611200001', '2611200002']);
    expect(await ids('/open311/v2/requests.json?service_request_id=2605010001,2611200001')).toEqual(['2605010001', '2611200001']);
    expect(await ids('/open311/v2/requests.json?status=closed')).toEqual(['2611200002']);
    expect(await ids('/open311/v2/requests.json?status=open')).toEqual(['2611200001']);
    expect(await ids('/open311/v2/requests.json?service_code=noise&start_date=2026-01-01T00:00:00Z')).toEqual(['2605010001', '2611200002']);
    expect(await ids('/open311/v2/requests.json?start_date=2026-04-01T00:00:00Z&end_date=2026-11-21T00:00:00Z')).toEqual(['2605010001', '2611200001']);
    const bad = await app.inject('/open311/v2/requests.xml?status=maybe');
    expect(bad.statusCode).toBe(400);
    expect(xml.parse(bad.body).errors.error.code).toBe('400');
  });
});

describe('Open311 POST requests and tokens', () => {
  it('answers 503 in the spec format when the request cannot be stored', async () => {
    const down = Fastify();
    await down.register(open311Routes, { db: t.db, apiKeys: [KEY], sink: async () => { throw new Error('redis down'); }, logger: createLogger({ level: 'silent' }) });
    const res = await down.inject({ method: 'POST', url: '/open311/v2/requests.xml', payload: form({ api_key: KEY, service_code: 'garbage', description: 'x', address_string: 'y' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(503);
    expect(xml.parse(res.body).errors.error.code).toBe('503');
    await down.close();
  });

  it('requires a valid api_key and a known service_code', async () => {
    const noKey = await post({ service_code: 'garbage', description: 'x', lat: '39.9', long: '116.4' });
    expect(noKey.statusCode).toBe(403);
    expect(noKey.json()[0].code).toBe(403);
    const badKey = await post({ api_key: 'wrong', service_code: 'garbage', description: 'x', lat: '39.9', long: '116.4' }, {}, 'xml');
    expect(badKey.statusCode).toBe(403);
    expect(xml.parse(badKey.body).errors.error.code).toBe('403');
    expect((await post({ api_key: KEY, service_code: 'nope', description: 'x', lat: '39.9', long: '116.4' })).statusCode).toBe(400);
    expect((await post({ api_key: KEY, service_code: 'garbage', description: 'x' })).statusCode).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('hands one InboundMessage to the sink, is idempotent, and the token leads to the petition number', async () => {
    const body = {
      api_key: KEY, service_code: 'garbage', description: '小区门口垃圾无人清运', lat: '39.915', long: '116.404',
      address_string: '东华门大街2号', email: 'zhang.san@example.com', phone: '13800138000', first_name: '三', last_name: '张',
    };
    const first = await post(body, { 'idempotency-key': 'abc-1' });
    expect(first.statusCode).toBe(201);
    const token = first.json()[0].token as string;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const again = await post(body, { 'idempotency-key': 'abc-1' }, 'xml');
    expect(again.statusCode).toBe(200);
    expect(xml.parse(again.body).service_requests.request.token).toBe(token);
    expect(received).toHaveLength(1);
    expect(await t.db.inboundMessage.count({ where: { platform: 'open311' } })).toBe(1);

    const m = received[0]!;
    expect(m).toMatchObject({ platform: 'open311', chatType: 'private', chatId: clientChatId(KEY), contactPhone: '13800138000', categoryCode: 'garbage' });
    expect(m.location).toEqual({ lat: 39.915, lng: 116.404, coordSystem: 'wgs84', label: '东华门大街2号' });
    expect(m.text).toContain('小区门口垃圾无人清运');
    expect(m.text).toContain('地址：东华门大街2号');
    expect(m.text).toContain('联系人：张*');
    expect(m.text).not.toContain('zhang.san@');
    expect(m.text).not.toContain('张三');
    expect(logged).not.toContain('13800138000');
    expect(logged).not.toContain('zhang.san');
    expect(logged).not.toContain(KEY);

    // Pending: known token, no petition yet.
    const pending = await app.inject(`/open311/v2/tokens/${token}.json`);
    expect(pending.json()).toEqual([expect.objectContaining({ service_request_id: null, token, status: 'pending' })]);
    // Intake creates the petition and links it.
    const p = await addPetition(t.db, { number: '2611250009', streetCode: A, categoryCode: 'garbage', status: 'dispatched' });
    await t.db.inboundMessage.update({ where: { id: token }, data: { petitionId: p.id, status: 'processed' } });
    expect((await app.inject(`/open311/v2/tokens/${token}.json`)).json()).toEqual([expect.objectContaining({ service_request_id: '2611250009', token, status: 'accepted', service_code: 'garbage' })]);
    expect(xml.parse((await app.inject(`/open311/v2/tokens/${token}.xml`)).body).service_requests.request.service_request_id).toBe('2611250009');
    expect((await app.inject('/open311/v2/tokens/00000000-0000-0000-0000-000000000000.json')).statusCode).toBe(404);

    // Without an idempotency key every POST is a new request.
    await post({ api_key: KEY, service_code: 'noise', description: '夜间施工', address_string: '东华门大街3号' });
    await post({ api_key: KEY, service_code: 'noise', description: '夜间施工', address_string: '东华门大街3号' });
    expect(received).toHaveLength(3);
  });
});
