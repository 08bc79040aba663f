/**
 * Open311 GeoReport v2 wire formats: every answer exists as JSON and XML,
 * errors included (`[{code, description}]` / `<errors><error>…`).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { FastifyReply } from 'fastify';

export type Format = 'json' | 'xml';

const builder = new XMLBuilder({ ignoreAttributes: false, format: false, suppressEmptyNode: false, processEntities: true });

/** `requests.json` → { base: 'requests', format: 'json' }; anything else → null. */
export function splitFormat(file: string): { base: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { base: m[1]!, format: m[2] as Format } : null;
}

function xmlValue(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(xmlValue);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, xmlValue(x)]));
  return v;
}

export function toXml(root: string, body: unknown): string {
  return '<?xml version="1.0" encoding="utf-8"?>' + builder.build({ [root]: xmlValue(body) });
}

/**
 * Send `items` as a JSON array, or as XML `<root><item>…</item>…</root>`.
 * `single` sends one object (discovery, service definition).
 */
export function send(reply: FastifyReply, format: Format, opts: { root: string; item?: string; body: unknown; status?: number }): FastifyReply {
  reply.code(opts.status ?? 200);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(opts.body));
  const body = opts.item ? { [opts.item]: opts.body } : opts.body;
  return reply.type('text/xml; charset=utf-8').send(toXml(opts.root, body));
}

export function sendError(reply: FastifyReply, format: Format, status: number, description: string): FastifyReply {
  return send(reply, format, { root: 'errors', item: 'error', body: [{ code: status, description }], status });
}
