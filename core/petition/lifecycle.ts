/**
 * The petition lifecycle as one explicit table. `applyTransitions` (and
 * `applyTransition`, one of them; `transition` from a workflow step) is the only
 * code that changes Petition.status: it checks the table, writes the new state
 * and an append-only PetitionEvent in the caller's transaction, and raises
 * IllegalTransitionError for a move the table does not allow.
 */
import { IllegalTransitionError } from '../errors.js';
import { msAsTimestamp, Prisma, type Tx } from '../db.js';
import type { PetitionStatus } from '../../prisma/generated/client.js';
import type { Work } from '../workflow/context.js';
import { together } from '../workflow/together.js';

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
  /** no problem to dispatch (thanks, praise, a suggestion about the service, abuse, a 咨询 with no district): recorded and closed */
  record: { from: ['received'], to: 'closed' },
  accept: { from: ['dispatched', 'reopened'], to: 'accepted' },
  progress: { from: ['accepted', 'in_progress'], to: 'in_progress' },
  extend: { from: ['dispatched', 'accepted', 'in_progress', 'reopened'], to: 'same' },
  resolve: { from: ['accepted', 'in_progress'], to: 'resolved' },
  /** a joint case (吹哨) is finished: every summoned unit did its part, so the petition is answered whoever held it */
  resolve_joint: { from: ['received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'returned', 'reopened'], to: 'resolved' },
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

type SetKind = (typeof SET_COLUMNS)[string] | 'null' | 'increment';

/** How `set` writes each column; a column or value not listed in SET_COLUMNS is a programming error. */
function setKinds(set: Record<string, unknown>): [string, SetKind][] {
  const out: [string, SetKind][] = [];
  for (const [column, value] of Object.entries(set)) {
    const kind = SET_COLUMNS[column];
    if (!kind) throw new Error(`applyTransition cannot write Petition.${column} (add it to SET_COLUMNS)`);
    if (value === undefined) continue;
    if (value === null) out.push([column, 'null']);
    else if (kind === 'timestamp' && value instanceof Date) out.push([column, kind]);
    else if (kind === 'text' && typeof value === 'string') out.push([column, kind]);
    else if (kind === 'boolean' && typeof value === 'boolean') out.push([column, kind]);
    else if (kind === 'int' && Number.isInteger(value)) out.push([column, kind]);
    else if (kind === 'int' && isIncrement(value)) out.push([column, 'increment']);
    else throw new Error(`applyTransition: ${JSON.stringify(value)} is not a ${kind} for Petition.${column}`);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

function isIncrement(v: unknown): v is { increment: number } {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 1 && Number.isInteger((v as { increment?: unknown }).increment);
}

/** Input column `c<i>` of the statement: the values of one `set` column, one per transition. */
function setColumn(i: number, column: string, kind: SetKind, inputs: TransitionInput[]): { array: Prisma.Sql; assign: Prisma.Sql } {
  const col = Prisma.raw(`"${column}"`);
  const c = Prisma.raw(`i.c${i}`);
  const values = inputs.map((x) => x.set![column]);
  switch (kind) {
    case 'null':
      return { array: Prisma.sql`${values.map(() => null)}::text[]`, assign: Prisma.sql`${col} = NULL` };
    case 'timestamp':
      return { array: Prisma.sql`${values.map((v) => (v as Date).getTime())}::float8[]`, assign: Prisma.sql`${col} = ${msAsTimestamp(`i.c${i}`)}` };
    case 'increment':
      return { array: Prisma.sql`${values.map((v) => (v as { increment: number }).increment)}::int[]`, assign: Prisma.sql`${col} = p.${col} + ${c}` };
    case 'int':
      return { array: Prisma.sql`${values}::int[]`, assign: Prisma.sql`${col} = ${c}` };
    case 'boolean':
      return { array: Prisma.sql`${values}::boolean[]`, assign: Prisma.sql`${col} = ${c}` };
    default:
      return { array: Prisma.sql`${values}::text[]`, assign: Prisma.sql`${col} = ${c}` };
  }
}

/**
 * Apply one action inside `tx`: lock the row, check the table, write state and
 * event. Concurrent actions on one petition serialise on the row lock.
 */
export async function applyTransition(tx: Tx, input: TransitionInput): Promise<{ from: PetitionStatus; to: PetitionStatus }> {
  return (await applyTransitions(tx, [input]))[0]!;
}

/** `applyTransition` from a workflow step: in an intake batch, the steps' transitions share statements. */
export function transition(w: Work, input: TransitionInput): Promise<{ from: PetitionStatus; to: PetitionStatus }> {
  return together(w, transitionsIn, input);
}

const transitionsIn = (w: Work, inputs: TransitionInput[]) => applyTransitions(w.tx, inputs);

/**
 * Apply many actions (on different petitions, or one after another on the same one), in order.
 * Transitions of the same action writing the same columns share one statement that does all three:
 * the rows are locked (FOR UPDATE, in id order), updated only where the locked state is one the table
 * allows, and each event is written from its update's before/after; the states found come back, so
 * an illegal move still raises IllegalTransitionError with that state (and its statement writes nothing
 * for that petition).
 */
export async function applyTransitions(tx: Tx, inputs: TransitionInput[]): Promise<{ from: PetitionStatus; to: PetitionStatus }[]> {
  const out: { from: PetitionStatus; to: PetitionStatus }[] = new Array(inputs.length);
  let rest = inputs.map((input, n) => ({ input, n, kinds: setKinds(input.set ?? {}) }));
  while (rest.length) {
    // One statement: the first input's shape, each petition once.
    const shape = (x: (typeof rest)[number]) => `${x.input.action}|${x.kinds.map(([c, k]) => `${c}:${k}`).join(',')}`;
    const first = shape(rest[0]!);
    const joined = new Set<string>();
    const waiting = new Set<string>();
    const group: typeof rest = [];
    const later: typeof rest = [];
    for (const x of rest) {
      // Whatever follows a petition's transition that waits, waits too: one petition's moves stay in order.
      const id = x.input.petitionId;
      if (!joined.has(id) && !waiting.has(id) && shape(x) === first) {
        group.push(x);
        joined.add(id);
      } else {
        later.push(x);
        waiting.add(id);
      }
    }
    const results = await transitionGroup(tx, group.map((g) => g.input), group[0]!.kinds);
    group.forEach((g, i) => (out[g.n] = results[i]!));
    rest = later;
  }
  return out;
}

/** `, a, b, …` after a list that has items already, or nothing. */
const more = (parts: Prisma.Sql[]) => (parts.length ? Prisma.sql`, ${Prisma.join(parts, ', ')}` : Prisma.empty);

async function transitionGroup(tx: Tx, inputs: TransitionInput[], kinds: [string, SetKind][]) {
  const { action } = inputs[0]!;
  const rule = TRANSITIONS[action];
  const allowed = Prisma.join(rule.from as readonly string[]);
  const columns = kinds.map(([column, kind], i) => setColumn(i, column, kind, inputs));
  const col = <T>(f: (x: TransitionInput) => T) => inputs.map((x) => f(x) ?? null);
  const input = Prisma.sql`
    input AS (
      SELECT * FROM unnest(${col((x) => x.petitionId)}::text[], ${col((x) => x.actor.kind)}::text[], ${col((x) => x.actor.id)}::text[],
                           ${col((x) => x.reason)}::text[], ${col((x) => (x.data === undefined ? null : JSON.stringify(x.data)))}::text[],
                           ${col((x) => (x.at ?? new Date()).getTime())}::float8[]${more(columns.map((c) => c.array))})
        WITH ORDINALITY AS t(id, actor_kind, actor_id, reason, data, at_ms${Prisma.raw(kinds.map((_, i) => `, c${i}`).join(''))}, n)),
    old AS (SELECT id, status FROM "Petition" WHERE id IN (SELECT id FROM input) ORDER BY id FOR UPDATE)`;
  const event = (source: Prisma.Sql) => Prisma.sql`
    INSERT INTO "PetitionEvent" ("petitionId", "actorKind", "actorId", action, reason, "fromStatus", "toStatus", data, at)
    SELECT i.id, i.actor_kind, i.actor_id, ${action}, i.reason, s."from", s."to", i.data::jsonb, ${msAsTimestamp('i.at_ms')}
      FROM ${source} s JOIN input i ON i.id = s.id ORDER BY i.n
    RETURNING "petitionId"`;
  // Nothing to write on the petition (notes, reminders, 督办): lock, check and record only.
  const writes = rule.to !== 'same' || kinds.length > 0;
  const status = rule.to === 'same' ? Prisma.sql`old.status` : Prisma.sql`${rule.to}::"PetitionStatus"`;
  const rows = writes
    ? await tx.$queryRaw<{ from: PetitionStatus | null; written: boolean }[]>`
        WITH ${input},
        upd AS (
          UPDATE "Petition" p SET status = ${status}, "updatedAt" = ${new Date()}::timestamp(3)${more(columns.map((c) => c.assign))}
            FROM old JOIN input i ON i.id = old.id WHERE p.id = old.id AND old.status::text IN (${allowed})
          RETURNING p.id, old.status AS "from", p.status AS "to"),
        ev AS (${event(Prisma.sql`upd`)})
        SELECT old.status::text AS "from", EXISTS (SELECT 1 FROM ev WHERE ev."petitionId" = i.id) AS written
          FROM input i LEFT JOIN old ON old.id = i.id ORDER BY i.n`
    : await tx.$queryRaw<{ from: PetitionStatus | null; written: boolean }[]>`
        WITH ${input},
        ok AS (SELECT id, status AS "from", status AS "to" FROM old WHERE status::text IN (${allowed})),
        ev AS (${event(Prisma.sql`ok`)})
        SELECT old.status::text AS "from", EXISTS (SELECT 1 FROM ev WHERE ev."petitionId" = i.id) AS written
          FROM input i LEFT JOIN old ON old.id = i.id ORDER BY i.n`;
  return rows.map((row) => {
    if (!row.from) throw new IllegalTransitionError('missing', action);
    const to = nextState(row.from, action);
    if (!row.written) throw new Error(`transition ${action} from ${row.from} was allowed but not written`);
    return { from: row.from, to };
  });
}
