/**
 * Files residents send through 微信客服 reach staff through the self-built application: a kf media_id
 * lives 3 days and belongs to the kf side, so as soon as a message is pulled its file is fetched
 * (media/get with the kf token) and uploaded for the application (media/upload), and the message
 * carries the application's media_id (`relayId`) to the workflow. What cannot be handed on is said,
 * not dropped: a file over media/upload's limit is `too_large`, a media_id WeCom no longer knows is
 * `expired`. Without the application configured nothing is fetched.
 */
import type { Logger } from '../../core/log.js';
import type { InboundMedia, InboundMessage, MediaKind } from '../types.js';
import type { WecomClient } from './client.js';
import { WecomApiError } from './errors.js';
import { MEDIA_MAX_BYTES, MEDIA_MIN_BYTES, type MediaType } from './wire.js';

export const MEDIA_TYPE: Record<MediaKind, MediaType> = { photo: 'image', voice: 'voice', video: 'video', document: 'file' };

/** media/get: 40007 invalid media_id (expired or unknown); media/upload: 40004/40005/40006/40009 type or size refused. */
const EXPIRED = new Set([40007]);
const REFUSED_SIZE = new Set([40006, 40009, 40010, 40011]);

const EXT: Record<MediaType, string> = { image: 'jpg', voice: 'amr', video: 'mp4', file: 'bin' };

type Relayable = { fileId: string; kind: MediaKind; size?: number; mime?: string; fileName?: string; relayId?: string; problem?: InboundMedia['problem'] };

async function relayOne(client: WecomClient, m: Relayable, log: Logger): Promise<void> {
  const type = MEDIA_TYPE[m.kind];
  try {
    const file = await client.getMedia('kf', m.fileId);
    m.size = file.data.length;
    m.mime = file.contentType;
    if (file.data.length > MEDIA_MAX_BYTES[type] || file.data.length < MEDIA_MIN_BYTES) {
      m.problem = 'too_large';
      return;
    }
    const name = m.fileName ?? `${m.kind}-${m.fileId.slice(-8)}.${EXT[type]}`;
    m.relayId = (await client.uploadMedia('agent', type, file.data, name, file.contentType)).mediaId;
  } catch (err) {
    if (err instanceof WecomApiError && EXPIRED.has(err.errcode)) m.problem = 'expired';
    else if (err instanceof WecomApiError && REFUSED_SIZE.has(err.errcode)) m.problem = 'too_large';
    else log.warn({ module: 'wecom-media', kind: m.kind, err: (err as Error).message }, 'a kf file could not be relayed to the application; the message goes on without it');
  }
}

/** Fetch and re-upload every file of a pulled kf message (photo and media), in place. */
export async function relayKfMedia(client: WecomClient, msg: InboundMessage, logger: Logger): Promise<void> {
  if (!client.configured.agent) return;
  const files: Relayable[] = [...(msg.photo ? [Object.assign(msg.photo, { kind: 'photo' as const })] : []), ...(msg.media ?? [])];
  for (const f of files) await relayOne(client, f, logger);
  // `kind` was only borrowed to relay the photo
  if (msg.photo) delete (msg.photo as { kind?: string }).kind;
}
