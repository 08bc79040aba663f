/**
 * schema.prisma and prisma/migrations must agree, and the fast path of
 * test/helpers/db.ts (running the migration SQL directly) must build exactly
 * what the schema engine builds.
 *
 * When this fails after an edit of schema.prisma: `npm run db:diff -- <name>`.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { applyMigrations, ident, readMigrations, schemaDiffSql } from '../../prisma/migrate.js';
import { createTestDb, testDatabaseUrl, type TestDb } from '../helpers/db.js';

function dumpSchema(url: string, schema: string): string {
  const out = execFileSync('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '-n', schema, '-T', `${schema}._prisma_migrations`, url], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((l) => !l.startsWith('--') && !l.startsWith('\\restrict') && !l.startsWith('\\unrestrict') && l.trim() !== '')
    .join('\n')
    .replaceAll(`"${schema}"`, 'SCHEMA')
    .replaceAll(`${schema}.`, 'SCHEMA.')
    .replaceAll(`SCHEMA ${schema}`, 'SCHEMA SCHEMA');
}

describe('migrations drift', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup) await f();
  });

  it('prisma/migrations is not empty', async () => {
    expect((await readMigrations()).length).toBeGreaterThan(0);
  });

  it('applying prisma/migrations yields schema.prisma (no pending diff)', async () => {
    const pending = await schemaDiffSql({ url: testDatabaseUrl() });
    expect(pending, 'schema.prisma changed without a migration: run `npm run db:diff -- <name>`').toBeNull();
  });

  it('createTestDb builds the same tables, indexes and types as the schema engine', async () => {
    const t: TestDb = await createTestDb();
    cleanup.push(() => t.drop());
    const engineSchema = `${t.schema}_engine`;
    cleanup.push(async () => {
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${ident(engineSchema)} CASCADE`);
      await c.end();
    });
    const { applied } = await applyMigrations({ url: t.url, schema: engineSchema });
    expect(applied).toEqual((await readMigrations()).map((m) => m.name));
    // a second deploy has nothing to do
    expect((await applyMigrations({ url: t.url, schema: engineSchema })).applied).toEqual([]);

    const viaEngine = dumpSchema(t.url, engineSchema);
    const viaHelper = dumpSchema(t.url, t.schema);
    expect(viaEngine).toContain('CREATE TABLE SCHEMA."Petition"');
    expect(viaHelper).toBe(viaEngine);
  });
});
