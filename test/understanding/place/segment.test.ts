/**
 * The place resolver's segmenter (core/understanding/place/segment.ts) cuts
 * text exactly as @node-rs/jieba's `cut(text, false)` with the same dictionary:
 * every dev-set text and windows of it (the resolver cuts a few characters
 * around a match), and random mixes of dictionary words, characters, Latin,
 * digits, whitespace, punctuation and astral characters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { describe, expect, it } from 'vitest';
import { Segmenter } from '../../../core/understanding/place/segment.js';

const dictBuf = readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'));
const jieba = Jieba.withDict(dictBuf);
const segmenter = new Segmenter(dictBuf);

// Word lengths: jieba answers a lone surrogate as U+FFFD, one code unit like the surrogate itself.
const lengths = (words: string[]) => words.map((w) => w.length).join(',');
function differences(texts: Iterable<string>): string[] {
  const out: string[] = [];
  for (const s of texts) if (lengths(segmenter.cut(s)) !== lengths(jieba.cut(s, false))) out.push(s);
  return out;
}

const fixtures = new URL('../../fixtures/', import.meta.url);
const texts: string[] = [];
for (const f of readdirSync(fixtures)) {
  if (!f.endsWith('.jsonl')) continue;
  for (const line of readFileSync(new URL(f, fixtures), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { text?: string; history?: string[] };
    if (o.text) texts.push(o.text);
    texts.push(...(o.history ?? []));
  }
}

describe('segmenter = jieba cut without HMM', () => {
  it('cuts a sentence into words', () => {
    expect(segmenter.cut('我们中出了一个叛徒')).toEqual(['我们', '中', '出', '了', '一个', '叛徒']);
    expect(segmenter.cut('照常营业，东北师大 ABC 123号')).toEqual(jieba.cut('照常营业，东北师大 ABC 123号', false));
  });

  it('agrees on every dev-set text and its windows', () => {
    expect(texts.length).toBeGreaterThan(1000);
    function* windows() {
      for (const s of texts) {
        yield s;
        for (let i = 0; i < s.length; i++) for (const n of [4, 8, 15]) yield s.slice(i, i + n);
      }
    }
    expect(differences(windows())).toEqual([]);
  });

  it('agrees on random mixes', () => {
    const words = dictBuf.toString('utf8').split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
    const extra = ['a', 'B', '3', '12', 'x', ' ', '  ', '\t', '\r\n', '\n', '，', '。', '!', '(', '-', '_', '.', '%', '#', '&', '+', '𠀀', '😀', '\u3000', '\uFEFF', '\u00A0', 'é', 'Ⅷ', '１', 'Ａ', '㐀', '\uD800', '之', '的'];
    const chars = texts.join('');
    let seed = 12345;
    const rnd = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % k;
    };
    function* mixes() {
      for (let it = 0; it < 100_000; it++) {
        let s = '';
        for (let p = 1 + rnd(8); p > 0; p--) {
          const r = rnd(10);
          if (r < 4) s += words[rnd(words.length)];
          else if (r < 7) {
            const i = rnd(chars.length - 5);
            s += chars.slice(i, i + 1 + rnd(4));
          } else if (r < 9) s += extra[rnd(extra.length)];
          else s += String.fromCharCode(0x4e00 + rnd(0x9fff - 0x4e00));
        }
        yield s;
      }
    }
    expect(differences(mixes())).toEqual([]);
  });
});
