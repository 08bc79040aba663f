/**
 * Prisma client on the pg driver adapter, with explicit pool settings
 * (Prisma 7's defaults wait forever for a connection).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client.js';

export type { PrismaClient };
export { Prisma } from '../prisma/generated/client.js';

export interface DbOptions {
  url: string;
  /** Postgres schema; tests use one per file so files run in parallel. */
  schema?: string;
  poolMax?: number;
  connectTimeoutMs?: number;
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
    opts.schema && opts.schema !== 'public' ? { schema: opts.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}

/** A transaction client, as passed to `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
