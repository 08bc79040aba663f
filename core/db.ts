/**
 * Prisma client on the pg driver adapter, with explicit pool settings
 * (Prisma 7's defaults wait forever for a connection).
 */
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client.js';

export type { PrismaClient };
import { Prisma } from '../prisma/generated/client.js';
export { Prisma };

export interface DbOptions {
  url: string;
  /** Postgres schema; tests use one per file so files run in parallel. */
  schema?: string;
  poolMax?: number;
  connectTimeoutMs?: number;
}

/** Distinct statements a process prepares at most; past this, new ones are parsed and planned each time. */
const PREPARED_MAX = 500;

/**
 * Names for prepared statements: each connection parses a statement once and Postgres may keep its plan,
 * instead of parsing and planning it at every call (about a sixth of Postgres's time under load, measured
 * with pg_stat_statements under `npm run bench`). Bounded, because some statement texts vary (IN lists).
 */
function statementNames() {
  const names = new Map<string, string>();
  // '' leaves the statement unnamed (parsed and planned at each call).
  return ({ sql }: { sql: string }): string => {
    let name = names.get(sql);
    if (name === undefined && names.size < PREPARED_MAX) names.set(sql, (name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`));
    return name ?? '';
  };
}

export function createDb(opts: DbOptions): PrismaClient {
  const adapter = new PrismaPg(
    {
      connectionString: opts.url,
      max: opts.poolMax ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      // Raw SQL (row locks, counters) resolves table names through search_path.
      ...(opts.schema && opts.schema !== 'public' ? { options: `-c search_path="${opts.schema}"` } : {}),
    },
    { statementNameGenerator: statementNames(), ...(opts.schema && opts.schema !== 'public' ? { schema: opts.schema } : {}) },
  );
  return new PrismaClient({ adapter });
}

/**
 * A column of epoch milliseconds (unnested from a float8[] parameter: set-based statements pass their times
 * that way) as the timestamp(3), in UTC, that Prisma's DateTime columns hold.
 */
export const msAsTimestamp = (column: string) => Prisma.raw(`(to_timestamp(${column} / 1000.0) AT TIME ZONE 'UTC')::timestamp(3)`);

/** A transaction client, as passed to `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
