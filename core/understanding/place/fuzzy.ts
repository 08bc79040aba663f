/**
 * Homophone / near-homophone matching of place names (三里吞 → 三里屯,
 * 望经 → 望京). Each name of ≥ 3 characters is indexed by its toneless pinyin
 * with the usual southern merges (zh/z, ch/c, sh/s, -ng/-n). A window of the
 * message matches when its key is equal AND at most one character differs
 * (two for names of ≥ 6 characters): a typo, not a different name that
 * happens to sound alike.
 */
import { pinyin } from 'pinyin-pro';

const sylId = new Map<string, number>(); // syllable → small int (0 = none)
const charSyl = new Map<string, number>(); // char → syllable id

function syllableId(ch: string): number {
  let id = charSyl.get(ch);
  if (id !== undefined) return id;
  const code = ch.charCodeAt(0);
  if (code < 0x3400 || code > 0x9fff) id = 0;
  else {
    const py = (pinyin(ch, { toneType: 'none', type: 'array' })[0] ?? '')
      .replace(/^zh/, 'z')
      .replace(/^ch/, 'c')
      .replace(/^sh/, 's')
      .replace(/ng$/, 'n')
      .replace(/ü|v/g, 'u');
    if (!py) id = 0;
    else {
      id = sylId.get(py);
      if (id === undefined) sylId.set(py, (id = sylId.size + 1));
    }
  }
  charSyl.set(ch, id);
  return id;
}

/** Everyday function characters: a window whose odd character is one of these is prose, not a typo (大城之治 ≠ 大城子). */
const FUNCTION_CHARS = new Set('之的地得了着过是在和与及或把被给对向从到也都就还又而且但如果这那个我你他她它有没不很太吗呢吧啊呀哦嘛么啦说要会能可以让使将为于以其此些每各某该'.split(''));

function hasFunctionCharDiff(text: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    const ch = text[start + k]!;
    if (ch !== name[k] && FUNCTION_CHARS.has(ch)) return true;
  }
  return false;
}

export interface FuzzyHit<E> {
  start: number;
  end: number;
  entry: E;
}

interface Item<E> {
  name: string;
  syl: Int32Array;
  entry: E;
}

export class FuzzyIndex<E = unknown> {
  /** First two syllables → names starting with them. */
  private readonly byBigram = new Map<number, Item<E>[]>();
  private isExact: (k: string) => boolean = () => false;

  add(name: string, entry: E): void {
    if (name.length < 3) return;
    const syl = new Int32Array(name.length);
    for (let i = 0; i < name.length; i++) {
      const id = syllableId(name[i]!);
      if (!id) return;
      syl[i] = id;
    }
    const key = syl[0]! * 4096 + syl[1]!;
    let list = this.byBigram.get(key);
    if (!list) this.byBigram.set(key, (list = []));
    list.push({ name, syl, entry });
  }

  freeze(isExact: (k: string) => boolean): void {
    this.isExact = isExact;
    for (const list of this.byBigram.values()) list.sort((a, b) => b.name.length - a.name.length);
  }

  /** Non-overlapping best hits, skipping positions already taken by exact matches. */
  search(text: string, taken: boolean[]): FuzzyHit<E[]>[] {
    const n = text.length;
    if (n < 3) return [];
    const syl = new Int32Array(n);
    for (let i = 0; i < n; i++) syl[i] = syllableId(text[i]!);
    const hits: { start: number; end: number; items: Item<E>[] }[] = [];
    for (let i = 0; i + 2 < n + 0; i++) {
      const a = syl[i]!;
      const b = syl[i + 1]!;
      if (!a || !b || taken[i]) continue;
      const list = this.byBigram.get(a * 4096 + b);
      if (!list) continue;
      let found: Item<E>[] | null = null;
      let foundLen = 0;
      for (const it of list) {
        const len = it.syl.length;
        if (found && len < foundLen) break;
        if (i + len > n) continue;
        let ok = true;
        let diff = 0;
        for (let k = 0; k < len; k++) {
          if (syl[i + k] !== it.syl[k] || taken[i + k]) { ok = false; break; }
          if (text.charCodeAt(i + k) !== it.name.charCodeAt(k)) diff++;
        }
        if (!ok || diff < 1 || diff > (len >= 6 ? 2 : 1)) continue;
        if (hasFunctionCharDiff(text, i, it.name)) continue;
        if (this.isExact(text.substr(i, len))) continue;
        if (!found) { found = []; foundLen = len; }
        found.push(it);
      }
      if (found) hits.push({ start: i, end: i + foundLen, items: found });
    }
    if (!hits.length) return [];
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

/**
 * Two-character names (望京, 双井) sound like too many everyday words to be
 * searched inside prose; a resident answering "which street?" with a typo
 * (望经) is matched only when the whole answer is that word.
 */
export class ShortFuzzy<E = unknown> {
  private readonly byKey = new Map<number, { name: string; entry: E }[]>();

  add(name: string, entry: E): void {
    if (name.length !== 2) return;
    const a = syllableId(name[0]!);
    const b = syllableId(name[1]!);
    if (!a || !b) return;
    const key = a * 4096 + b;
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push({ name, entry });
  }

  /** Entries whose name differs from `word` by exactly one homophone character. */
  match(word: string): E[] {
    if (word.length !== 2) return [];
    const a = syllableId(word[0]!);
    const b = syllableId(word[1]!);
    if (!a || !b) return [];
    const list = this.byKey.get(a * 4096 + b);
    if (!list) return [];
    return list
      .filter((it) => (it.name[0] === word[0]) !== (it.name[1] === word[1]) && !hasFunctionCharDiff(word, 0, it.name))
      .map((it) => it.entry);
  }
}
