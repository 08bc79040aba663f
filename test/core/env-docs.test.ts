/**
 * README's configuration table and .env.example are what `npm run docs:env` generates from
 * core/config.ts: a variable added, removed or redescribed without regenerating fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDocs, variables } from '../../core/config.js';
import { END, ENV_EXAMPLE, README, START, envExample, envTable, withTable } from '../../scripts/docs-env.js';

describe('configuration docs', () => {
  it('README.md has the generated table (run `npm run docs:env`)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(START);
    expect(readme).toContain(END);
    expect(withTable(readme)).toBe(readme);
  });

  it('.env.example is the generated one, every variable with a comment (run `npm run docs:env`)', () => {
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    expect(example).toBe(envExample());
    const lines = example.split('\n');
    for (const name of Object.keys(variables)) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at - 1], `comment above ${name}`).toMatch(/^# \S/);
    }
  });

  it('every variable the config reads has a description, and the table lists each once', () => {
    expect(Object.keys(configDocs).sort()).toEqual(Object.keys(variables).sort());
    const table = envTable();
    for (const name of Object.keys(variables)) expect(table.split(`| \`${name}\` |`)).toHaveLength(2);
    // the ones the first adopters found missing
    for (const name of ['NODE_ENV', 'TELEGRAM_SEND_LIMITS', 'WECOM_ROBOT_WEBHOOK_URL', 'GEOCODER_TIMEOUT_MS', 'REDIS_PREFIX', 'SANDBOX_PORT', 'SESSION_SECRET', 'HOST', 'LOG_LEVEL', 'DB_SCHEMA']) {
      expect(table).toContain(`| \`${name}\` |`);
    }
  });

  it('secrets get no value in .env.example', () => {
    const example = envExample();
    for (const [name, doc] of Object.entries(configDocs)) if (doc.secret) expect(example).toContain(`\n${name}=\n`);
  });
});
