/**
 * `npx tsx scripts/lexicon-singletons.ts [--fragments]`: lexicon terms that match exactly one dev
 * sentence (test/fixtures/dev-set*.jsonl) and nothing in the taxonomy (categories.json names, scope_zh,
 * urgent_when). Such a term was most likely lifted from that sentence: it is kept only when it is
 * vocabulary (a word or fixed phrase a resident would use again), removed when it is a sentence
 * fragment. With --fragments, only the terms the heuristic below calls fragments.
 *
 * A fragment: a Chinese term with a function word or a grammatical particle inside it (的 了 着 过 得
 * 跟 一样 都 也 还 就 又 才 很 吗 呢 吧 把 被 给 让 我 你 他 她 这 那), a numeral range (十三四度), or one
 * that jieba cuts into three or more words; an English term of four or more words.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { LEXICON } from '../core/understanding/lexicon.js';
import { normalize } from '../core/understanding/normalize.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'test/fixtures');
const onlyFragments = process.argv.includes('--fragments');

const dev: { id: string; t: string }[] = readdirSync(fixtures)
  .filter((f) => /^dev-set.*\.jsonl$/.test(f))
  .flatMap((f) =>
    readFileSync(path.join(fixtures, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('//'))
      .map((l) => JSON.parse(l) as { id: string; text: string })
      .map((l) => ({ id: l.id, t: normalize(l.text) })),
  );
const tax = JSON.parse(readFileSync(new URL('../core/taxonomy/categories.json', import.meta.url), 'utf8')) as {
  categories: { name_zh: string; name_en: string; scope_zh: string; urgent_when: string[] }[];
};
const taxText = normalize(tax.categories.map((c) => [c.name_zh, c.name_en, c.scope_zh, ...c.urgent_when].join(' ')).join(' '));

const jieba = Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
const PARTICLES = /[的了着过得跟都也还就又才很吗呢吧把被给让我你他她这那]|一样/;
const NUMERAL_RANGE = /[一二三四五六七八九十]{2,}[度天个岁年层楼]/;

export function isFragment(term: string, latin: boolean): boolean {
  if (latin) return term.trim().split(/\s+/).length >= 4;
  if (PARTICLES.test(term) || NUMERAL_RANGE.test(term)) return true;
  return term.length >= 4 && jieba.cut(term, false).length >= 3;
}

const isLatinChar = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
function matches(t: string, term: string, latin: boolean, whole: boolean): boolean {
  let i = t.indexOf(term);
  while (i >= 0) {
    const startOk = !latin || i === 0 || !isLatinChar(t[i - 1]);
    const endOk = !whole || !isLatinChar(t[i + term.length]);
    if (startOk && endOk) return true;
    i = t.indexOf(term, i + 1);
  }
  return false;
}

let total = 0;
const rows: { c: string; w: number; term: string; id: string; fragment: boolean }[] = [];
for (const g of LEXICON) {
  const terms = [
    ...(g.zh ?? '').split(' ').map((x) => ({ x, latin: /^[a-z]/i.test(x) })),
    ...(g.en ?? '').split('|').map((x) => ({ x, latin: true })),
  ];
  for (const { x, latin } of terms) {
    let term = x.trim().toLowerCase();
    if (!term) continue;
    total++;
    const whole = term.endsWith('$');
    if (whole) term = term.slice(0, -1);
    if (taxText.includes(term)) continue;
    let hits = 0;
    let id = '';
    for (const d of dev) {
      if (matches(d.t, term, latin, whole)) {
        hits++;
        id = d.id;
        if (hits > 1) break;
      }
    }
    if (hits !== 1) continue;
    rows.push({ c: g.c, w: g.w, term: x.trim(), id, fragment: isFragment(term, latin) });
  }
}
const shown = onlyFragments ? rows.filter((r) => r.fragment) : rows;
for (const r of shown) process.stdout.write(`${r.fragment ? 'FRAGMENT' : 'term    '}\t${r.c}\t${r.w}\t${r.term}\t${r.id}\n`);
process.stderr.write(`${total} terms; ${rows.length} match exactly one dev sentence and nothing in the taxonomy; ${rows.filter((r) => r.fragment).length} of them look like sentence fragments\n`);
