/**
 * Every problem at once: each variable is checked on its own, the checks between variables run
 * beside them, and the block a person reads names each variable and what is wrong (secrets unquoted).
 */
import { describe, expect, it } from 'vitest';
import { formatConfigProblems, parseConfig } from '../../core/config.js';

const vars = (env: Record<string, string>) => parseConfig(env).problems.map((p) => p.variable).sort();

describe('configuration problems', () => {
  it('four wrong settings and a cross-setting problem are all listed together', () => {
    const env = { PORT: 'eighty', TELEGRAM_MODE: 'hook', LOG_LEVEL: 'loud', DB_POOL_MAX: '0', CLASSIFIER: 'llm' };
    expect(vars(env)).toEqual(['DB_POOL_MAX', 'LLM_BASE_URL', 'LOG_LEVEL', 'PORT', 'TELEGRAM_MODE']);
  });

  it('checks between settings run even when a single setting is wrong', () => {
    expect(vars({ PORT: 'x', TELEGRAM_MODE: 'webhook', TELEGRAM_BOT_TOKEN: '1:a' })).toEqual(['PORT', 'PUBLIC_URL', 'TELEGRAM_WEBHOOK_SECRET']);
  });

  it('ports out of range, a port shared with the sandbox, a dashboard without a session secret', () => {
    expect(vars({ PORT: '70000' })).toEqual(['PORT']);
    expect(vars({ PORT: '9001', SANDBOX_PORT: '9001' })).toEqual(['SANDBOX_PORT']);
    expect(vars({ PORT: '9001', SANDBOX_PORT: '9001', TELEGRAM_BOT_TOKEN: '1:a' })).toEqual([]);
    expect(vars({ DASHBOARD_PASSWORD: 'pw' })).toEqual(['SESSION_SECRET']);
  });

  it('a variable that failed is not listed twice by a check that depends on it', () => {
    const found = parseConfig({ DASHBOARD_PASSWORD: 'pw', SESSION_SECRET: 'short' }).problems;
    expect(found).toEqual([{ variable: 'SESSION_SECRET', message: 'must be at least 32 characters' }]);
  });

  it('the block is readable text naming each variable, and never repeats a secret', () => {
    const { problems } = parseConfig({ PORT: 'eighty', TELEGRAM_MODE: 'hook', TELEGRAM_WEBHOOK_SECRET: 'has spaces!', SESSION_SECRET: 'tiny' });
    const block = formatConfigProblems(problems);
    expect(block).toMatch(/^Shaosheng cannot start: 4 problems/);
    expect(block).toMatch(/\n {2}PORT +must be a number \(got "eighty"\)\n/);
    expect(block).toMatch(/\n {2}TELEGRAM_MODE +must be one of polling, webhook \(got "hook"\)\n/);
    expect(block).toContain('TELEGRAM_WEBHOOK_SECRET');
    expect(block).not.toContain('has spaces!');
    expect(block).not.toContain('tiny');
    expect(block).not.toContain('\\n');
  });
});
