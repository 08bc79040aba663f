/**
 * The WeCom phase of `npm run bench`: residents of 微信客服 (kf) driven as
 * WeCom drives them, against the local WeCom server (test/peers/wecom-server.ts).
 *
 * Each resident message is queued at the peer (a new external_userid each,
 * which opens its 48 h / 5-message window) and announced to the service's
 * `/wecom/callback` by a `kf_msg_or_event` callback, encrypted and signed with
 * the callback Token and EncodingAESKey, as WeCom does. The service answers
 * the callback, pulls the message with kf/sync_msg (cursor in Postgres) and
 * files the petition; a petition is *done* when the resident's
 * acknowledgement (`已受理，诉求编号 <number>`) reaches the peer's kf/send_msg.
 */
import { WecomServer } from '../test/peers/wecom-server.js';
import { percentile, postRaw, round, sleep, type Schema, type Service } from './lib.js';

/** The 微信客服 account residents write to. */
export const BENCH_OPEN_KFID = 'wkBENCH00000001';

/** The local WeCom server and the service settings pointing at it. */
export async function startWecomPeer(): Promise<{ peer: WecomServer; env: Record<string, string> }> {
  const peer = await WecomServer.start();
  return { peer, env: peer.serviceEnv() };
}

const ACK = /已受理，诉求编号 (\d{10,})/;

/** Residents' acknowledgements as they reach the peer's kf/send_msg (scanned incrementally). */
class KfAcks {
  /** external_userid → first acknowledgement (petition number, arrival ms) */
  first = new Map<string, { number: string; at: number }>();
  /** external_userid → acknowledgements received */
  count = new Map<string, number>();
  private seen = 0;
  constructor(private peer: WecomServer) {}
  scan(): number {
    const calls = this.peer.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c.api !== 'kf/send_msg' || c.errcode !== 0 || !c.body) continue;
      const text =
        (c.body.text as { content?: string } | undefined)?.content ?? (c.body.msgmenu as { head_content?: string } | undefined)?.head_content ?? '';
      const m = ACK.exec(text);
      if (!m) continue;
      const user = String(c.body.touser);
      this.count.set(user, (this.count.get(user) ?? 0) + 1);
      if (!this.first.has(user)) this.first.set(user, { number: m[1]!, at: c.at });
    }
    return this.first.size;
  }
}

interface Delivered {
  user: string;
  /** Date.now() just before the callback was posted (the message was queued at the peer right before) */
  at: number;
  status: number;
  ms: number;
}

/** POST a `kf_msg_or_event` callback the way WeCom does: encrypted inner XML, signed query. */
async function deliverKfNotice(svc: Service, peer: WecomServer): Promise<{ status: number; ms: number; body: string }> {
  const { query, body } = peer.callbackRequest(peer.kfNotice(BENCH_OPEN_KFID));
  return postRaw(svc.url, body, { 'content-type': 'text/xml' }, `/wecom/callback?${query}`);
}

export interface WecomPhaseOptions {
  svc: Service;
  schema: Schema;
  peer: WecomServer;
  /** resident messages (one per new external_userid) */
  n: number;
  /** callbacks in flight */
  inFlight: number;
  /** the next petition text (the same dispatchable set and sequence the Telegram phases use) */
  nextText: () => string;
  /** petition number → when its card reached the unit's Telegram chat (the bench's recorder) */
  cardAt: (number: string) => number | undefined;
  timeoutMs?: number;
  log: (s: string) => void;
}

let nextResident = 1;

/**
 * Closed loop: `inFlight` workers each queue a resident's message at the peer and post its callback,
 * then the next, until `n` messages; then wait until every resident is acknowledged on kf/send_msg
 * (or the timeout), and check every message became exactly one petition.
 */
export async function wecomPhase(o: WecomPhaseOptions) {
  const { svc, schema, peer, n } = o;
  const acks = new KfAcks(peer);
  acks.scan();
  const logFrom = svc.logs().length;
  const callsFrom = peer.calls.length;
  const cpu0 = svc.cpuSeconds();
  const sent: Delivered[] = [];
  const msgIds: string[] = [];
  let i = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: o.inFlight }, async () => {
      while (i++ < n) {
        const user = `wmBENCH${String(nextResident++).padStart(7, '0')}`;
        msgIds.push(peer.addKfCustomerMessage(BENCH_OPEN_KFID, user, { msgtype: 'text', text: { content: o.nextText() } }));
        const at = Date.now();
        const r = await deliverKfNotice(svc, peer);
        if (r.status !== 200) throw new Error(`wecom callback answered ${r.status}: ${r.body.slice(0, 200)}`);
        sent.push({ user, at, status: r.status, ms: r.ms });
      }
    }),
  );
  const postedSeconds = (Date.now() - t0) / 1000;
  const users = new Set(sent.map((s) => s.user));
  const done = () => {
    acks.scan();
    let k = 0;
    for (const u of users) if (acks.first.has(u)) k++;
    return k;
  };
  const until = Date.now() + (o.timeoutMs ?? 300_000);
  while (done() < n && Date.now() < until) await sleep(20);
  const acked = done();
  if (acked < n) o.log(`  WeCom: only ${acked} of ${n} residents acknowledged after ${round((o.timeoutMs ?? 300_000) / 1000)} s`);
  let lastAck = 0;
  for (const u of users) {
    const a = acks.first.get(u);
    if (a && a.at > lastAck) lastAck = a.at;
  }
  const seconds = (lastAck - t0) / 1000;
  const cpu = svc.cpuSeconds() - cpu0;

  // Syncs still waiting for the account's lock finish (empty pages) before the next step starts.
  let quiet = peer.calls.length;
  for (let idle = 0; idle < 10; ) {
    await sleep(200);
    if (peer.calls.length === quiet) {
      idle++;
    } else {
      quiet = peer.calls.length;
      idle = 0;
    }
  }
  const calls = peer.calls.slice(callsFrom);
  const syncCalls = calls.filter((c) => c.api === 'kf/sync_msg');
  const sends = calls.filter((c) => c.api === 'kf/send_msg');
  const logs = svc.logs().slice(logFrom);
  const count = (re: RegExp) => (logs.match(re) ?? []).length;
  // `kf sync done` lines carry how many messages each sync run handed to the sink
  const delivered = [...logs.matchAll(/"delivered":(\d+)[^\n]*"msg":"kf sync done"/g)].map((m) => Number(m[1]));

  // Every message → exactly one processed InboundMessage and one petition; every resident → one acknowledgement.
  const { rows: perResident } = await schema.sql(
    `SELECT r."platformUserId" AS uid, count(p.id)::int AS petitions, min(p.number) AS number
       FROM "Resident" r LEFT JOIN "Petition" p ON p."residentId" = r.id
      WHERE r.platform = 'wecom_kf' AND r."platformUserId" = ANY($1) GROUP BY r."platformUserId"`,
    [[...users]],
  );
  const { rows: inbound } = await schema.sql(
    `SELECT status::text AS status, count(*)::int AS n FROM "InboundMessage" WHERE platform = 'wecom_kf' AND "messageId" = ANY($1) GROUP BY status`,
    [msgIds.map((id) => `kf:${id}`)],
  );
  const byUser = new Map((perResident as { uid: string; petitions: number; number: string | null }[]).map((r) => [r.uid, r]));
  let missingPetition = 0;
  let duplicatePetition = 0;
  let ackNumberMismatch = 0;
  let duplicateAck = 0;
  let noCard = 0;
  for (const u of users) {
    const r = byUser.get(u);
    if (!r || r.petitions === 0) missingPetition++;
    else if (r.petitions > 1) duplicatePetition++;
    const a = acks.first.get(u);
    if (a && r?.number && r.petitions === 1 && a.number !== r.number) ackNumberMismatch++;
    if ((acks.count.get(u) ?? 0) > 1) duplicateAck++;
    if (r?.number && o.cardAt(r.number) === undefined) noCard++;
  }
  const inboundByStatus = Object.fromEntries((inbound as { status: string; n: number }[]).map((r) => [r.status, r.n]));
  const inboundTotal = Object.values(inboundByStatus).reduce((s, x) => s + x, 0);

  const callbackMs = sent.map((s) => s.ms);
  const sentAt = new Map(sent.map((s) => [s.user, s.at]));
  const toAck: number[] = [];
  const toCard: number[] = [];
  for (const u of users) {
    const a = acks.first.get(u);
    if (!a) continue;
    toAck.push(a.at - sentAt.get(u)!);
    const card = o.cardAt(a.number);
    if (card !== undefined) toCard.push(card - sentAt.get(u)!);
  }
  const complete = acked === n;
  return {
    messages: n,
    callbacksInFlight: o.inFlight,
    seconds: complete ? round(seconds, 2) : null,
    /** messages ÷ (last acknowledgement at kf/send_msg − first callback) */
    petitionsPerSecond: complete ? round(n / seconds) : null,
    callbacksAnsweredPerSecond: round(n / postedSeconds),
    serviceCpuMsPerPetition: round((cpu * 1000) / n, 2),
    callbackP50Ms: round(percentile(callbackMs, 50), 2),
    callbackP99Ms: round(percentile(callbackMs, 99), 2),
    callbackMaxMs: round(Math.max(...callbackMs), 2),
    callbacksOver5s: callbackMs.filter((x) => x > 5000).length,
    inboundToAckP50Ms: round(percentile(toAck, 50)),
    inboundToAckP99Ms: round(percentile(toAck, 99)),
    inboundToCardP50Ms: round(percentile(toCard, 50)),
    inboundToCardP99Ms: round(percentile(toCard, 99)),
    kfSyncCalls: syncCalls.length,
    kfSyncErrors: syncCalls.filter((c) => c.errcode !== 0).length,
    kfSendCalls: sends.length,
    kfSendErrors: sends.filter((c) => c.errcode !== 0).length,
    /** service log lines: `kf sync failed` (e.g. lock wait timed out), `kf sync done` (one per sync run) */
    kfSyncFailedLogs: count(/kf sync failed/g),
    kfSyncDoneLogs: count(/kf sync done/g),
    /** sync runs that delivered at least one message, and the most one run delivered */
    kfSyncRunsDelivering: delivered.filter((x) => x > 0).length,
    kfSyncMaxDelivered: delivered.length ? Math.max(...delivered) : 0,
    checks: {
      acknowledged: acked,
      missingPetition,
      duplicatePetition,
      ackNumberMismatch,
      duplicateAck,
      noCardAtUnit: noCard,
      inboundMessages: inboundTotal,
      inboundByStatus,
      exactlyOnePetitionEach: missingPetition === 0 && duplicatePetition === 0 && inboundTotal === n,
    },
  };
}

export type WecomPhaseResult = Awaited<ReturnType<typeof wecomPhase>>;
