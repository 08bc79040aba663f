/**
 * WeCom server API client: access tokens per application (shared in Redis),
 * errcode handling (every reply is HTTP 200, so every reply is checked),
 * and per-member send quotas shared by every process. One attempt per call
 * (an expired token is refreshed once): waiting out -1 / 45009 / 45033 and
 * network errors is the send job's (jobs/), never a sleep here.
 */
import { createHash } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/log.js';
import { CONFIG_ERRCODES, ERR, TOKEN_ERRCODES } from './codes.js';
import { WecomApiError, WecomConfigError, WecomHttpError, WecomKfBudgetError } from './errors.js';
import { createQuota, type Quota } from './quota.js';
import { byteLength } from './text.js';
import { TokenStore } from './token.js';
import {
  CARD_BUTTON_KEY_MAX_BYTES,
  CARD_MAX_BUTTONS,
  CARD_TASK_ID_RE,
  TEXT_MAX_BYTES,
  type AppchatMessage,
  type ButtonInteractionCard,
  type KfOutMessage,
  type KfSyncPage,
  type KfSyncedMessage,
  type MediaType,
  type WecomReply,
} from './wire.js';

export type WecomApp = 'agent' | 'kf';

export interface WecomQuotaOptions {
  /** Longest a send waits for a free quota slot before throwing WecomQuotaError (with retryAfterMs). Default 10 s: a small part of the send lease. */
  maxWaitMs?: number;
  /** Application messages per member (WeCom: 30/min, 1000/h; excess is dropped silently). */
  appMessagesPerMinute?: number;
  appMessagesPerHour?: number;
  /** Application group chat messages per member (WeCom: 200/min). */
  appchatPerMinute?: number;
  /** Group robot webhook messages per robot (WeCom: 20/min). */
  robotPerMinute?: number;
}

export interface WecomClientOptions {
  /** `https://qyapi.weixin.qq.com`, or a local server in tests. */
  apiBase: string;
  corpId: string;
  /** Each application has its own secret and token: the self-built app (staff) and 微信客服 (residents). */
  apps: { agent?: { agentId: string | number; secret: string }; kf?: { secret: string } };
  redis: Redis;
  /** Prefix of every Redis key (tokens, locks, quotas). */
  keyPrefix: string;
  logger: Logger;
  /** Per HTTP request. WeCom answers in well under a second; a hung socket must not hold a worker. */
  timeoutMs?: number;
  /** Tokens are dropped this long before `expires_in` ends. */
  tokenMarginSec?: number;
  quota?: WecomQuotaOptions;
}

export interface WecomClient {
  readonly corpId: string;
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** Which applications are configured (a secret each). */
  readonly configured: { agent: boolean; kf: boolean };
  /** Current access_token of an application (cached); for calls this client does not wrap. */
  accessToken(app: WecomApp): Promise<string>;
  /** Application text message to one member; returns WeCom's msgid. Text ≤ 2048 bytes. */
  sendAppText(toUser: string, text: string): Promise<{ msgid: string }>;
  /** button_interaction template card to one member; `responseCode` can update the card once (72 h). */
  sendTemplateCard(toUser: string, card: ButtonInteractionCard): Promise<{ msgid: string; responseCode?: string }>;
  /** Grey out the buttons of a clicked card, showing `replaceName` (the ResponseCode of the click event, usable once). */
  updateTemplateCard(opts: { responseCode: string; replaceName: string; userIds?: string[] }): Promise<void>;
  /** Recall an application message (message/recall; WeCom allows it within 24 h). */
  recallMessage(msgid: string): Promise<void>;
  /**
   * Download a temporary media file (media/get) named by an inbound photo's
   * fileId. media_ids live 3 days: keep what must outlive that. `app` is the
   * one that received it: 'agent' for staff, 'kf' for residents.
   */
  getMedia(app: WecomApp, mediaId: string): Promise<{ data: Buffer; contentType: string }>;
  /**
   * Upload a temporary media file (media/upload, multipart field `media`) for `app`; returns its
   * media_id (valid 3 days). Limits: wire.ts MEDIA_MAX_BYTES.
   */
  uploadMedia(app: WecomApp, type: MediaType, data: Buffer, filename: string, contentType?: string): Promise<{ mediaId: string }>;
  /** Application image / voice / video / file message to a member, from an uploaded media_id. */
  sendAppMedia(toUser: string, type: MediaType, mediaId: string): Promise<{ msgid: string }>;
  /** Message to an application group chat. appchat/send returns no msgid. */
  appchatSend(chatId: string, msg: AppchatMessage): Promise<void>;
  /** Members of an application group chat (cached 10 min); used for the per-member group quota. */
  appchatMembers(chatId: string): Promise<string[]>;
  /** One page of 微信客服 messages. `token` is the callback's (10 min); without one WeCom rate-limits hard. */
  kfSyncMsg(token: string | undefined, cursor: string | undefined, limit?: number, openKfId?: string): Promise<KfSyncPage>;
  /** Reply to a resident. Throws WecomKfBudgetError when the 48 h window is closed or its 5 messages are spent. */
  kfSendMsg(openKfId: string, externalUserId: string, msg: KfOutMessage): Promise<{ msgid: string }>;
  /** Group robot webhook (outbound only, 20/min per robot). The URL holds the robot's key: never logged. */
  robotSend(webhookUrl: string, text: string): Promise<void>;
}

const APPCHAT_MEMBERS_TTL_SEC = 600;

type SendReply = WecomReply & { msgid?: string; response_code?: string; invaliduser?: string };

export function createWecomClient(opts: WecomClientOptions): WecomClient {
  const { corpId, redis, keyPrefix, logger } = opts;
  const log = logger.child({ module: 'wecom' });
  const quotaOpts = {
    maxWaitMs: opts.quota?.maxWaitMs ?? 10_000,
    appMessagesPerMinute: opts.quota?.appMessagesPerMinute ?? 30,
    appMessagesPerHour: opts.quota?.appMessagesPerHour ?? 1000,
    appchatPerMinute: opts.quota?.appchatPerMinute ?? 200,
    robotPerMinute: opts.quota?.robotPerMinute ?? 20,
  };
  const http: AxiosInstance = axios.create({
    baseURL: opts.apiBase.replace(/\/+$/, ''),
    timeout: opts.timeoutMs ?? 10_000,
    validateStatus: () => true,
    maxRedirects: 0,
  });

  const agentKey = opts.apps.agent ? String(opts.apps.agent.agentId) : 'none';
  const quotas = {
    appMessage: createQuota(redis, `${keyPrefix}:wecom:quota:${corpId}:${agentKey}`, 'app_message', [
      { windowMs: 60_000, limit: quotaOpts.appMessagesPerMinute },
      { windowMs: 3_600_000, limit: quotaOpts.appMessagesPerHour },
    ]),
    appchat: createQuota(redis, `${keyPrefix}:wecom:quota:${corpId}:${agentKey}`, 'appchat', [
      { windowMs: 60_000, limit: quotaOpts.appchatPerMinute },
    ]),
    robot: createQuota(redis, `${keyPrefix}:wecom:quota:robot`, 'robot', [{ windowMs: 60_000, limit: quotaOpts.robotPerMinute }]),
  } satisfies Record<string, Quota>;

  const tokens = new Map<WecomApp, TokenStore>();
  function tokenStore(app: WecomApp): TokenStore {
    let store = tokens.get(app);
    if (!store) {
      const secret = app === 'agent' ? opts.apps.agent?.secret : opts.apps.kf?.secret;
      if (!secret) throw new WecomConfigError(`WeCom application "${app}" is not configured (no secret)`);
      store = new TokenStore({
        redis,
        // The secret's hash in the key: a rotated secret never reuses a token cached for the old one.
        key: `${keyPrefix}:wecom:token:${corpId}:${app}:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`,
        marginSec: opts.tokenMarginSec ?? 300,
        fetch: () => fetchToken(app, secret),
      });
      tokens.set(app, store);
    }
    return store;
  }

  async function fetchToken(app: WecomApp, secret: string) {
    const reply = await request<WecomReply & { access_token?: string; expires_in?: number }>(null, 'gettoken', 'GET', undefined, {
      corpid: corpId,
      corpsecret: secret,
    });
    if (!reply.access_token) throw new WecomHttpError('gettoken', 200, 'no_access_token');
    log.info({ app, expiresInSec: reply.expires_in }, 'wecom access_token refreshed');
    return { token: reply.access_token, expiresInSec: reply.expires_in ?? 7200 };
  }

  /** One HTTP round trip; returns the parsed JSON body whatever its errcode. */
  async function roundTrip<T extends WecomReply>(
    api: string,
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    params: Record<string, string>,
    raw = false,
  ): Promise<T> {
    let res;
    try {
      res = await http.request({ method, url, data: body, params, responseType: raw ? 'arraybuffer' : 'json' });
    } catch (err) {
      // Never attach the axios error: its config holds the access_token and secrets.
      const code = (err as { code?: string }).code;
      throw new WecomHttpError(api, undefined, code);
    }
    if (res.status !== 200) throw new WecomHttpError(api, res.status, undefined);
    if (raw) {
      // A file on success; a JSON errcode (as text) on failure.
      const buf = Buffer.from(res.data as ArrayBuffer);
      const contentType = String(res.headers['content-type'] ?? 'application/octet-stream');
      if (!/json|^text\//i.test(contentType)) return { errcode: 0, file: { data: buf, contentType } } as unknown as T;
      try {
        return JSON.parse(buf.toString('utf8')) as T;
      } catch {
        throw new WecomHttpError(api, res.status, 'bad_body');
      }
    }
    const data = res.data as T;
    if (!data || typeof data !== 'object') throw new WecomHttpError(api, res.status, 'bad_body');
    return data;
  }

  /**
   * Call `api` (a path under /cgi-bin, or an absolute URL for robots) as
   * `app` (null: no token), once. Refreshes the token once on 40014/41001/42001
   * (the refused call did nothing); any other failure is a typed error for the
   * caller (the senders turn it into a SendError, and the send job decides when to try again).
   */
  async function request<T extends WecomReply>(
    app: WecomApp | null,
    api: string,
    method: 'GET' | 'POST',
    body?: unknown,
    query: Record<string, string> = {},
    urlOverride?: string,
    raw = false,
  ): Promise<T> {
    const url = urlOverride ?? `/cgi-bin/${api}`;
    for (let refreshed = false; ; refreshed = true) {
      const token = app ? await tokenStore(app).get() : undefined;
      const params = token ? { ...query, access_token: token } : query;
      const reply = await roundTrip<T>(api, method, url, body, params, raw);
      const errcode = reply.errcode ?? 0;
      if (errcode === 0) return reply;
      const errmsg = reply.errmsg ?? '';
      if (app && token && TOKEN_ERRCODES.has(errcode) && !refreshed) {
        log.info({ api, errcode }, 'wecom access_token refused, refreshing once');
        await tokenStore(app).refresh(token);
        continue;
      }
      if (CONFIG_ERRCODES.has(errcode)) {
        const what = errcode === ERR.INVALID_CORPID ? 'the corp id (WECOM_CORP_ID)' : `the secret of application "${app ?? 'unknown'}"`;
        log.error({ api, errcode }, 'wecom configuration error');
        throw new WecomConfigError(`WeCom rejected ${what}: errcode ${errcode}. Fix the configuration; not retried.`, errcode);
      }
      if (api === 'kf/send_msg' && (errcode === ERR.KF_BUDGET_SPENT || errcode === ERR.KF_SESSION_INVALID)) {
        throw new WecomKfBudgetError(errcode, errmsg, errcode === ERR.KF_BUDGET_SPENT ? 'budget_spent' : 'window_closed');
      }
      throw new WecomApiError(api, errcode, errmsg);
    }
  }

  function agentId(): number {
    if (!opts.apps.agent) throw new WecomConfigError('WeCom self-built application is not configured (WECOM_AGENT_ID / WECOM_AGENT_SECRET)');
    return Number(opts.apps.agent.agentId);
  }

  /**
   * message/send answers errcode 0 even when some recipients are unknown or
   * outside the application's visibility; it only lists them in `invaliduser`.
   * When nobody received the message that is a failure, not a success.
   */
  function checkRecipients(toUser: string, reply: SendReply): void {
    const invalid = new Set(String(reply.invaliduser ?? '').split('|').filter(Boolean));
    if (invalid.size === 0) return;
    const all = members(toUser);
    if (all.every((m) => invalid.has(m))) throw new WecomApiError('message/send', ERR.NO_VALID_RECIPIENT, 'no valid recipient (invaliduser)');
    log.warn({ invalid: invalid.size, of: all.length }, 'wecom message/send: some recipients invalid');
  }

  function members(toUser: string): string[] {
    return toUser.split('|').filter(Boolean);
  }

  function checkCard(card: ButtonInteractionCard): void {
    if (!CARD_TASK_ID_RE.test(card.task_id)) throw new WecomApiError('message/send', 40058, 'invalid task_id (≤ 128 bytes of [0-9A-Za-z_-@])');
    if (card.button_list.length === 0 || card.button_list.length > CARD_MAX_BUTTONS) {
      throw new WecomApiError('message/send', 40058, `button_interaction needs 1–${CARD_MAX_BUTTONS} buttons`);
    }
    for (const b of card.button_list) {
      if (!b.key || byteLength(b.key) > CARD_BUTTON_KEY_MAX_BYTES) {
        throw new WecomApiError('message/send', 40058, `button key must be 1–${CARD_BUTTON_KEY_MAX_BYTES} bytes`);
      }
    }
  }

  async function appchatMembers(chatId: string): Promise<string[]> {
    const key = `${keyPrefix}:wecom:appchat:${corpId}:${chatId}:members`;
    const cached = await redis.get(key);
    if (cached) return JSON.parse(cached) as string[];
    const reply = await request<WecomReply & { chat_info?: { userlist?: string[] } }>('agent', 'appchat/get', 'GET', undefined, {
      chatid: chatId,
    });
    const list = reply.chat_info?.userlist ?? [];
    await redis.set(key, JSON.stringify(list), 'EX', APPCHAT_MEMBERS_TTL_SEC);
    return list;
  }

  return {
    corpId,
    redis,
    keyPrefix,
    configured: { agent: !!opts.apps.agent, kf: !!opts.apps.kf },

    accessToken: (app) => tokenStore(app).get(),

    async sendAppText(toUser, text) {
      if (byteLength(text) > TEXT_MAX_BYTES) throw new WecomApiError('message/send', ERR.CONTENT_TOO_LONG, `text exceeds ${TEXT_MAX_BYTES} bytes`);
      await quotas.appMessage.take(members(toUser), quotaOpts.maxWaitMs);
      const reply = await request<SendReply>('agent', 'message/send', 'POST', {
        touser: toUser,
        msgtype: 'text',
        agentid: agentId(),
        text: { content: text },
        safe: 0,
      });
      checkRecipients(toUser, reply);
      return { msgid: String(reply.msgid ?? '') };
    },

    async sendTemplateCard(toUser, card) {
      checkCard(card);
      await quotas.appMessage.take(members(toUser), quotaOpts.maxWaitMs);
      const reply = await request<SendReply>('agent', 'message/send', 'POST', {
        touser: toUser,
        msgtype: 'template_card',
        agentid: agentId(),
        template_card: card,
      });
      checkRecipients(toUser, reply);
      return { msgid: String(reply.msgid ?? ''), responseCode: reply.response_code };
    },

    async updateTemplateCard({ responseCode, replaceName, userIds }) {
      await request('agent', 'message/update_template_card', 'POST', {
        ...(userIds ? { userids: userIds } : {}),
        agentid: agentId(),
        response_code: responseCode,
        button: { replace_name: replaceName },
      });
    },

    appchatMembers,

    async getMedia(app, mediaId) {
      const reply = await request<WecomReply & { file?: { data: Buffer; contentType: string } }>(
        app,
        'media/get',
        'GET',
        undefined,
        { media_id: mediaId },
        undefined,
        true,
      );
      if (!reply.file) throw new WecomHttpError('media/get', 200, 'no_file');
      return reply.file;
    },

    async uploadMedia(app, type, data, filename, contentType = 'application/octet-stream') {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(data)], { type: contentType }), filename);
      const reply = await request<WecomReply & { media_id?: string }>(app, 'media/upload', 'POST', form, { type });
      if (!reply.media_id) throw new WecomHttpError('media/upload', 200, 'no_media_id');
      return { mediaId: reply.media_id };
    },

    async sendAppMedia(toUser, type, mediaId) {
      await quotas.appMessage.take(members(toUser), quotaOpts.maxWaitMs);
      const reply = await request<SendReply>('agent', 'message/send', 'POST', { touser: toUser, msgtype: type, agentid: agentId(), [type]: { media_id: mediaId }, safe: 0 });
      checkRecipients(toUser, reply);
      return { msgid: String(reply.msgid ?? '') };
    },

    async recallMessage(msgid) {
      await request('agent', 'message/recall', 'POST', { msgid });
    },

    async appchatSend(chatId, msg) {
      const content = msg.msgtype === 'text' ? msg.text.content : msg.msgtype === 'markdown' ? msg.markdown.content : '';
      if (msg.msgtype === 'text' && byteLength(content) > TEXT_MAX_BYTES) {
        throw new WecomApiError('appchat/send', ERR.CONTENT_TOO_LONG, `text exceeds ${TEXT_MAX_BYTES} bytes`);
      }
      let ids: string[];
      try {
        ids = (await appchatMembers(chatId)).map((u) => `user:${u}`);
      } catch (err) {
        if (err instanceof WecomConfigError) throw err;
        // Without the member list, count per chat: a lower bound of every member's count.
        log.warn({ chatId, err: (err as Error).message }, 'appchat members unknown, quota counted per chat');
        ids = [];
      }
      await quotas.appchat.take(ids.length > 0 ? ids : [`chat:${chatId}`], quotaOpts.maxWaitMs);
      await request('agent', 'appchat/send', 'POST', { chatid: chatId, ...msg, safe: 0 });
    },

    async kfSyncMsg(token, cursor, limit = 1000, openKfId) {
      const body = {
        ...(cursor ? { cursor } : {}),
        ...(token ? { token } : {}),
        limit,
        voice_format: 0,
        ...(openKfId ? { open_kfid: openKfId } : {}),
      };
      const reply = await request<WecomReply & { next_cursor?: string; has_more?: number; msg_list?: KfSyncedMessage[] }>(
        'kf',
        'kf/sync_msg',
        'POST',
        body,
      );
      return { nextCursor: reply.next_cursor ?? cursor ?? '', hasMore: reply.has_more === 1, msgList: reply.msg_list ?? [] };
    },

    async kfSendMsg(openKfId, externalUserId, msg) {
      const reply = await request<WecomReply & { msgid?: string }>('kf', 'kf/send_msg', 'POST', {
        touser: externalUserId,
        open_kfid: openKfId,
        ...msg,
      });
      return { msgid: String(reply.msgid ?? '') };
    },

    async robotSend(webhookUrl, text) {
      if (byteLength(text) > TEXT_MAX_BYTES) throw new WecomApiError('webhook/send', ERR.CONTENT_TOO_LONG, `text exceeds ${TEXT_MAX_BYTES} bytes`);
      const robotId = createHash('sha256').update(webhookUrl).digest('hex').slice(0, 16);
      await quotas.robot.take([robotId], quotaOpts.maxWaitMs);
      await request(null, 'webhook/send', 'POST', { msgtype: 'text', text: { content: text } }, {}, webhookUrl);
    },
  };
}
