/**
 * The petition lifecycle as one explicit table. `applyTransition` is the only
 * code that changes Petition.status: it checks the table, writes the new state
 * and an append-only PetitionEvent in the caller's transaction, and raises
 * IllegalTransitionError for a move the table does not allow.
 */
import { IllegalTransitionError } from '../errors.js';
import { Prisma, type Tx } from '../db.js';
import type { PetitionStatus } from '../../prisma/generated/client.js';

export type { PetitionStatus };

/** Open = still somebody's work; the repeat window and deadlines apply. */
export const OPEN_STATES: readonly PetitionStatus[] = [
  'received',
  'needs_info',
  'dispatched',
  'accepted',
  'in_progress',
  'returned',
  'reopen_requested',
  'reopened',
];

/** `same` keeps the state and only records the event (notes, reminders, 督办). */
type Target = PetitionStatus | 'same';

/** action → allowed source states → target state. */
export const TRANSITIONS = {
  ask_info: { from: ['received'], to: 'needs_info' },
  provide_info: { from: ['needs_info'], to: 'received' },
  /** the resident did not answer the question in time; the district is known, so it goes on without the answer */
  expire_question: { from: ['needs_info'], to: 'received' },
  /** the resident did not answer and there is no place to dispatch to: closed, they may write again */
  close_unanswered: { from: ['needs_info'], to: 'closed' },
  /** from needs_info only by a coordinator's /dispatch: the resident's answer is no longer waited for */
  dispatch: { from: ['received', 'needs_info', 'returned'], to: 'dispatched' },
  redirect: { from: ['received', 'needs_info'], to: 'redirected' },
  accept: { from: ['dispatched', 'reopened'], to: 'accepted' },
  progress: { from: ['accepted', 'in_progress'], to: 'in_progress' },
  extend: { from: ['dispatched', 'accepted', 'in_progress', 'reopened'], to: 'same' },
  resolve: { from: ['accepted', 'in_progress'], to: 'resolved' },
  return: { from: ['dispatched', 'accepted', 'reopened'], to: 'returned' },
  /** the reviewer sends it to another unit */
  approve_return: { from: ['returned'], to: 'dispatched' },
  /** the reviewer sends it back to the same unit */
  refuse_return: { from: ['returned'], to: 'dispatched' },
  /** a coordinator moves the order to another unit (/dispatch) */
  reassign: { from: ['dispatched', 'accepted', 'in_progress', 'returned', 'reopened'], to: 'dispatched' },
  rate: { from: ['resolved'], to: 'rated' },
  request_reopen: { from: ['resolved'], to: 'reopen_requested' },
  approve_reopen: { from: ['reopen_requested'], to: 'reopened' },
  decline_reopen: { from: ['reopen_requested'], to: 'closed' },
  close: { from: ['rated', 'resolved'], to: 'closed' },
  merge: {
    from: ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'returned', 'reopened'],
    to: 'merged',
  },
  withdraw: {
    from: ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'returned', 'reopened'],
    to: 'withdrawn',
  },
  /** the resident added facts (repeat message, more info) */
  add_info: {
    from: ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'returned', 'reopen_requested', 'reopened'],
    to: 'same',
  },
  remind: { from: ['dispatched', 'accepted', 'in_progress', 'reopened', 'resolved'], to: 'same' },
  /** 督办: escalation to a coordinator or the district */
  supervise: { from: ['dispatched', 'accepted', 'in_progress', 'returned', 'reopened', 'reopen_requested'], to: 'same' },
  /** a co-handler's step, or a dispatch copy: recorded on the petition without changing it */
  note: {
    from: ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'resolved', 'rated', 'returned', 'reopen_requested', 'reopened'],
    to: 'same',
  },
} as const satisfies Record<string, { from: readonly PetitionStatus[]; to: Target }>;

export type Action = keyof typeof TRANSITIONS;
export const ACTIONS = Object.keys(TRANSITIONS) as Action[];

export interface Actor {
  kind: 'resident' | 'staff' | 'coordinator' | 'system' | 'admin';
  id?: string | null;
}

export function canApply(from: PetitionStatus, action: Action): boolean {
  return (TRANSITIONS[action].from as readonly PetitionStatus[]).includes(from);
}

export function nextState(from: PetitionStatus, action: Action): PetitionStatus {
  if (!canApply(from, action)) throw new IllegalTransitionError(from, action);
  const to: Target = TRANSITIONS[action].to;
  return to === 'same' ? from : to;
}

export interface TransitionInput {
  petitionId: string;
  action: Action;
  actor: Actor;
  reason?: string | null;
  data?: Record<string, unknown>;
  /** Further columns to write with the state (deadlines, answer time…). */
  set?: Record<string, unknown>;
  at?: Date;
}

/** Petition columns a transition may write with the state, and how each is written in SQL. */
const SET_COLUMNS: Record<string, 'timestamp' | 'text' | 'int' | 'boolean'> = {
  dispatchDueAt: 'timestamp',
  feedbackDueAt: 'timestamp',
  pausedAt: 'timestamp',
  resolvedAt: 'timestamp',
  closedAt: 'timestamp',
  mergedIntoId: 'text',
  reopenCount: 'int',
  callbackNeeded: 'boolean',
};

/** `set` as SQL assignments; a column or value not listed in SET_COLUMNS is a programming error. */
function assignments(set: Record<string, unknown>): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  for (const [column, value] of Object.entries(set)) {
    const kind = SET_COLUMNS[column];
    if (!kind) throw new Error(`applyTransition cannot write Petition.${column} (add it to SET_COLUMNS)`);
    if (value === undefined) continue;
    const col = Prisma.raw(`"${column}"`);
    if (value === null) out.push(Prisma.sql`${col} = NULL`);
    else if (kind === 'timestamp' && value instanceof Date) out.push(Prisma.sql`${col} = ${value}::timestamp(3)`);
    else if (kind === 'text' && typeof value === 'string') out.push(Prisma.sql`${col} = ${value}::text`);
    else if (kind === 'boolean' && typeof value === 'boolean') out.push(Prisma.sql`${col} = ${value}::boolean`);
    else if (kind === 'int' && Number.isInteger(value)) out.push(Prisma.sql`${col} = ${value}::int`);
    else if (kind === 'int' && isIncrement(value)) out.push(Prisma.sql`${col} = ${col} + ${value.increment}::int`);
    else throw new Error(`applyTransition: ${JSON.stringify(value)} is not a ${kind} for Petition.${column}`);
  }
  return out;
}

function isIncrement(v: unknown): v is { increment: number } {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 1 && Number.isInteger((v as { increment?: unknown }).increment);
}

/**
 * Apply one action inside `tx`: lock the row, check the table, write state and
 * event. Concurrent actions on one petition serialise on the row lock.
 *
 * One statement does all three: the row is locked (FOR UPDATE), updated only if
 * its locked state is one the table allows, and the event is written from the
 * update's before/after; the state it found comes back, so an illegal move
 * still raises IllegalTransitionError with that state and writes nothing.
 */
export async function applyTransition(tx: Tx, input: TransitionInput): Promise<{ from: PetitionStatus; to: PetitionStatus }> {
  const rule = TRANSITIONS[input.action];
  const set = input.set ? assignments(input.set) : [];
  const allowed = Prisma.join(rule.from as readonly string[]);
  const at = input.at ?? new Date();
  const data = input.data === undefined ? null : JSON.stringify(input.data);
  const event = (source: Prisma.Sql) => Prisma.sql`
    INSERT INTO "PetitionEvent" ("petitionId", "actorKind", "actorId", action, reason, "fromStatus", "toStatus", data, at)
    SELECT ${input.petitionId}, ${input.actor.kind}, ${input.actor.id ?? null}::text, ${input.action}, ${input.reason ?? null}::text,
           s."from", s."to", ${data}::jsonb, ${at}::timestamp(3)
      FROM ${source} s
    RETURNING 1`;
  // Nothing to write on the petition (notes, reminders, 督办): lock, check and record only.
  const writes = rule.to !== 'same' || !!input.set;
  const status = rule.to === 'same' ? Prisma.sql`old.status` : Prisma.sql`${rule.to}::"PetitionStatus"`;
  const rows = writes
    ? await tx.$queryRaw<{ from: PetitionStatus; written: boolean }[]>`
        WITH old AS (SELECT id, status FROM "Petition" WHERE id = ${input.petitionId} FOR UPDATE),
        upd AS (
          UPDATE "Petition" p SET status = ${status}, "updatedAt" = ${new Date()}::timestamp(3)${set.length ? Prisma.sql`, ${Prisma.join(set)}` : Prisma.empty}
            FROM old WHERE p.id = old.id AND old.status::text IN (${allowed})
          RETURNING old.status AS "from", p.status AS "to"),
        ev AS (${event(Prisma.sql`upd`)})
        SELECT old.status::text AS "from", EXISTS (SELECT 1 FROM ev) AS written FROM old`
    : await tx.$queryRaw<{ from: PetitionStatus; written: boolean }[]>`
        WITH old AS (SELECT status FROM "Petition" WHERE id = ${input.petitionId} FOR UPDATE),
        ok AS (SELECT status AS "from", status AS "to" FROM old WHERE status::text IN (${allowed})),
        ev AS (${event(Prisma.sql`ok`)})
        SELECT old.status::text AS "from", EXISTS (SELECT 1 FROM ev) AS written FROM old`;
  const row = rows[0];
  if (!row) throw new IllegalTransitionError('missing', input.action);
  const to = nextState(row.from, input.action);
  if (!row.written) throw new Error(`transition ${input.action} from ${row.from} was allowed but not written`);
  return { from: row.from, to };
}
