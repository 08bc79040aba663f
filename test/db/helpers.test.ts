import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createTestRedis } from '../helpers/redis.js';

describe('createTestDb', () => {
  const made: TestDb[] = [];
  afterAll(async () => {
    for (const t of made) await t.drop();
  });

  it('gives each caller its own migrated schema, isolated from the others', async () => {
    const [a, b] = await Promise.all([createTestDb(), createTestDb()]);
    made.push(a!, b!);
    expect(a!.schema).not.toBe(b!.schema);
    await a!.db.area.create({ data: { code: 'x1', name: '测试区', level: 'district' } });
    expect(await a!.db.area.count()).toBe(1);
    expect(await b!.db.area.count()).toBe(0);
    // every model's table exists
    expect(await b!.db.petition.count()).toBe(0);
    expect(await b!.db.keyValue.count()).toBe(0);
  });

  it('drop() removes the schema', async () => {
    const t = await createTestDb();
    await t.drop();
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    const { rowCount } = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [t.schema]);
    await c.end();
    expect(rowCount).toBe(0);
  });
});

describe('createTestRedis', () => {
  it('cleanup deletes only keys under its prefix', async () => {
    const a = await createTestRedis();
    const b = await createTestRedis();
    await a.redis.set(`${a.prefix}:one`, '1');
    await a.redis.hset(`${a.prefix}:two`, 'f', 'v');
    await b.redis.set(`${b.prefix}:keep`, '1');
    expect((await a.keys()).sort()).toEqual([`${a.prefix}:one`, `${a.prefix}:two`]);
    await a.cleanup();
    expect(await b.redis.exists(`${a.prefix}:one`, `${a.prefix}:two`)).toBe(0);
    expect(await b.redis.get(`${b.prefix}:keep`)).toBe('1');
    await b.cleanup();
  });
});
