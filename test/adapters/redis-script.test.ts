import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisScript } from '../../adapters/redis-script.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

let r: TestRedis;
beforeAll(async () => (r = await createTestRedis()));
afterAll(() => r?.cleanup());

it('runs a script Redis has not seen (sending its text once), then by its SHA1', async () => {
  // Unique text: Redis cannot have it cached yet.
  const lua = `-- ${r.prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
  const sha = createHash('sha1').update(lua).digest('hex');
  const incr = redisScript(lua);
  expect(await r.redis.script('EXISTS', sha)).toEqual([0]);
  expect(await incr(r.redis, [`${r.prefix}:n`], [2])).toBe(2);
  expect(await r.redis.script('EXISTS', sha)).toEqual([1]);
  expect(await incr(r.redis, [`${r.prefix}:n`], [3])).toBe(5);
});

it('a failing script throws its error', async () => {
  const bad = redisScript(`-- ${r.prefix}\nreturn redis.call('INCRBY', KEYS[1], 'x')`);
  await expect(bad(r.redis, [`${r.prefix}:m`], [])).rejects.toThrow(/not an integer/);
});
