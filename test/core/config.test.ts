import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('works with no variables at all (local development defaults)', () => {
    const c = loadConfig({});
    expect(c.NODE_ENV).toBe('development');
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/shaosheng');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.TELEGRAM_MODE).toBe('polling');
    expect(c.CLASSIFIER).toBe('embedded');
    expect(c.DATA_KEY).toHaveLength(32);
    expect(c.OPEN311_API_KEYS).toEqual([]);
  });

  it('parses numbers, booleans, lists and keys', () => {
    const c = loadConfig({
      PORT: '8080',
      SANDBOX: 'yes',
      WORKING_DAY_CALENDAR: '0',
      OPEN311_API_KEYS: ' a, b ,,c',
      DATA_KEY: 'ab'.repeat(32),
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ PORT: 8080, SANDBOX: true, WORKING_DAY_CALENDAR: false, OPEN311_API_KEYS: ['a', 'b', 'c'], LOG_LEVEL: 'debug' });
    expect(c.DATA_KEY.equals(Buffer.alloc(32, 0xab))).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '', TELEGRAM_BOT_TOKEN: '', DATABASE_URL: '' });
    expect(c.PORT).toBe(3000);
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/shaosheng');
  });

  it('lists several bad values together in one error', () => {
    const found = problems({ PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud', DATA_KEY: 'short', PERIOD_START_DAY: '31' });
    const fields = found.map((p) => p.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DATA_KEY', 'PERIOD_START_DAY']));
    expect(found).toHaveLength(5);
    expect(found.find((p) => p.startsWith('DATA_KEY'))).toContain('32 bytes');
  });

  it('checks settings that depend on each other', () => {
    const found = problems({ NODE_ENV: 'production', TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook', WECOM_CORP_ID: 'ww1', CLASSIFIER: 'llm' });
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DATA_KEY', 'LLM_BASE_URL', 'PUBLIC_URL', 'TELEGRAM_WEBHOOK_SECRET', 'WECOM_AGENT_SECRET', 'WECOM_ENCODING_AES_KEY', 'WECOM_TOKEN'].sort(),
    );
    const err = (() => {
      try {
        loadConfig({ NODE_ENV: 'production' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.code).toBe('config_invalid');
    expect(err?.message).toContain('DATA_KEY: is required in production');
  });

  it('reads the assessment weights and the security settings', () => {
    const c = loadConfig({ ASSESS_WEIGHTS: 'response=0.2, resolution=0.4,satisfaction=0.4,basically=0.8', TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16', METRICS_PORT: '9464' });
    expect(c.ASSESS_WEIGHTS).toEqual({ response: 0.2, resolution: 0.4, satisfaction: 0.4, basically: 0.8, partly: 0 });
    expect(c.TRUSTED_PROXIES).toEqual(['10.0.0.1', '10.1.0.0/16']);
    expect(c.METRICS_PORT).toBe(9464);
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    const found = problems({ ASSESS_WEIGHTS: 'response=0.5,resolution=0.5,satisfaction=0.4', METRICS_TOKEN: 'short' });
    expect(found.find((p) => p.startsWith('ASSESS_WEIGHTS'))).toContain('must be 1');
    expect(found.some((p) => p.startsWith('METRICS_TOKEN'))).toBe(true);
    expect(problems({ ASSESS_WEIGHTS: 'speed=1' })[0]).toContain('"speed=1" is not name=number');
  });
});
