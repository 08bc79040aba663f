/**
 * Open311 GeoReport v2 under /open311/v2 (http://wiki.open311.org/GeoReport_v2):
 * discovery, services (the category taxonomy), service definitions, POST
 * requests (API key), tokens, GET requests with filters; JSON and XML.
 *
 * A POSTed request becomes a petition like any other: it is handed to the
 * InboundSink as an InboundMessage (platform `open311`) and answered with a
 * `token` (the stored InboundMessage id). Once intake has created the
 * petition, `tokens/{token}` gives its number as `service_request_id`.
 *
 * Idempotency: clients may send an `Idempotency-Key` header (or an
 * `idempotency_key` field); the same key from the same API key yields the same
 * token and no second petition. Without one, every POST is a new request.
 *
 * Personal data (email, phone, names) is never logged: the phone travels only
 * in InboundMessage.contactPhone (stored encrypted), the name and e-mail only
 * masked inside the text.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { PrismaClient } from '../../core/db.js';
import type { Logger } from '../../core/log.js';
import { maskText } from '../../core/pii.js';
import type { InboundMessage, InboundSink } from '../types.js';
import { send, sendError, splitFormat, type Format } from './format.js';
import { findRequests, type LocationDetail, type RequestFilter } from './requests.js';

export const OPEN311_PREFIX = '/open311/v2';
const DEFAULT_DAYS = 90;
const MAX_RESULTS = 1000;
const MAX_DESCRIPTION = 4000;

export interface Open311Options {
  db: PrismaClient;
  /** keys that may POST requests (OPEN311_API_KEYS) */
  apiKeys: string[];
  sink: InboundSink;
  logger: Logger;
  /** absolute base URL for discovery (PUBLIC_URL); relative when absent */
  publicUrl?: string;
  timeZone?: string;
  /**
   * keys whose GET requests see requests in full (masked text, stored address, exact point:
   * OPEN311_DETAIL_KEYS); everyone else sees the summary and the coarse place (requests.ts)
   */
  detailKeys?: string[];
  /** contact line in discovery */
  contact?: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time check of a presented key against every configured one. */
export function matchApiKey(presented: string | undefined, keys: string[]): string | null {
  if (!presented) return null;
  const p = sha(presented);
  let found: string | null = null;
  for (const k of keys) if (timingSafeEqual(p, sha(k))) found = k;
  return found;
}

/** `open311:<first 12 hex of sha256(key)>`: identifies the client without revealing its key. */
export function clientChatId(apiKey: string): string {
  return `open311:${sha(apiKey).toString('hex').slice(0, 12)}`;
}

const CJK = /[\u3400-\u9fff]/;

/** Chinese names keep the surname (张*), others their initials (J. S.). */
export function maskedName(first?: string, last?: string): string | null {
  const f = first?.trim() ?? '';
  const l = last?.trim() ?? '';
  if (!f && !l) return null;
  if (CJK.test(f + l)) {
    const chars = [...(l + f)];
    return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
  }
  return [f, l].filter(Boolean).map((s) => `${[...s][0]!.toUpperCase()}.`).join(' ');
}

/** Where a redirected request should go instead (the petition keeps the kind in `triage`). */
const REDIRECT_NOTES: Record<string, string> = {
  '110': '涉及治安或人身安全，请拨打 110 报警。/ A police matter: call 110.',
  '119': '如有火情，请立即拨打 119 并撤离。/ A fire: call 119 and get to safety.',
  '120': '医疗急救请拨打 120。/ A medical emergency: call 120.',
  '122': '交通事故请拨打 122。/ A traffic accident: call 122.',
  court: '已进入诉讼程序的事项请向法院反映。/ A matter before a court: contact the court.',
  arbitration: '劳动争议请向劳动人事争议仲裁委员会申请仲裁。/ A labour dispute: apply to the arbitration commission.',
  xinfang: '信访事项请按信访渠道反映。/ A petition (信访) matter: use the letters-and-visits channel.',
};

/**
 * What a token says of its request: `pending` (not taken yet), `accepted` (a service request exists),
 * `needs_info` (its place could not be found: it waits, then goes to the district or is closed),
 * `redirected` (for another service: the notes say which), `rejected` (no request was made: the notes
 * say why), `failed` (it could not be processed).
 */
function tokenStatus(
  msg: { status: string; outcome: string | null },
  petition: { status: string; triage: string | null } | null,
): { status: string; status_notes: string | null } {
  if (msg.status === 'pending') return { status: 'pending', status_notes: '处理中 / being processed' };
  if (msg.status === 'failed') return { status: 'failed', status_notes: '未能处理，请重新提交 / could not be processed: post it again' };
  if (petition?.status === 'redirected' || msg.outcome === 'redirected') {
    return { status: 'redirected', status_notes: REDIRECT_NOTES[petition?.triage ?? ''] ?? '不属于 12345 受理范围 / not a 12345 matter' };
  }
  if (petition?.status === 'needs_info' || (msg.outcome === 'question:place' && petition?.status === 'needs_info')) {
    return { status: 'needs_info', status_notes: '无法确定地点，请补充街道或经纬度后重新提交 / the place could not be found: post again with the street or lat/long' };
  }
  if (petition) return { status: 'accepted', status_notes: msg.outcome === 'repeat' ? '已并入您未办结的同类诉求 / added to your open request' : null };
  return { status: 'rejected', status_notes: '描述不清，未能形成工单，请写明问题和地点后重新提交 / unclear: say what the problem is and where, and post again' };
}

type Params = Record<string, string | undefined>;

function params(req: FastifyRequest): Params {
  const out: Params = {};
  for (const src of [req.query, req.body]) {
    if (src && typeof src === 'object') {
      for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
        if (typeof v === 'string') out[k] = v;
        else if (typeof v === 'number') out[k] = String(v);
      }
    }
  }
  return out;
}

function parseDate(s: string | undefined): Date | null | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function open311Routes(fastify: FastifyInstance, opts: Open311Options): Promise<void> {
  const { db, sink, logger } = opts;
  const zone = opts.timeZone ?? 'Asia/Shanghai';
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) await fastify.register(formbody);
  const P = OPEN311_PREFIX;

  const withFormat = (file: string, reply: FastifyReply, expect: string): Format | null => {
    const f = splitFormat(file);
    if (!f || f.base !== expect) {
      sendError(reply, 'json', 404, 'not found: use .json or .xml');
      return null;
    }
    return f.format;
  };

  // ---- discovery
  fastify.get(`${P}/:file`, async (req, reply) => {
    const { file } = req.params as { file: string };
    const f = splitFormat(file);
    if (!f) return sendError(reply, 'json', 404, 'not found: use .json or .xml');
    if (f.base === 'discovery') {
      const url = `${opts.publicUrl?.replace(/\/$/, '') ?? ''}${P}/`;
      return send(reply, f.format, {
        root: 'discovery',
        body: {
          changeset: '2026-11-01T00:00:00+08:00',
          contact: opts.contact ?? '北京 12345 市民服务热线 (Shaosheng)',
          key_service: 'API keys are issued by the operator (OPEN311_API_KEYS).',
          endpoints:
            f.format === 'json'
              ? [{ specification: 'http://wiki.open311.org/GeoReport_v2', url, changeset: '2026-11-01T00:00:00+08:00', type: 'production', formats: ['application/json', 'text/xml'] }]
              : { endpoint: { specification: 'http://wiki.open311.org/GeoReport_v2', url, changeset: '2026-11-01T00:00:00+08:00', type: 'production', formats: { format: ['application/json', 'text/xml'] } } },
        },
      });
    }
    if (f.base === 'services') {
      const cats = await db.category.findMany({ orderBy: { code: 'asc' } });
      return send(reply, f.format, {
        root: 'services',
        item: 'service',
        body: cats.map((c) => ({
          service_code: c.code,
          service_name: c.nameZh,
          description: c.scopeZh,
          metadata: false,
          type: 'realtime',
          keywords: [c.nameZh, c.nameEn].join(','),
          group: c.handler,
        })),
      });
    }
    if (f.base === 'requests') return listRequests(req, reply, f.format);
    return sendError(reply, f.format, 404, `unknown resource ${f.base}`);
  });

  // ---- service definition
  fastify.get(`${P}/services/:file`, async (req, reply) => {
    const f = splitFormat((req.params as { file: string }).file);
    if (!f) return sendError(reply, 'json', 404, 'not found: use .json or .xml');
    const cat = await db.category.findUnique({ where: { code: f.base } });
    if (!cat) return sendError(reply, f.format, 404, `service_code ${f.base} not found`);
    return send(reply, f.format, {
      root: 'service_definition',
      body: f.format === 'json' ? { service_code: cat.code, attributes: [] } : { service_code: cat.code, attributes: '' },
    });
  });

  // ---- GET requests
  const detailFor = (req: FastifyRequest): LocationDetail => (matchApiKey(params(req).api_key, opts.detailKeys ?? []) ? 'full' : 'coarse');
  async function listRequests(req: FastifyRequest, reply: FastifyReply, format: Format) {
    const q = params(req);
    const filter: RequestFilter = { limit: MAX_RESULTS };
    if (q.service_request_id) {
      filter.ids = q.service_request_id.split(',').map((s) => s.trim()).filter(Boolean).slice(0, MAX_RESULTS);
    } else {
      if (q.service_code) filter.serviceCodes = q.service_code.split(',').map((s) => s.trim()).filter(Boolean);
      if (q.status) {
        const st = q.status.split(',').map((s) => s.trim().toLowerCase());
        if (st.some((s) => s !== 'open' && s !== 'closed')) return sendError(reply, format, 400, 'status must be open or closed');
        filter.statuses = st as ('open' | 'closed')[];
      }
      const start = parseDate(q.start_date);
      const end = parseDate(q.end_date);
      if (start === null || end === null) return sendError(reply, format, 400, 'start_date and end_date must be ISO 8601 date-times');
      filter.end = end;
      filter.start = start ?? new Date((end ?? new Date()).getTime() - DEFAULT_DAYS * 86_400_000);
    }
    const rows = await findRequests(db, filter, zone, detailFor(req));
    return send(reply, format, { root: 'service_requests', item: 'request', body: rows });
  }

  fastify.get(`${P}/requests/:file`, async (req, reply) => {
    const f = splitFormat((req.params as { file: string }).file);
    if (!f) return sendError(reply, 'json', 404, 'not found: use .json or .xml');
    const rows = await findRequests(db, { ids: [f.base], limit: 1 }, zone, detailFor(req));
    if (!rows.length) return sendError(reply, f.format, 404, `service_request_id ${f.base} not found`);
    return send(reply, f.format, { root: 'service_requests', item: 'request', body: rows });
  });

  // ---- tokens
  fastify.get(`${P}/tokens/:file`, async (req, reply) => {
    const f = splitFormat((req.params as { file: string }).file);
    if (!f) return sendError(reply, 'json', 404, 'not found: use .json or .xml');
    const msg = await db.inboundMessage.findFirst({ where: { id: f.base, platform: 'open311' }, select: { id: true, petitionId: true, status: true, outcome: true } });
    if (!msg) return sendError(reply, f.format, 404, `token ${f.base} not found`);
    const petition = msg.petitionId
      ? await db.petition.findUnique({ where: { id: msg.petitionId }, select: { number: true, status: true, triage: true, categoryCode: true } })
      : null;
    return send(reply, f.format, {
      root: 'service_requests',
      item: 'request',
      body: [{ token: msg.id, service_request_id: petition?.number ?? null, service_code: petition?.categoryCode ?? null, ...tokenStatus(msg, petition) }],
    });
  });

  // ---- POST requests
  fastify.post(`${P}/:file`, async (req, reply) => {
    const format = withFormat((req.params as { file: string }).file, reply, 'requests');
    if (!format) return reply;
    const q = params(req);
    const apiKey = matchApiKey(q.api_key, opts.apiKeys);
    if (!apiKey) return sendError(reply, format, 403, 'api_key is missing or not valid');
    const category = q.service_code ? await db.category.findUnique({ where: { code: q.service_code }, select: { code: true } }) : null;
    if (!category) return sendError(reply, format, 400, q.service_code ? `service_code ${q.service_code} not found` : 'service_code is required');
    const description = (q.description ?? '').trim();
    if (!description) return sendError(reply, format, 400, 'description is required');
    if (description.length > MAX_DESCRIPTION) return sendError(reply, format, 400, `description is longer than ${MAX_DESCRIPTION} characters`);
    const lat = q.lat !== undefined ? Number(q.lat) : undefined;
    const lng = q.long !== undefined ? Number(q.long) : undefined;
    const hasPoint = lat !== undefined && lng !== undefined;
    if (hasPoint && !(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) return sendError(reply, format, 400, 'lat/long out of range');
    const address = q.address_string?.trim();
    if (!hasPoint && !address) return sendError(reply, format, 400, 'a location is required: lat and long, or address_string');

    const idem = (req.headers['idempotency-key'] as string | undefined) ?? q.idempotency_key;
    if (idem !== undefined && !/^[\x21-\x7e]{1,128}$/.test(idem)) return sendError(reply, format, 400, 'Idempotency-Key must be 1–128 printable ASCII characters');
    const chatId = clientChatId(apiKey);
    const messageId = idem ? `${chatId.slice('open311:'.length)}:${idem}` : randomUUID();
    const name = maskedName(q.first_name, q.last_name);
    const text = [
      description,
      address ? `地址：${address}` : null,
      name ? `联系人：${name}` : null,
      q.email ? `邮箱：${maskText(q.email)}` : null,
      q.media_url ? `图片：${q.media_url}` : null,
    ]
      .filter(Boolean)
      .join('\n');
    const msg: InboundMessage = {
      platform: 'open311',
      messageId,
      chatId,
      chatType: 'private',
      userId: `${chatId}:${q.account_id ?? q.device_id ?? messageId}`,
      text,
      ...(hasPoint ? { location: { lat, lng, coordSystem: 'wgs84' as const, ...(address ? { label: address } : {}) } } : {}),
      ...(q.phone ? { contactPhone: q.phone } : {}),
      // the client chose the service: the petition is filed under it (the classifier's reading is kept beside it)
      categoryCode: category.code,
      receivedAt: new Date(),
    };
    let fresh: boolean;
    try {
      fresh = await sink(msg);
    } catch (err) {
      logger.error({ err, chatId, messageId }, 'open311: storing the request failed');
      return sendError(reply, format, 503, 'the request could not be stored now; retry with the same Idempotency-Key');
    }
    const stored = await db.inboundMessage.findUnique({ where: { platform_messageId: { platform: 'open311', messageId } }, select: { id: true } });
    if (!stored) {
      logger.error({ chatId, messageId }, 'open311: sink accepted a request but no InboundMessage row exists');
      return sendError(reply, format, 500, 'request could not be stored');
    }
    logger.info({ chatId, messageId, fresh, hasContact: !!(q.phone || q.email || name) }, 'open311: request received');
    return send(reply, format, {
      root: 'service_requests',
      item: 'request',
      body: [{ token: stored.id, service_notice: fresh ? '已受理，工单编号生成后可用 token 查询' : '重复提交，返回原 token' }],
      status: fresh ? 201 : 200,
    });
  });
}
