/**
 * A workflow on a real, fresh Postgres schema with the default org, an
 * injectable clock, and a recording channel sender. `drain()` runs every
 * pending outbox row in-process (what the workers do), so a test can follow a
 * petition end to end without waiting for queues; queue behaviour itself is
 * tested separately on real Redis.
 */
import type { ChannelSender, InboundMessage, OutboundMessage, SendResult } from '../../core/channel.js';
import { createSealer } from '../../core/crypto.js';
import { createLogger } from '../../core/log.js';
import { seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import type { WorkflowDeps, Clock } from '../../core/workflow/context.js';
import { DEFAULT_POLICY, type Policy } from '../../core/workflow/policy.js';
import type { PlaceFacts, Understand, Understood } from '../../core/workflow/understanding-port.js';
import { createRouter } from '../../bots/router.js';
import { createInsight } from '../../bots/insight.js';
import { fanOut, runOutbox, type Runtime } from '../../jobs/handlers.js';
import { createInboundSink } from '../../jobs/inbox.js';
import { KF_REPLY_WINDOW } from '../../adapters/wecom/window.js';
import { createTestDb, type TestDb } from './db.js';

export class TestClock implements Clock {
  constructor(public current = new Date('2026-11-25T02:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Sent extends OutboundMessage {
  platform: string;
  messageId: string;
}

/** Records what would reach a platform; `fail` makes the next sends throw. */
export class RecordingSender implements ChannelSender {
  sent: Sent[] = [];
  acks: { ackId: string; text?: string }[] = [];
  private seq = 100;
  budget = Infinity;
  constructor(readonly platform: ChannelSender['platform']) {}
  async send(msg: OutboundMessage): Promise<SendResult> {
    const messageId = String(msg.editMessageId ?? ++this.seq);
    this.sent.push({ ...msg, platform: this.platform, messageId });
    return { messageId };
  }
  async answerAction(ackId: string, text?: string) {
    this.acks.push({ ackId, text });
  }
  to(chatId: string) {
    return this.sent.filter((m) => m.chatId === chatId);
  }
}

export const noPlace = (): PlaceFacts => ({ districtCode: null, streetCode: null, community: null, address: null, method: 'none', confidence: 0, candidates: [] });

/**
 * Facts for a text, written by the test: the workflow is tested against what
 * the understanding module returns, not against its guesses.
 */
export function scriptedUnderstanding(script: (text: string) => Omit<Partial<Understood>, 'place'> & { place?: Partial<PlaceFacts> }): Understand {
  return async (text) => {
    const s = script(text);
    return {
      category: s.category === undefined ? { code: 'other', confidence: 0.5 } : s.category,
      place: { ...noPlace(), ...(s.place ?? {}) },
      urgency: s.urgency ?? { class: 'ordinary', urgent: false, reason: '' },
      triage: s.triage ?? { kind: 'none' },
      summary: s.summary ?? text.slice(0, 40),
      maskedText: s.maskedText ?? text.replace(/1[3-9]\d{9}/g, (m) => `${m.slice(0, 3)}****${m.slice(-4)}`),
      needsLocation: s.needsLocation ?? !s.place?.streetCode,
      needsMoreInfo: s.needsMoreInfo ?? text.trim().length < 2,
    };
  };
}

/** A garbage complaint in 三里屯 (110105:urban_mgmt handles it); `紧急` in the text makes it an emergency. */
export const sanlitunGarbage = scriptedUnderstanding((text) => ({
  category: { code: 'garbage', confidence: 0.9 },
  place: { districtCode: '110105', streetCode: '110105-sanlitun' },
  urgency: text.includes('紧急') ? { class: 'emergency', urgent: true, reason: 'test' } : { class: 'ordinary', urgent: false, reason: '' },
}));

export interface Harness {
  t: TestDb;
  deps: WorkflowDeps;
  clock: TestClock;
  telegram: RecordingSender;
  kf: RecordingSender;
  rt: Runtime;
  /** store an inbound message like an adapter would; false for a redelivery */
  inbound(msg: Partial<InboundMessage> & { userId: string; chatId: string }): Promise<boolean>;
  /** run every pending outbox row until none is left */
  drain(): Promise<number>;
  close(): Promise<void>;
}

let seq = 0;

export async function createHarness(opts: { understand: Understand; policy?: Partial<Policy> }): Promise<Harness> {
  const t = await createTestDb({ poolMax: 4 });
  await seedReferenceData(t.db);
  await seedDefaultOrg(t.db);
  const clock = new TestClock();
  const deps: WorkflowDeps = {
    db: t.db,
    sealer: createSealer(Buffer.alloc(32, 7)),
    clock,
    logger: createLogger({ level: 'silent' }),
    policy: { ...DEFAULT_POLICY, ...opts.policy },
    timeZone: 'Asia/Shanghai',
    understand: opts.understand,
    fanOut,
    replyWindows: { wecom_kf: KF_REPLY_WINDOW },
  };
  const telegram = new RecordingSender('telegram');
  const kf = new RecordingSender('wecom_kf');
  const rt: Runtime = { deps, senders: { telegram, wecom_kf: kf }, handleInbound: createRouter({ insight: createInsight({ startDay: 19, timeZone: deps.timeZone, logger: deps.logger }) }) };
  const sink = createInboundSink(deps);
  const drain = async () => {
    let total = 0;
    for (let round = 0; round < 50; round++) {
      const rows = await t.db.outbox.findMany({ where: { doneAt: null }, orderBy: { id: 'asc' }, select: { id: true } });
      if (!rows.length) return total;
      for (const r of rows) await runOutbox(rt, r.id);
      total += rows.length;
    }
    throw new Error('outbox did not drain in 50 rounds');
  };
  return {
    t,
    deps,
    clock,
    telegram,
    kf,
    rt,
    drain,
    inbound: (m) =>
      sink({
        platform: 'telegram',
        messageId: m.messageId ?? `${m.chatId}:${++seq}`,
        chatType: m.chatId.startsWith('-') ? 'group' : 'private',
        receivedAt: clock.now(),
        ...m,
      } as InboundMessage),
    close: () => t.drop(),
  };
}
