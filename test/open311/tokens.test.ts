/**
 * Open311 clients can follow what they posted, through the real intake: the token gives the
 * service_request_id once the petition exists, the posted service_code is the one filed, and a POST
 * that cannot become a request (no place, unclear, redirected) says so through its token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { open311Routes } from '../../adapters/open311/routes.js';
import { understand as embedded } from '../../core/understanding/index.js';
import { createInboundSink } from '../../jobs/inbox.js';
import { createHarness, type Harness } from '../helpers/workflow.js';

const KEY = 'tok-key';
let h: Harness;
let app: FastifyInstance;

beforeAll(async () => {
  h = await createHarness({ understand: async (text, o) => embedded(text, o) });
  app = Fastify();
  await app.register(open311Routes, { db: h.t.db, apiKeys: [KEY], sink: createInboundSink(h.deps), logger: h.deps.logger });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function postAndDrain(body: Record<string, string>) {
  const res = await app.inject({
    method: 'POST',
    url: '/open311/v2/requests.json',
    payload: new URLSearchParams({ api_key: KEY, ...body }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(201);
  const token = res.json()[0].token as string;
  const pending = await app.inject(`/open311/v2/tokens/${token}.json`);
  expect(pending.statusCode).toBe(200);
  expect(pending.json()[0]).toMatchObject({ token, service_request_id: null, status: 'pending' });
  await h.drain();
  const after = await app.inject(`/open311/v2/tokens/${token}.json`);
  expect(after.statusCode).toBe(200);
  return after.json()[0] as { token: string; service_request_id: string | null; status: string; status_notes?: string; service_code?: string };
}

describe('Open311 tokens through intake', () => {
  it('the token gives the service_request_id of the petition, filed under the posted service_code', async () => {
    const tok = await postAndDrain({ service_code: 'greening', description: '三里屯路19号门口有人占道摆摊卖水果', address_string: '朝阳区三里屯路19号' });
    expect(tok.status).toBe('accepted');
    expect(tok.service_request_id).toMatch(/^\d{10}$/);
    expect(tok.service_code).toBe('greening');
    const petition = await h.t.db.petition.findUniqueOrThrow({ where: { number: tok.service_request_id! } });
    expect(petition.categoryCode).toBe('greening');
    // the classifier's reading is kept beside it, and the record says which one was used
    const received = await h.t.db.petitionEvent.findFirstOrThrow({ where: { petitionId: petition.id, action: 'receive' } });
    expect(received.data).toMatchObject({ category: 'greening', chosenBy: 'sender', classified: 'street_vending' });
    const [request] = (await app.inject(`/open311/v2/requests/${tok.service_request_id}.json`)).json();
    expect(request).toMatchObject({ service_request_id: tok.service_request_id, service_code: 'greening', status: 'open' });
  });

  it('a place that cannot be found is said through the token (waiting for a place)', async () => {
    const tok = await postAndDrain({ service_code: 'garbage', description: '楼下垃圾好几天没人清运了', address_string: '我家楼下' });
    expect(tok.status).toBe('needs_info');
    expect(tok.service_request_id).toMatch(/^\d{10}$/);
    expect(tok.status_notes).toMatch(/place|地点/);
  });

  it('an unclear request is said through the token (rejected, with the reason)', async () => {
    const tok = await postAndDrain({ service_code: 'other', description: '你好', address_string: '朝阳区三里屯路19号' });
    expect(tok).toMatchObject({ service_request_id: null, status: 'rejected' });
    expect(tok.status_notes).toMatch(/unclear|不清/);
  });

  it('an emergency redirected elsewhere is said through the token (redirected, where to call)', async () => {
    const tok = await postAndDrain({ service_code: 'public_security', description: '楼道里着火了，火很大', address_string: '朝阳区三里屯路19号' });
    expect(tok.status).toBe('redirected');
    expect(tok.status_notes).toContain('119');
  });
});
