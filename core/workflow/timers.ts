/**
 * Deadlines live in Postgres (Timer rows), not in Redis: a scanner claims due
 * rows with FOR UPDATE SKIP LOCKED and runs each effect in the transaction
 * that marks it fired, so each reminder fires exactly once across processes,
 * restarts and Redis loss. Work that is finished cancels its timers.
 */
import type { Tx } from '../db.js';
import { inTx, type WorkflowDeps, type Work } from './context.js';

export type TimerKind =
  | 'remind'
  | 'remind2'
  | 'escalate'
  | 'escalate_district'
  | 'rating_reminder'
  | 'rating_expire'
  | 'close_rated'
  | 'whistle_remind'
  | 'whistle_escalate'
  /** 签收: an order still not accepted halfway through its dispatch limit is reminded, and at the limit escalated to the area */
  | 'accept_remind'
  | 'accept_escalate'
  /** a whistle task's handling deadline, lead and co-handlers alike: reminders at 50 % / 80 %, 督办 at the deadline and at 3× */
  | 'wtask_remind'
  | 'wtask_remind2'
  | 'wtask_escalate'
  | 'wtask_escalate_district'
  /** a unit's question to the resident (询问) went unanswered for policy.residentWaitMs: the clock runs again */
  | 'wait_expire'
  /** a question to the resident (needs_info) went unanswered; subjectId `<petitionId>:<asked at, ms>`, one per question */
  | 'info_expire'
  /** the resident was asked whether a message is their open petition's problem and did not choose; subjectId `<residentId>:<inboundId>` */
  | 'repeat_choice_expire'
  /** an emergency still has no place a few minutes after we asked: a coordinator is alerted to call back; subjectId `<petitionId>:emergency` */
  | 'emergency_place';

export async function scheduleTimer(tx: Tx, kind: TimerKind, subjectId: string, dueAt: Date, data?: Record<string, unknown>) {
  await tx.timer.upsert({
    where: { kind_subjectId: { kind, subjectId } },
    create: { kind, subjectId, dueAt, data: data as object | undefined },
    // A timer that already fired stays fired (each fires once); an unfired one moves.
    update: { dueAt, cancelledAt: null, data: data as object | undefined },
  });
}

/** Several timers of one subject in one statement (a new assignment's reminders and escalations). */
export async function createTimers(tx: Tx, subjectId: string, timers: { kind: TimerKind; dueAt: Date; data?: Record<string, unknown> }[]) {
  await tx.timer.createMany({ data: timers.map((t) => ({ ...t, subjectId, data: t.data as object | undefined })), skipDuplicates: true });
}

export async function cancelTimers(tx: Tx, subjectId: string, now: Date, kinds?: TimerKind[]) {
  await tx.timer.updateMany({
    where: { subjectId, firedAt: null, cancelledAt: null, ...(kinds ? { kind: { in: kinds } } : {}) },
    data: { cancelledAt: now },
  });
}

/** An order's deadline timers: they move together when its deadline moves (延期, a pause for the resident). */
export const DEADLINE_TIMERS: TimerKind[] = ['remind', 'remind2', 'escalate', 'escalate_district'];
const ESCALATIONS: TimerKind[] = ['escalate', 'escalate_district'];

/**
 * Move a subject's timers of `kinds` by `ms`. Unfired ones move; an escalation that already fired
 * and whose moved time is still ahead is armed again (its deadline is new), a fired reminder stays
 * fired (the unit was told already).
 */
export async function shiftTimers(tx: Tx, subjectId: string, ms: number, now: Date, kinds: TimerKind[] = DEADLINE_TIMERS, heldSince: Date | null = null): Promise<number> {
  if (!ms) return 0;
  // `heldSince`: timers held by a pause (cancelled at that instant, waiting.ts) move too, and stay held
  return tx.$executeRaw`
    UPDATE "Timer" SET "dueAt" = "dueAt" + make_interval(secs => ${ms / 1000}::float8), "firedAt" = NULL
     WHERE "subjectId" = ${subjectId} AND kind = ANY(${kinds}::text[]) AND ("cancelledAt" IS NULL OR "cancelledAt" = ${heldSince})
       AND ("firedAt" IS NULL OR (kind = ANY(${ESCALATIONS}::text[]) AND "dueAt" + make_interval(secs => ${ms / 1000}::float8) > ${now}))`;
}

export interface DueTimer {
  id: string;
  kind: TimerKind;
  subjectId: string;
  dueAt: Date;
  data: Record<string, unknown> | null;
}

export type TimerHandler = (w: Work, timer: DueTimer) => Promise<void>;

/**
 * Fire every timer due at `now` (injectable, so tests need not wait), in
 * batches. Returns how many fired.
 */
export async function fireDueTimers(deps: WorkflowDeps, handlers: Record<TimerKind, TimerHandler>, now = deps.clock.now(), batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const fired = await inTx(
      deps,
      async (w) => {
        const due = await w.tx.$queryRaw<DueTimer[]>`
          SELECT id, kind, "subjectId", "dueAt", data FROM "Timer"
          WHERE "firedAt" IS NULL AND "cancelledAt" IS NULL AND "dueAt" <= ${now}
          ORDER BY "dueAt" LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
        for (const t of due) {
          await handlers[t.kind](w, t);
          await w.tx.timer.update({ where: { id: t.id }, data: { firedAt: now } });
        }
        return due.length;
      },
      now,
    );
    total += fired;
    if (fired < batch) return total;
  }
}
