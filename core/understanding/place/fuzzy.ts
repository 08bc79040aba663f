/**
 * Homophone / near-homophone matching of place names (三里吞 → 三里屯,
 * 望经 → 望京). Each name of ≥ 3 characters is indexed by its toneless pinyin
 * with the usual southern merges (zh/z, ch/c, sh/s, -ng/-n). A window of the
 * message matches when its key is equal AND at most one character differs
 * (two for names of ≥ 6 characters): a typo, not a different name that
 * happens to sound alike.
 */
import { pinyin } from 'pinyin-pro';

const sylCache = new Map<string, string>();

function syllable(ch: string): string {
  let s = sylCache.get(ch);
  if (s !== undefined) return s;
  const code = ch.charCodeAt(0);
  if (code < 0x3400 || code > 0x9fff) s = '';
  else {
    const py = pinyin(ch, { toneType: 'none', type: 'array' })[0] ?? '';
    s = py
      .replace(/^zh/, 'z')
      .replace(/^ch/, 'c')
      .replace(/^sh/, 's')
      .replace(/ng$/, 'n')
      .replace(/ü|v/g, 'u');
  }
  sylCache.set(ch, s);
  return s;
}

export function fuzzyKeyOf(name: string): string {
  let k = '';
  for (const ch of name) {
    const s = syllable(ch);
    if (!s) return '';
    k += s + ' ';
  }
  return k;
}

export interface FuzzyHit<E> {
  start: number;
  end: number;
  entry: E;
}

interface Item<E> {
  name: string;
  entry: E;
}

export class FuzzyIndex<E = unknown> {
  private readonly byKey = new Map<string, Item<E>[]>();
  private readonly firstSyl = new Set<string>();
  private lens: number[] = [];
  private isExact: (k: string) => boolean = () => false;

  add(name: string, entry: E): void {
    if (name.length < 3) return;
    const key = fuzzyKeyOf(name);
    if (!key) return;
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push({ name, entry });
    this.firstSyl.add(syllable(name[0]!));
    if (!this.lens.includes(name.length)) this.lens.push(name.length);
  }

  freeze(isExact: (k: string) => boolean): void {
    this.isExact = isExact;
    this.lens.sort((a, b) => b - a);
  }

  /** Non-overlapping best hits, skipping positions already taken by exact matches. */
  search(text: string, taken: boolean[]): FuzzyHit<E[]>[] {
    const n = text.length;
    const syl: string[] = new Array(n);
    for (let i = 0; i < n; i++) syl[i] = syllable(text[i]!);
    const hits: { start: number; end: number; items: Item<E>[] }[] = [];
    for (let i = 0; i < n; i++) {
      if (!syl[i] || taken[i] || !this.firstSyl.has(syl[i]!)) continue;
      for (const len of this.lens) {
        if (i + len > n) continue;
        let ok = true;
        let key = '';
        for (let k = i; k < i + len; k++) {
          if (!syl[k] || taken[k]) { ok = false; break; }
          key += syl[k] + ' ';
        }
        if (!ok) continue;
        const items = this.byKey.get(key);
        if (!items) continue;
        const window = text.substr(i, len);
        if (this.isExact(window)) continue;
        const maxDiff = len >= 6 ? 2 : 1;
        const good = items.filter((it) => {
          let diff = 0;
          for (let k = 0; k < len; k++) if (it.name[k] !== window[k]) diff++;
          return diff >= 1 && diff <= maxDiff;
        });
        if (good.length) hits.push({ start: i, end: i + len, items: good });
      }
    }
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const used: boolean[] = [];
    const out: FuzzyHit<E[]>[] = [];
    for (const h of hits) {
      let free = true;
      for (let k = h.start; k < h.end; k++) if (used[k]) { free = false; break; }
      if (!free) continue;
      for (let k = h.start; k < h.end; k++) used[k] = true;
      out.push({ start: h.start, end: h.end, entry: h.items.map((it) => it.entry) });
    }
    return out;
  }
}
