/**
 * One Postgres schema per test file, in database `shaosheng_test`.
 *
 *   const t = await createTestDb();   // beforeAll; { seed: 'org' } for districts, streets, units, routes
 *   ... t.db.unit.findMany() ...
 *   await t.drop();                    // afterAll
 *
 * The schema is built by running the committed migration SQL
 * (prisma/migrations/* /migration.sql) directly, which is what the schema engine
 * would execute; test/db/drift.test.ts checks that this equals an engine-applied
 * database. Files run in parallel: every call gets its own schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../core/config.js';
import { createDb, type PrismaClient } from '../../core/db.js';
import { seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import { ensureDatabase, ident, readMigrations, withDatabase } from '../../prisma/migrate.js';

export const TEST_DATABASE = 'shaosheng_test';

export interface TestDb {
  db: PrismaClient;
  /** the Postgres schema holding this file's tables */
  schema: string;
  /** URL of database shaosheng_test (pass `schema` alongside it: createDb({ url, schema })) */
  url: string;
  /** disconnects the client and drops the schema */
  drop(): Promise<void>;
}

/** Schemas older than this are leftovers of crashed runs and are removed. */
const STALE_MS = 6 * 60 * 60 * 1000;

let prepared: Promise<{ url: string; sql: string }> | undefined;

export function testDatabaseUrl(): string {
  return withDatabase(loadConfig().DATABASE_URL, TEST_DATABASE);
}

function prepare(): Promise<{ url: string; sql: string }> {
  prepared ??= (async () => {
    const url = testDatabaseUrl();
    await ensureDatabase(url);
    const migrations = await readMigrations();
    if (!migrations.length) throw new Error('no migrations in prisma/migrations');
    await dropStaleSchemas(url);
    return { url, sql: migrations.map((m) => m.sql).join('\n;\n') };
  })();
  prepared.catch(() => (prepared = undefined));
  return prepared;
}

async function dropStaleSchemas(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'`);
    for (const { nspname } of rows) {
      const born = parseInt(nspname.split('_')[1] ?? '', 36);
      if (Number.isFinite(born) && Date.now() - born > STALE_MS) {
        await client.query(`DROP SCHEMA IF EXISTS ${ident(nspname)} CASCADE`).catch(() => undefined);
      }
    }
  } finally {
    await client.end();
  }
}

export interface TestDbOptions {
  poolMax?: number;
  /**
   * 'reference': areas, categories, department types (core/org seedReferenceData);
   * 'org': that plus the default org, 604 units and routing rules (seedDefaultOrg, about 1 s).
   */
  seed?: 'reference' | 'org';
}

export async function createTestDb(opts: TestDbOptions = {}): Promise<TestDb> {
  const { url, sql } = await prepare();
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${ident(schema)}`);
    // unqualified names in the migration SQL land in the new schema
    await client.query(`SET search_path TO ${ident(schema)}`);
    await client.query(sql);
  } catch (err) {
    await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
  const db = createDb({ url, schema, poolMax: opts.poolMax ?? 4 });
  if (opts.seed === 'reference') await seedReferenceData(db);
  if (opts.seed === 'org') await seedDefaultOrg(db);
  let dropped = false;
  return {
    db,
    schema,
    url,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.$disconnect();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
