/**
 * prisma/migrate.ts on scratch copies of the schema and migrations folder:
 * a schema edit produces the next migration, a second diff finds nothing,
 * deploy creates a missing database and records what it applied.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  applyMigrations,
  diffMigration,
  dropDatabase,
  MIGRATIONS_DIR,
  SCHEMA_PATH,
  schemaDiffSql,
  shadowDatabasesCreated,
  withDatabase,
} from '../../prisma/migrate.js';
import { testDatabaseUrl } from '../helpers/db.js';

let dir: string;
let schemaPath: string;
let migrationsDir: string;
const scratchDb = withDatabase(testDatabaseUrl(), `shaosheng_migtest_${randomBytes(4).toString('hex')}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shaosheng-migrate-'));
  schemaPath = path.join(dir, 'schema.prisma');
  migrationsDir = path.join(dir, 'migrations');
  await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  // the committed migrations describe the committed schema: start from a schema that matches them
  await cp(SCHEMA_PATH, schemaPath);
  const pending = await schemaDiffSql({ url: testDatabaseUrl(), schemaPath, migrationsDir });
  if (pending) await diffMigration('catch_up', { url: testDatabaseUrl(), schemaPath, migrationsDir });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropDatabase(scratchDb);
});

describe('diffMigration', () => {
  it('writes the next migration after a schema edit, then finds no changes', async () => {
    const before = await readdir(migrationsDir);
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(schemaPath, `${schema}\nmodel ScratchNote {\n  id   Int    @id @default(autoincrement())\n  body String\n  @@index([body])\n}\n`);

    const now = new Date('2099-01-02T03:04:05Z');
    const made = await diffMigration('Add scratch notes!', { url: testDatabaseUrl(), schemaPath, migrationsDir, now });
    expect(made).not.toBeNull();
    expect(path.basename(made!.dir)).toBe('20990102030405_add_scratch_notes');
    expect(made!.sql).toContain('CREATE TABLE "ScratchNote"');
    expect(made!.sql).toContain('CREATE INDEX "ScratchNote_body_idx"');
    expect(await readFile(path.join(made!.dir, 'migration.sql'), 'utf8')).toBe(made!.sql);
    expect((await readdir(migrationsDir)).length).toBe(before.length + 1);

    expect(await diffMigration('again', { url: testDatabaseUrl(), schemaPath, migrationsDir })).toBeNull();
    expect((await readdir(migrationsDir)).length).toBe(before.length + 1);
  });

  it('leaves no shadow databases behind', async () => {
    expect(shadowDatabasesCreated.length).toBeGreaterThan(0);
    const c = new pg.Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname = ANY($1)`, [shadowDatabasesCreated]);
    await c.end();
    expect(rows).toEqual([]);
  });
});

describe('applyMigrations', () => {
  it('creates a missing database, applies every migration once and records them', async () => {
    const names = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const first = await applyMigrations({ url: scratchDb, schemaPath, migrationsDir });
    expect(first.applied).toEqual(names);
    expect((await applyMigrations({ url: scratchDb, schemaPath, migrationsDir })).applied).toEqual([]);

    const c = new pg.Client({ connectionString: scratchDb });
    await c.connect();
    const recorded = await c.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`);
    await c.query(`INSERT INTO "ScratchNote" (body) VALUES ('works')`);
    await c.end();
    expect(recorded.rows.map((r) => r.migration_name)).toEqual(names);
  });

  it('migrates into a named Postgres schema, creating it', async () => {
    const { applied } = await applyMigrations({ url: scratchDb, schema: 'tenant_a', schemaPath, migrationsDir });
    expect(applied.length).toBeGreaterThan(0);
    const c = new pg.Client({ connectionString: scratchDb });
    await c.connect();
    const { rows } = await c.query(
      `SELECT table_schema FROM information_schema.tables WHERE table_name IN ('_prisma_migrations', 'Petition') ORDER BY 1`,
    );
    await c.end();
    expect(rows.map((r) => r.table_schema)).toEqual(['public', 'public', 'tenant_a', 'tenant_a']);
  });
});
