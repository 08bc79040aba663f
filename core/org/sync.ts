/**
 * Idempotent writes: compare what should be with what is, insert the missing
 * rows in one statement, update only rows that differ. Running a seed or an
 * import twice therefore changes nothing the second time (and says so).
 */
import type { PrismaClient, Tx } from '../db.js';

export type DbOrTx = PrismaClient | Tx;

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export const emptyCounts = (): SyncCounts => ({ created: 0, updated: 0, unchanged: 0 });

/** Run `fn` in a transaction unless `db` already is one. */
export async function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if ('$transaction' in db) return db.$transaction(fn, { maxWait: 10_000, timeout: 120_000 });
  return fn(db);
}

function stable(v: unknown): string {
  return JSON.stringify(v ?? null);
}

/**
 * `desired` rows are compared field by field (only the fields they carry) with
 * `existing` rows of the same key.
 */
export async function syncRows<T extends Record<string, unknown>>(opts: {
  desired: T[];
  existing: Record<string, unknown>[];
  key: (row: Record<string, unknown>) => string;
  createMany: (rows: T[]) => Promise<unknown>;
  update: (row: T, current: Record<string, unknown>) => Promise<unknown>;
  /** when false, existing rows are left as they are (create-only) */
  overwrite?: boolean;
}): Promise<SyncCounts> {
  const counts = emptyCounts();
  const byKey = new Map(opts.existing.map((r) => [opts.key(r), r]));
  const toCreate: T[] = [];
  for (const row of opts.desired) {
    const current = byKey.get(opts.key(row));
    if (!current) {
      toCreate.push(row);
      continue;
    }
    const differs = Object.keys(row).some((k) => stable(row[k]) !== stable(current[k]));
    if (differs && opts.overwrite !== false) {
      await opts.update(row, current);
      counts.updated++;
    } else {
      counts.unchanged++;
    }
  }
  if (toCreate.length) await opts.createMany(toCreate);
  counts.created = toCreate.length;
  return counts;
}
