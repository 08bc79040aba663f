/**
 * WeCom callback routes (a Fastify plugin). GET answers the URL check; POST
 * takes an encrypted message or event, hands it to the sink (which stores it
 * durably and deduplicates by messageId) and answers 200 with an empty body.
 * Work happens later, in the queue: WeCom re-sends anything not answered
 * within 5 s. Anything forged or broken gets a 4xx and reaches nobody.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../../core/log.js';
import type { InboundSink } from '../types.js';
import type { WecomClient } from './client.js';
import { EnvelopeError, openEnvelope, parseXml } from './envelope.js';
import { translateCallback } from './inbound.js';
import { cardMessageId } from './message-map.js';

export interface WecomCallbackOptions {
  /** Route path, e.g. `/wecom/callback` (the URL configured in the WeCom admin console). */
  path: string;
  /** Callback Token from the admin console (signs every request). */
  token: string;
  /** 43-character EncodingAESKey from the admin console. */
  encodingAESKey: string;
  /** Every ciphertext names its receiver; anything not addressed to this CorpID is refused. */
  corpId: string;
  /** Stores and enqueues one message; resolves once durable; deduplicates by (platform, messageId). */
  sink: InboundSink;
  /**
   * Called for `kf_msg_or_event` (a resident wrote to 微信客服): schedule a
   * `syncKf` with this token (valid 10 min). Must not sync inline: the sync may
   * take longer than WeCom's 5 s answer deadline.
   */
  onKfEvent: (token: string, openKfId: string) => Promise<void>;
  logger: Logger;
  /**
   * The client the senders use (optional): a card click names only the card's
   * task_id, and the client's Redis maps it back to the messageId the sender
   * returned, so `action.messageId` is set.
   */
  client?: WecomClient;
  /** Largest accepted body; WeCom callbacks are a few KB. Bigger bodies get 413. */
  bodyLimitBytes?: number;
}

interface SignedQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

export async function wecomCallbackRoutes(fastify: FastifyInstance, opts: WecomCallbackOptions): Promise<void> {
  const log = opts.logger.child({ module: 'wecom-callback' });
  const keys = { token: opts.token, encodingAESKey: opts.encodingAESKey, corpId: opts.corpId };

  function reject(reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof EnvelopeError) {
      log.warn({ reason: err.reason, status: err.status }, 'wecom callback rejected');
      return reply.code(err.status).type('text/plain').send(err.reason);
    }
    throw err;
  }

  // An encapsulated scope, so the XML body parser never leaks into the host app.
  await fastify.register(async (scope) => {
    scope.addContentTypeParser(['text/xml', 'application/xml', '*'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scope.get<{ Querystring: SignedQuery }>(opts.path, async (req, reply) => {
      try {
        const echo = openEnvelope(keys, req.query, req.query.echostr);
        return reply.code(200).type('text/plain').send(echo);
      } catch (err) {
        return reject(reply, err);
      }
    });

    scope.post<{ Querystring: SignedQuery; Body: string }>(
      opts.path,
      { bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT },
      async (req, reply) => {
        let event;
        try {
          const envelope = parseXml(typeof req.body === 'string' ? req.body : '');
          const encrypted = typeof envelope.Encrypt === 'string' ? envelope.Encrypt : undefined;
          event = translateCallback(parseXml(openEnvelope(keys, req.query, encrypted)));
        } catch (err) {
          return reject(reply, err);
        }
        if (event.kind === 'message') {
          if (event.cardTaskId && event.message.action && opts.client) {
            event.message.action.messageId = await cardMessageId(opts.client, event.cardTaskId);
          }
          const fresh = await opts.sink(event.message);
          log.debug({ messageId: event.message.messageId, fresh }, 'wecom callback stored');
        } else if (event.kind === 'kf') {
          await opts.onKfEvent(event.token, event.openKfId);
          log.debug({ openKfId: event.openKfId }, 'wecom kf event scheduled');
        } else {
          log.debug({ what: event.what }, 'wecom callback ignored');
        }
        return reply.code(200).type('text/plain').send('');
      },
    );
  });
}
