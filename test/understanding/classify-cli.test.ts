import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_CODES } from '../../core/understanding/taxonomy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(args: string[], input: string | Buffer, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/shaosheng.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('shaosheng classify (child process)', () => {
  it('writes one JSON line per input with taxonomy codes, exit 0', async () => {
    const input = [
      { id: 'a', text: '朝阳区望京街道的路灯坏了，电话13812345678' },
      { id: 'b', text: '楼道里有很浓的煤气味' },
      { id: 'c', text: '八里庄这边垃圾没人清运' },
      { id: 'd', text: '😀' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const r = await run(['classify'], input + '\n');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'c', 'd']);
    for (const o of out) {
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['id', 'category', 'district', 'street', 'urgent', 'needs_location']));
      expect(CATEGORY_CODES).toContain(o.category);
    }
    expect(out[0]).toMatchObject({ category: 'municipal_facility', district: '110105', street: '110105-wangjing', urgent: false, needs_location: false, intent: 'problem' });
    expect(r.stdout).not.toContain('13812345678');
    expect(out[1]).toMatchObject({ category: 'gas', urgent: true, needs_location: true, street: null });
    expect(out[2]).toMatchObject({ category: 'garbage', street: null, needs_location: true });
    // nothing to act on: asked for details (problem and place), not for a place alone
    expect(out[3]).toMatchObject({ needs_more_info: true, needs_location: false });
  });

  it('a bad line gets an error line on stderr, the run continues, exit code non-zero', async () => {
    const input = ['{"id":"1","text":"停水了 西城区月坛街道"}', 'this is not json', '{"id":"3","text":42}', '[1,2]', '{"id":"5","text":"暖气不热"}'].join('\n');
    const r = await run(['classify'], input);
    expect(r.code).not.toBe(0);
    expect(lines(r.stdout).map((o) => o.id)).toEqual(['1', '5']);
    const errors = lines(r.stderr).filter((o) => 'error' in o);
    expect(errors.map((e) => e.id)).toEqual([null, '3', null]);
    for (const e of errors) expect(typeof e.error).toBe('string');
  });

  it('invalid UTF-8, a 10,000-character line and HTML/SQL are answered, never a crash', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"id":"u","text":"路灯坏了'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}\n'),
      Buffer.from(JSON.stringify({ id: 'long', text: '暖气不热。'.repeat(2000) }) + '\n'),
      Buffer.from(JSON.stringify({ id: 'sql', text: "'; DROP TABLE petitions; --" }) + '\n'),
      Buffer.from(JSON.stringify({ id: 'html', text: '<img src=x onerror=alert(1)>' }) + '\n'),
    ]);
    const r = await run(['classify'], bad);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(['u', 'long', 'sql', 'html']);
    expect(out[0]).toMatchObject({ category: 'municipal_facility' });
    expect(out[1]).toMatchObject({ category: 'heating' });
    expect(out[2]).toMatchObject({ needs_more_info: true });
    expect(out[3]).toMatchObject({ needs_more_info: true });
  });

  it('streams many lines', async () => {
    const n = 3000;
    const input = Array.from({ length: n }, (_, i) => JSON.stringify({ id: String(i), text: i % 2 ? '路灯坏了' : '楼上漏水' })).join('\n');
    const r = await run(['classify'], input);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(n);
    expect(out[n - 1]!.id).toBe(String(n - 1));
  });

  it('--llm without a configured server fails clearly', async () => {
    const r = await run(['classify', '--llm'], '{"id":"x","text":"停电了"}', { LLM_BASE_URL: '' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('LLM_BASE_URL');
  });
});

describe('shaosheng classify --llm (child process against the local LLM peer)', () => {
  it('uses the configured LLM and falls back line by line', async () => {
    const { startLlmPeer, userMessage } = await import('../peers/llm-server.js');
    const peer = await startLlmPeer((req) =>
      userMessage(req).includes('路灯')
        ? { kind: 'json', answer: { category: 'municipal_facility', confidence: 0.9, summary: '路灯不亮' } }
        : { kind: 'status', status: 500 },
    );
    try {
      const input = [
        JSON.stringify({ id: 'l1', text: '朝阳区望京街道路灯不亮，电话13812345678' }),
        JSON.stringify({ id: 'l2', text: '楼道里有煤气味' }),
      ].join('\n');
      const r = await run(['classify', '--llm'], input, { LLM_BASE_URL: peer.baseURL, LLM_API_KEY: 'k', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '2000' });
      expect(r.code).toBe(0);
      const out = lines(r.stdout);
      expect(out[0]).toMatchObject({ id: 'l1', category: 'municipal_facility', street: '110105-wangjing', source: 'llm' });
      expect(out[1]).toMatchObject({ id: 'l2', category: 'gas', urgent: true, source: 'embedded_fallback' });
      expect(JSON.stringify(peer.requests)).not.toContain('13812345678');
    } finally {
      await peer.close();
    }
  });
});
