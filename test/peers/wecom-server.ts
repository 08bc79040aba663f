/**
 * A local WeCom server speaking the documented protocol, on an ephemeral
 * port, for tests and the sandbox. It issues and expires access tokens,
 * answers errcodes (always HTTP 200), serves 微信客服 messages by cursor,
 * enforces the kf 48 h / 5-message budget and the per-member send quotas
 * (dropping the excess silently, as WeCom does), can be told to answer
 * 45009 storms or -1, records every call, and delivers encrypted callbacks
 * (`@wecom/crypto`) to a callback URL.
 *
 * Error codes it answers (WeCom's global codes where one exists):
 *   -1     busy (when told to, failNext)
 *   40001  wrong secret (gettoken)
 *   40004  media/upload: type not image / voice / video / file
 *   40006  media/upload: file size 5 bytes or less, or over the type's limit (image 10 MB, voice 2 MB, video 10 MB, file 20 MB)
 *   40007  media/get: unknown media_id (as text/plain JSON, like WeCom); message/send, appchat/send: unknown media_id
 *   40008  unsupported msgtype
 *   40013  wrong corpid (gettoken)
 *   40014  unknown access_token
 *   40056  wrong agentid
 *   40058  invalid parameter: card fields, task_id, button keys, a used or unknown
 *          response_code, recall of an unknown / recalled / > 24 h old msgid
 *   41001  no access_token
 *   42001  access_token expired (tokenTtlSec, or expireAllTokens())
 *   44004  empty content
 *   45002  content longer than 2048 bytes
 *   45009  rate limited, 45033 too many concurrent calls (when told to, failNext)
 *   47001  body is not JSON
 *   48002  access_token of another application
 *   81013  no valid recipient (after setMembers); partial: errcode 0 + invaliduser
 *   86003  appchat chatid does not exist
 *   93000  robot webhook key unknown
 *   95001  kf: 5 messages already sent in this window (给该客户发送的消息数量已达上限)
 *   95007  kf: sync_msg token unknown or older than 10 min (不合法的msgtoken)
 *   95018  kf: no open 48 h window (send msg session status invalid)
 * Silently dropped (errcode 0, `dropped: true` in the record): over 30/min per
 * member (message/send) or 200/min per member (appchat/send).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

export interface WecomServerOptions {
  corpId?: string;
  agentId?: number;
  agentSecret?: string;
  kfSecret?: string;
  /** Callback Token and EncodingAESKey (as configured in the admin console). */
  callbackToken?: string;
  encodingAESKey?: string;
  /** expires_in of issued tokens; tokens stop working after it (42001). */
  tokenTtlSec?: number;
  /** 微信客服 reply window after a resident's message, and messages allowed in it. */
  kfWindowMs?: number;
  kfBudget?: number;
  /** Silent-drop limits per member (WeCom: 30/min application messages, 200/min group chat). */
  appMessagesPerMinute?: number;
  appchatPerMinute?: number;
}

/** Ways to break a callback on purpose (see WecomServer.callbackRequest). */
export interface CallbackFaults {
  forgeSignature?: boolean;
  receiverId?: string;
  corruptCiphertext?: boolean;
  rawBody?: string;
  innerXml?: string;
}

export interface RecordedCall {
  api: string;
  method: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  errcode: number;
  /** Accepted but dropped over quota (WeCom gives no error for this). */
  dropped?: boolean;
  at: number;
}

export interface KfQueued {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  send_time: number;
  origin: number;
  msgtype: string;
  [k: string]: unknown;
}

interface Fault {
  api: string;
  errcode: number;
  remaining: number;
}

const KF_TOKEN_TTL_MS = 10 * 60 * 1000;
const KF_HISTORY_MS = 3 * 24 * 3600 * 1000;

const cdata = (v: string) => `<![CDATA[${v.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** `<xml>` as WeCom sends it: strings in CDATA, numbers bare. */
export function wecomXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`)
    .join('');
  return `<xml>${body}</xml>`;
}

export class WecomServer {
  readonly corpId: string;
  readonly agentId: number;
  readonly agentSecret: string;
  readonly kfSecret: string;
  readonly callbackToken: string;
  readonly encodingAESKey: string;
  tokenTtlSec: number;
  readonly calls: RecordedCall[] = [];
  /** Application messages as members hold them (message/send), in order; recalled ones flagged. */
  readonly appMessages: {
    msgid: string;
    touser: string[];
    msgtype: string;
    text?: string;
    card?: Record<string, unknown>;
    /** image / voice / video / file messages: the media_id sent */
    mediaId?: string;
    recalled: boolean;
    dropped: boolean;
    at: number;
  }[] = [];
  /** Group chat messages (appchat/send), in order. */
  readonly appchatMessages: { chatid: string; msgtype: string; content: string; mediaId?: string; dropped: boolean; at: number }[] = [];
  /** Files uploaded with media/upload, in order (the bytes are what media/get of their media_id serves). */
  readonly uploads: { mediaId: string; app: 'agent' | 'kf'; type: string; filename: string; data: Buffer }[] = [];
  /** Everything a resident received through kf/send_msg, in order. */
  readonly kfSent: { open_kfid: string; touser: string; msgid: string; msgtype: string; body: Record<string, unknown> }[] = [];
  url = '';

  private server: Server | undefined;
  private offsetMs = 0;
  private seq = 0;
  private readonly tokens = new Map<string, { app: 'agent' | 'kf'; expiresAt: number }>();
  private readonly faults: Fault[] = [];
  private readonly kfQueue: KfQueued[] = [];
  private readonly kfTokens = new Map<string, number>();
  private readonly kfWindows = new Map<string, { openedAt: number; sent: number }>();
  private readonly responseCodes = new Map<string, { used: boolean }>();
  private readonly appchats = new Map<string, string[]>();
  private readonly robots = new Set<string>();
  private readonly media = new Map<string, { data: Buffer; contentType: string; app: 'agent' | 'kf' }>();
  /** Members visible to the application; undefined = everybody. */
  private directory: Set<string> | undefined;
  private readonly sends = new Map<string, number[]>();
  private readonly opts: Required<Pick<WecomServerOptions, 'kfWindowMs' | 'kfBudget' | 'appMessagesPerMinute' | 'appchatPerMinute'>>;

  constructor(o: WecomServerOptions = {}) {
    this.corpId = o.corpId ?? 'wwtestcorp0000001';
    this.agentId = o.agentId ?? 1000002;
    this.agentSecret = o.agentSecret ?? 'agent-secret-' + randomBytes(6).toString('hex');
    this.kfSecret = o.kfSecret ?? 'kf-secret-' + randomBytes(6).toString('hex');
    this.callbackToken = o.callbackToken ?? 'cbtoken' + randomBytes(4).toString('hex');
    this.encodingAESKey = o.encodingAESKey ?? randomBytes(32).toString('base64').slice(0, 43);
    this.tokenTtlSec = o.tokenTtlSec ?? 7200;
    this.opts = {
      kfWindowMs: o.kfWindowMs ?? 48 * 3600 * 1000,
      kfBudget: o.kfBudget ?? 5,
      appMessagesPerMinute: o.appMessagesPerMinute ?? 30,
      appchatPerMinute: o.appchatPerMinute ?? 200,
    };
  }

  static async start(o: WecomServerOptions = {}): Promise<WecomServer> {
    const s = new WecomServer(o);
    await s.listen();
    return s;
  }

  /** The service's WECOM_* settings pointing at this server (call after listen). */
  serviceEnv(): Record<string, string> {
    return {
      WECOM_CORP_ID: this.corpId,
      WECOM_API_BASE: this.url,
      WECOM_TOKEN: this.callbackToken,
      WECOM_ENCODING_AES_KEY: this.encodingAESKey,
      WECOM_AGENT_ID: String(this.agentId),
      WECOM_AGENT_SECRET: this.agentSecret,
      WECOM_KF_SECRET: this.kfSecret,
    };
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  // ---------------------------------------------------------------- control

  /** Server time (tokens, kf windows); `advance` moves it forward. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Every issued access_token now answers 42001. */
  expireAllTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, this.now() - 1);
  }

  /** The next `times` calls to `api` ('*' = any API but gettoken) answer `errcode`. */
  failNext(api: string, errcode: number, times = 1): void {
    this.faults.push({ api, errcode, remaining: times });
  }

  callsTo(api: string): RecordedCall[] {
    return this.calls.filter((c) => c.api === api);
  }

  /** A temporary media file (what an inbound image's MediaId names), readable with the given application's token. */
  addMedia(mediaId: string, data: Buffer, app: 'agent' | 'kf', contentType = 'image/jpeg'): void {
    this.media.set(mediaId, { data, contentType, app });
  }

  /** Restrict the application's visible members: others land in `invaliduser` (81013 when nobody is valid). */
  setMembers(userids: string[]): void {
    this.directory = new Set(userids);
  }

  isMember(userid: string): boolean {
    return !this.directory || this.directory.has(userid);
  }

  addAppchat(chatId: string, userlist: string[]): void {
    this.appchats.set(chatId, userlist);
  }

  /** Register a group robot; returns its webhook URL. */
  addRobot(key = randomBytes(8).toString('hex')): string {
    this.robots.add(key);
    return `${this.url}/cgi-bin/webhook/send?key=${key}`;
  }

  /** A resident writes to 微信客服: queued for sync_msg; opens a fresh 48 h / 5-message window. */
  addKfCustomerMessage(
    openKfId: string,
    externalUserId: string,
    content:
      | { msgtype: 'text'; text: { content: string; menu_id?: string } }
      | { msgtype: 'image'; image: { media_id: string } }
      | { msgtype: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
      | { msgtype: 'voice'; voice: { media_id: string } }
      | { msgtype: 'video'; video: { media_id: string } }
      | { msgtype: 'file'; file: { media_id: string } }
      | { msgtype: 'link'; link: { title: string; url: string } },
  ): string {
    const msgid = `kfmsg${++this.seq}${randomBytes(3).toString('hex')}`;
    const sendTime = Math.floor(this.now() / 1000);
    this.kfQueue.push({ msgid, open_kfid: openKfId, external_userid: externalUserId, send_time: sendTime, origin: 3, ...content });
    this.kfWindows.set(`${openKfId}|${externalUserId}`, { openedAt: this.now(), sent: 0 });
    return msgid;
  }

  /** A system event in the kf stream (origin 4), e.g. enter_session. */
  addKfEvent(openKfId: string, externalUserId: string, eventType: string): void {
    const msgid = `kfevt${++this.seq}`;
    this.kfQueue.push({
      msgid,
      open_kfid: openKfId,
      external_userid: externalUserId,
      send_time: Math.floor(this.now() / 1000),
      origin: 4,
      msgtype: 'event',
      event: { event_type: eventType, open_kfid: openKfId, external_userid: externalUserId },
    });
  }

  /** The token a `kf_msg_or_event` callback carries (valid 10 min for sync_msg). */
  issueKfToken(): string {
    const token = 'ENC' + randomBytes(16).toString('hex');
    this.kfTokens.set(token, this.now() + KF_TOKEN_TTL_MS);
    return token;
  }

  // ---------------------------------------------------------------- callbacks

  /** GET URL verification as WeCom performs it; returns the answer and the expected echo. */
  async verifyUrl(url: string, o: { forgeSignature?: boolean; receiverId?: string } = {}) {
    const echo = 'echo' + randomBytes(8).toString('hex');
    const q = this.sign(encrypt(this.encodingAESKey, echo, o.receiverId ?? this.corpId), o.forgeSignature);
    const res = await fetch(`${url}?${new URLSearchParams({ ...q.query, echostr: q.encrypted })}`);
    return { status: res.status, body: await res.text(), echo };
  }

  /**
   * The signed query string and XML body of a callback (inner XML built from `fields`) as WeCom
   * posts it. Options break it on purpose: a forged signature, another receiver id, a corrupted
   * ciphertext, or a raw body.
   */
  callbackRequest(fields: Record<string, string | number>, o: CallbackFaults = {}): { query: string; body: string } {
    const inner = o.innerXml ?? wecomXml(fields);
    let encrypted = encrypt(this.encodingAESKey, inner, o.receiverId ?? this.corpId);
    if (o.corruptCiphertext) encrypted = randomBytes(Buffer.from(encrypted, 'base64').length).toString('base64');
    const q = this.sign(encrypted, o.forgeSignature);
    const body = o.rawBody ?? wecomXml({ ToUserName: this.corpId, Encrypt: encrypted, AgentID: String(this.agentId) });
    return { query: new URLSearchParams(q.query).toString(), body };
  }

  /** POST a callback (see callbackRequest) the way WeCom does. */
  async deliver(url: string, fields: Record<string, string | number>, o: CallbackFaults & { /** Content-Type header; omitted when null. */ contentType?: string | null } = {}) {
    const { query, body } = this.callbackRequest(fields, o);
    const res = await fetch(`${url}?${query}`, {
      method: 'POST',
      headers: o.contentType === null ? {} : { 'content-type': o.contentType ?? 'text/xml' },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** Inner XML fields of a member's text message to the application. */
  textMessage(from: string, content: string, msgId = this.nextMsgId()): Record<string, string | number> {
    return { ToUserName: this.corpId, FromUserName: from, CreateTime: this.unixNow(), MsgType: 'text', Content: content, MsgId: msgId, AgentID: this.agentId };
  }

  imageMessage(from: string, mediaId: string, msgId = this.nextMsgId()): Record<string, string | number> {
    return {
      ToUserName: this.corpId,
      FromUserName: from,
      CreateTime: this.unixNow(),
      MsgType: 'image',
      PicUrl: 'http://wework.qpic.cn/test.jpg',
      MediaId: mediaId,
      MsgId: msgId,
      AgentID: this.agentId,
    };
  }

  locationMessage(from: string, lat: number, lng: number, label: string, msgId = this.nextMsgId()): Record<string, string | number> {
    return {
      ToUserName: this.corpId,
      FromUserName: from,
      CreateTime: this.unixNow(),
      MsgType: 'location',
      Location_X: String(lat),
      Location_Y: String(lng),
      Scale: 15,
      Label: label,
      MsgId: msgId,
      AgentID: this.agentId,
      AppType: 'wxwork',
    };
  }

  /** A button click on a template card (template_card_event). */
  cardClick(from: string, eventKey: string, taskId: string, responseCode: string, createTime = this.unixNow()): Record<string, string | number> {
    return {
      ToUserName: this.corpId,
      FromUserName: from,
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: eventKey,
      TaskId: taskId,
      CardType: 'button_interaction',
      ResponseCode: responseCode,
      AgentID: this.agentId,
    };
  }

  /** The `kf_msg_or_event` notice (no content: the receiver pulls with sync_msg). */
  kfNotice(openKfId: string, token = this.issueKfToken()): Record<string, string | number> {
    return { ToUserName: this.corpId, CreateTime: this.unixNow(), MsgType: 'event', Event: 'kf_msg_or_event', Token: token, OpenKfId: openKfId };
  }

  /**
   * A member clicks button `key` on the template card sent as `msgid`: the
   * template_card_event fields (with a fresh ResponseCode the server accepts once).
   */
  clickCard(msgid: string, from: string, key: string): Record<string, string | number> {
    const m = this.appMessages.find((x) => x.msgid === msgid && x.card && !x.recalled);
    if (!m?.card) throw new Error(`no live template card ${msgid}`);
    const buttons = m.card.button_list as { key: string }[];
    if (!buttons.some((b) => b.key === key)) throw new Error(`card ${msgid} has no button ${key}`);
    return this.cardClick(from, key, String(m.card.task_id), this.knownResponseCode());
  }

  /** A response_code the server will accept once in update_template_card (as if a card was clicked). */
  knownResponseCode(): string {
    const code = 'RC' + randomBytes(8).toString('hex');
    this.responseCodes.set(code, { used: false });
    return code;
  }

  private unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  private nextMsgId(): string {
    // 64-bit ids, as WeCom's MsgId: beyond Number.MAX_SAFE_INTEGER on purpose.
    return (7_300_000_000_000_000_000n + BigInt(++this.seq)).toString();
  }

  private sign(encrypted: string, forge = false) {
    const timestamp = String(this.unixNow());
    const nonce = randomBytes(5).toString('hex');
    const signature = getSignature(forge ? 'forged-token' : this.callbackToken, timestamp, nonce, encrypted);
    return { encrypted, query: { msg_signature: signature, timestamp, nonce } };
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const api = u.pathname.replace(/^\/cgi-bin\//, '');
    const query = Object.fromEntries(u.searchParams);
    let body: Record<string, unknown> | undefined;
    if (req.method === 'POST' && api === 'media/upload') return this.upload(req, res, query);
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return this.reply(res, { api, method: 'POST', query, body: undefined }, { errcode: 47001, errmsg: 'data format error' });
      }
    }
    const call = { api, method: req.method ?? 'GET', query, body };
    if (api === 'media/get' && !this.takeFaultPeek(api)) {
      const m = this.media.get(query.media_id ?? '');
      const bad = this.checkToken(query, m?.app ?? this.tokens.get(query.access_token ?? '')?.app ?? 'agent');
      if (!bad && m) {
        this.calls.push({ ...call, errcode: 0, at: this.now() });
        res.writeHead(200, { 'content-type': m.contentType, 'content-disposition': `attachment; filename="${query.media_id}.jpg"` });
        res.end(m.data);
        return;
      }
      // errors come as JSON with a text/plain content type, as WeCom does for media/get
      const answer = bad ?? { errcode: 40007, errmsg: 'invalid media_id' };
      this.calls.push({ ...call, errcode: Number(answer.errcode), at: this.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(JSON.stringify(answer));
      return;
    }
    const route = ROUTES[api];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const fault = this.takeFault(api);
    if (fault !== undefined) return this.reply(res, call, { errcode: fault, errmsg: faultMessage(fault) });
    const answer = route.call(this, call);
    this.reply(res, call, answer);
  }

  /** media/upload: multipart/form-data with the file in field `media` (as WeCom documents it). */
  private async upload(req: IncomingMessage, res: ServerResponse, query: Record<string, string>): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const call = { api: 'media/upload', method: 'POST', query, body: { type: query.type } as Record<string, unknown> };
    const app = this.tokens.get(query.access_token ?? '')?.app ?? 'agent';
    const bad = this.checkToken(query, app);
    if (bad) return this.reply(res, call, bad);
    const fault = this.takeFault('media/upload');
    if (fault !== undefined) return this.reply(res, call, { errcode: fault, errmsg: faultMessage(fault) });
    const type = query.type ?? '';
    const limit = ({ image: 10, voice: 2, video: 10, file: 20 } as Record<string, number>)[type];
    if (!limit) return this.reply(res, call, { errcode: 40004, errmsg: 'invalid media type' });
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(String(req.headers['content-type'] ?? ''));
    const file = boundary ? multipartFile(raw, boundary[1] ?? boundary[2]!, 'media') : undefined;
    if (!file) return this.reply(res, call, { errcode: 41005, errmsg: 'media data missing' });
    if (file.data.length <= 5 || file.data.length > limit * 1024 * 1024) return this.reply(res, call, { errcode: 40006, errmsg: 'invalid file size' });
    const mediaId = this.nextId('UPM');
    this.media.set(mediaId, { data: file.data, contentType: file.contentType, app: 'agent' });
    this.uploads.push({ mediaId, app, type, filename: file.filename, data: file.data });
    call.body.filename = file.filename;
    return this.reply(res, call, { type, media_id: mediaId, created_at: String(Math.floor(this.now() / 1000)) });
  }

  /** A media_id message/send or appchat/send may use: one uploaded (or added) and known. */
  knowsMedia(mediaId: unknown): boolean {
    return typeof mediaId === 'string' && this.media.has(mediaId);
  }

  private reply(res: ServerResponse, call: Omit<RecordedCall, 'errcode' | 'at'>, answer: Record<string, unknown>): void {
    const { __dropped, ...out } = answer as Record<string, unknown> & { __dropped?: boolean };
    const errcode = typeof out.errcode === 'number' ? out.errcode : 0;
    this.calls.push({ ...call, errcode, dropped: __dropped === true, at: this.now() });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ errcode, errmsg: errcode === 0 ? 'ok' : out.errmsg, ...out }));
  }

  private takeFaultPeek(api: string): boolean {
    return this.faults.some((x) => x.remaining > 0 && (x.api === api || (x.api === '*' && api !== 'gettoken')));
  }

  private takeFault(api: string): number | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && (x.api === api || (x.api === '*' && api !== 'gettoken')));
    if (!f) return undefined;
    f.remaining--;
    return f.errcode;
  }

  /** Checks access_token: undefined when valid for `app`, else the error answer. */
  checkToken(query: Record<string, string>, app: 'agent' | 'kf'): Record<string, unknown> | undefined {
    const token = query.access_token;
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const t = this.tokens.get(token);
    if (!t) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (t.expiresAt <= this.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    if (t.app !== app) return { errcode: 48002, errmsg: 'api forbidden' };
    return undefined;
  }

  issueToken(app: 'agent' | 'kf'): string {
    const token = `AT${app}${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, { app, expiresAt: this.now() + this.tokenTtlSec * 1000 });
    return token;
  }

  /** Count a send for each member in a 60 s window; true when over the limit (to be dropped silently). */
  countSend(kind: string, members: string[], perMinute: number): boolean {
    let over = false;
    const now = this.now();
    for (const m of members) {
      const key = `${kind}|${m}`;
      const recent = (this.sends.get(key) ?? []).filter((t) => t > now - 60_000);
      if (recent.length >= perMinute) over = true;
      else recent.push(now);
      this.sends.set(key, recent);
    }
    return over;
  }

  kfToken(token: string): boolean {
    const exp = this.kfTokens.get(token);
    return exp !== undefined && exp > this.now();
  }

  kfPage(cursor: string | undefined, limit: number, openKfId: string | undefined) {
    let pos = cursor ? Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^pos:/, ''), 10) : 0;
    if (!Number.isFinite(pos) || pos < 0) pos = 0;
    const oldest = Math.floor((this.now() - KF_HISTORY_MS) / 1000);
    const page: KfQueued[] = [];
    while (pos < this.kfQueue.length && page.length < limit) {
      const m = this.kfQueue[pos++]!;
      if ((!openKfId || m.open_kfid === openKfId) && m.send_time >= oldest) page.push(m);
    }
    const hasMore = this.kfQueue.slice(pos).some((m) => !openKfId || m.open_kfid === openKfId);
    return { page, nextCursor: Buffer.from(`pos:${pos}`).toString('base64url'), hasMore };
  }

  kfWindow(openKfId: string, user: string) {
    return this.kfWindows.get(`${openKfId}|${user}`);
  }

  useResponseCode(code: string): boolean {
    const rc = this.responseCodes.get(code);
    if (!rc || rc.used) return false;
    rc.used = true;
    return true;
  }

  rememberResponseCode(code: string): void {
    this.responseCodes.set(code, { used: false });
  }

  appchat(chatId: string): string[] | undefined {
    return this.appchats.get(chatId);
  }

  hasRobot(key: string): boolean {
    return this.robots.has(key);
  }

  nextId(prefix: string): string {
    return `${prefix}${++this.seq}_${randomBytes(4).toString('hex')}`;
  }

  get limits() {
    return this.opts;
  }
}

function faultMessage(code: number): string {
  if (code === 45009) return 'api freq out of limit';
  if (code === 45033) return 'api concurrent out of limit';
  if (code === -1) return 'system busy';
  return 'injected error';
}

/** The part named `field` of a multipart/form-data body. */
function multipartFile(raw: Buffer, boundary: string, field: string): { data: Buffer; filename: string; contentType: string } | undefined {
  const sep = Buffer.from(`--${boundary}`);
  let at = raw.indexOf(sep);
  while (at >= 0) {
    const next = raw.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = raw.subarray(at + sep.length, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('utf8');
      if (new RegExp(`name="${field}"`).test(head)) {
        const filename = /filename="([^"]*)"/.exec(head)?.[1] ?? '';
        const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
        return { data: part.subarray(headEnd + 4, part.length - 2), filename, contentType };
      }
    }
    at = next;
  }
  return undefined;
}

const MEDIA_MSGTYPES = new Set(['image', 'voice', 'video', 'file']);

type Call = Omit<RecordedCall, 'errcode' | 'at'>;
type Handler = (this: WecomServer, call: Call) => Record<string, unknown>;

const bytes = (s: unknown) => Buffer.byteLength(typeof s === 'string' ? s : '', 'utf8');
const TASK_ID_RE = /^[0-9A-Za-z_\-@]{1,128}$/;

function checkCard(card: Record<string, unknown> | undefined): string | undefined {
  if (!card || card.card_type !== 'button_interaction') return 'card_type must be button_interaction';
  if (typeof card.task_id !== 'string' || !TASK_ID_RE.test(card.task_id)) return 'invalid task_id';
  const title = (card.main_title as { title?: unknown } | undefined)?.title;
  if (typeof title !== 'string' || title === '') return 'main_title.title required';
  const buttons = card.button_list as { text?: unknown; key?: unknown }[] | undefined;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) return 'button_list must hold 1-6 buttons';
  const keys = new Set<string>();
  for (const b of buttons) {
    if (typeof b.text !== 'string' || !b.text) return 'button text required';
    if (typeof b.key !== 'string' || bytes(b.key) < 1 || bytes(b.key) > 1024) return 'button key must be 1-1024 bytes';
    if (keys.has(b.key)) return 'duplicate button key';
    keys.add(b.key);
  }
  return undefined;
}

const ROUTES: Record<string, Handler> = {
  // Only reached for injected faults; files are served in handle().
  'media/get': function () {
    return { errcode: 40007, errmsg: 'invalid media_id' };
  },

  gettoken: function ({ query }) {
    if (query.corpid !== this.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
    const app = query.corpsecret === this.agentSecret ? 'agent' : query.corpsecret === this.kfSecret ? 'kf' : undefined;
    if (!app) return { errcode: 40001, errmsg: 'invalid credential' };
    return { access_token: this.issueToken(app), expires_in: this.tokenTtlSec };
  },

  'message/send': function ({ query, body }) {
    const bad = this.checkToken(query, 'agent');
    if (bad) return bad;
    if (!body || Number(body.agentid) !== this.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const addressed = String(body.touser ?? '').split('|').filter(Boolean);
    if (addressed.length === 0) return { errcode: 40058, errmsg: 'touser required' };
    const members = addressed.filter((u) => this.isMember(u));
    const invaliduser = addressed.filter((u) => !this.isMember(u)).join('|');
    if (members.length === 0) return { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser };
    let responseCode: string | undefined;
    if (body.msgtype === 'text') {
      const content = (body.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || content === '') return { errcode: 44004, errmsg: 'empty content' };
      if (bytes(content) > 2048) return { errcode: 45002, errmsg: 'content size out of limit' };
    } else if (body.msgtype === 'template_card') {
      const problem = checkCard(body.template_card as Record<string, unknown> | undefined);
      if (problem) return { errcode: 40058, errmsg: problem };
      responseCode = this.nextId('RC');
      this.rememberResponseCode(responseCode);
    } else if (MEDIA_MSGTYPES.has(String(body.msgtype))) {
      const mediaId = (body[String(body.msgtype)] as { media_id?: unknown } | undefined)?.media_id;
      if (!this.knowsMedia(mediaId)) return { errcode: 40007, errmsg: 'invalid media_id' };
    } else {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    const dropped = this.countSend('msg', members, this.limits.appMessagesPerMinute);
    const msgid = this.nextId('msg');
    this.appMessages.push({
      msgid,
      touser: members,
      msgtype: String(body.msgtype),
      text: (body.text as { content?: string } | undefined)?.content,
      card: body.template_card as Record<string, unknown> | undefined,
      ...(MEDIA_MSGTYPES.has(String(body.msgtype)) ? { mediaId: String((body[String(body.msgtype)] as { media_id: string }).media_id) } : {}),
      recalled: false,
      dropped,
      at: this.now(),
    });
    return { msgid, invaliduser, ...(responseCode ? { response_code: responseCode } : {}), __dropped: dropped };
  },

  'message/recall': function ({ query, body }) {
    const bad = this.checkToken(query, 'agent');
    if (bad) return bad;
    const m = this.appMessages.find((x) => x.msgid === body?.msgid);
    if (!m || m.recalled || this.now() - m.at > 24 * 3600 * 1000) return { errcode: 40058, errmsg: 'invalid msgid or recall time exceeded' };
    m.recalled = true;
    return {};
  },

  'message/update_template_card': function ({ query, body }) {
    const bad = this.checkToken(query, 'agent');
    if (bad) return bad;
    if (!body || Number(body.agentid) !== this.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    if (typeof body.response_code !== 'string' || !this.useResponseCode(body.response_code)) {
      return { errcode: 40058, errmsg: 'invalid response_code' };
    }
    return {};
  },

  'appchat/get': function ({ query }) {
    const bad = this.checkToken(query, 'agent');
    if (bad) return bad;
    const users = this.appchat(query.chatid ?? '');
    if (!users) return { errcode: 86003, errmsg: 'chatid not found' };
    return { chat_info: { chatid: query.chatid, name: 'test chat', owner: users[0], userlist: users } };
  },

  'appchat/send': function ({ query, body }) {
    const bad = this.checkToken(query, 'agent');
    if (bad) return bad;
    const users = this.appchat(String(body?.chatid ?? ''));
    if (!users) return { errcode: 86003, errmsg: 'chatid not found' };
    if (body?.msgtype === 'text') {
      const content = (body.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || content === '') return { errcode: 44004, errmsg: 'empty content' };
      if (bytes(content) > 2048) return { errcode: 45002, errmsg: 'content size out of limit' };
    } else if (MEDIA_MSGTYPES.has(String(body?.msgtype))) {
      if (!this.knowsMedia((body![String(body!.msgtype)] as { media_id?: unknown } | undefined)?.media_id)) return { errcode: 40007, errmsg: 'invalid media_id' };
    } else if (body?.msgtype !== 'markdown') {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    if (!body) return { errcode: 47001, errmsg: 'data format error' };
    const dropped = this.countSend('appchat', users, this.limits.appchatPerMinute);
    const media = MEDIA_MSGTYPES.has(String(body.msgtype)) ? String((body[String(body.msgtype)] as { media_id: string }).media_id) : undefined;
    const content = media ? '' : ((body.text ?? body.markdown) as { content: string }).content;
    this.appchatMessages.push({ chatid: String(body.chatid), msgtype: String(body.msgtype), content, ...(media ? { mediaId: media } : {}), dropped, at: this.now() });
    return { __dropped: dropped };
  },

  'kf/sync_msg': function ({ query, body }) {
    const bad = this.checkToken(query, 'kf');
    if (bad) return bad;
    if (body?.token !== undefined && !this.kfToken(String(body.token))) return { errcode: 95007, errmsg: 'invalid msg token' };
    const limit = Math.min(Math.max(Number(body?.limit ?? 1000), 1), 1000);
    const openKfId = typeof body?.open_kfid === 'string' ? body.open_kfid : undefined;
    const cursor = typeof body?.cursor === 'string' && body.cursor !== '' ? body.cursor : undefined;
    const { page, nextCursor, hasMore } = this.kfPage(cursor, limit, openKfId);
    return { next_cursor: nextCursor, has_more: hasMore ? 1 : 0, msg_list: page };
  },

  'kf/send_msg': function ({ query, body }) {
    const bad = this.checkToken(query, 'kf');
    if (bad) return bad;
    const openKfId = String(body?.open_kfid ?? '');
    const touser = String(body?.touser ?? '');
    if (!openKfId || !touser) return { errcode: 40058, errmsg: 'touser and open_kfid required' };
    if (body?.msgtype === 'text') {
      const content = (body.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || content === '') return { errcode: 44004, errmsg: 'empty content' };
      if (bytes(content) > 2048) return { errcode: 45002, errmsg: 'content size out of limit' };
    } else if (body?.msgtype === 'msgmenu') {
      const list = (body.msgmenu as { list?: unknown } | undefined)?.list;
      if (!Array.isArray(list) || list.length === 0) return { errcode: 40058, errmsg: 'msgmenu.list required' };
      for (const item of list as { type?: string; click?: { id?: unknown; content?: unknown } }[]) {
        if (item.type === 'click' && (bytes(item.click?.id) < 1 || bytes(item.click?.id) > 128 || bytes(item.click?.content) < 1 || bytes(item.click?.content) > 128)) {
          return { errcode: 40058, errmsg: 'click id/content must be 1-128 bytes' };
        }
      }
    } else {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    const win = this.kfWindow(openKfId, touser);
    if (!win || this.now() - win.openedAt > this.limits.kfWindowMs) return { errcode: 95018, errmsg: 'send msg session status invalid' };
    if (win.sent >= this.limits.kfBudget) return { errcode: 95001, errmsg: 'send msg count limit' };
    win.sent++;
    const msgid = this.nextId('kfsend');
    this.kfSent.push({ open_kfid: openKfId, touser, msgid, msgtype: String(body.msgtype), body: body });
    return { msgid };
  },

  'webhook/send': function ({ query, body }) {
    if (!this.hasRobot(query.key ?? '')) return { errcode: 93000, errmsg: 'invalid webhook url' };
    const content = (body?.text as { content?: unknown } | undefined)?.content;
    if (body?.msgtype !== 'text' || typeof content !== 'string' || !content) return { errcode: 40008, errmsg: 'invalid message type' };
    if (bytes(content) > 2048) return { errcode: 45002, errmsg: 'content size out of limit' };
    return {};
  },
};
