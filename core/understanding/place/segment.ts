/**
 * Word segmentation for the word-boundary check of the place resolver: jieba's
 * `cut(text, hmm = false)` over jieba's default dictionary, the same words as
 * `@node-rs/jieba` (jieba-rs) gives, held in typed arrays (≈ 7 MB) instead of
 * the native trie and records (≈ 36 MB resident).
 *
 * The algorithm is jieba-rs's, step by step:
 * - the text is split into blocks of Han characters, Latin letters, digits and `+#&._%-`;
 *   anything else is cut into whitespace runs (`\r\n` or one whitespace character) and single characters;
 * - in a block, every dictionary word starting at a character is an edge; a character with no
 *   edge goes on alone with frequency 1; the route with the highest sum of
 *   ln(freq) − ln(total) wins, from the end of the block backwards (on a tie the longer word);
 * - consecutive single ASCII letters or digits are joined into one word.
 * `test/understanding/place/segment.test.ts` compares it with @node-rs/jieba.
 */

const HAN_BLOCK = /[\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{F900}-\u{FAFF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{2CEB0}-\u{2EBEF}\u{2F800}-\u{2FA1F}a-zA-Z0-9+#&._%-]+/gu;
const SKIP = /\r\n|\p{White_Space}/gu;
const ASCII_ALNUM = /^[A-Za-z0-9]$/;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c;
}

export class Segmenter {
  /** every word's UTF-16 code units, one after another */
  private readonly pool: Uint16Array;
  private readonly start: Int32Array;
  private readonly len: Uint8Array;
  private readonly freq: Int32Array;
  /** open addressing (load ≤ 2/3): FNV-1a of the word → word id + 1 (0 = empty) */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** longest word, in UTF-16 code units */
  private readonly maxLen: number;
  private readonly logTotal: number;

  /** `dict`: the dictionary file (UTF-8 lines `word freq [tag]`), as jieba's `load_dict` reads it. */
  constructor(dict: Uint8Array) {
    // Pass 1: how many words and code units.
    let lines = 0;
    let units = 0;
    forEachWord(dict, (a, b) => {
      lines++;
      units += utf16Length(dict, a, b);
    });
    let size = 1;
    while (size < lines * 1.5) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size);
    this.pool = new Uint16Array(units);
    this.start = new Int32Array(lines);
    this.len = new Uint8Array(lines);
    const freq = (this.freq = new Int32Array(lines));
    // Pass 2: words into the pool and the table; a word seen again takes the later frequency.
    let count = 0;
    let at = 0;
    let maxLen = 0;
    forEachWord(dict, (a, b, f) => {
      const st = at;
      at = decodeUtf8(dict, a, b, this.pool, at);
      const n = at - st;
      if (n > 255) throw new Error('segmenter: dictionary word longer than 255 code units');
      let h = FNV_OFFSET;
      for (let k = st; k < at; k++) h = Math.imul(h ^ this.pool[k]!, FNV_PRIME);
      let slot = (h >>> 0) & this.mask;
      for (;;) {
        const id = this.table[slot]! - 1;
        if (id < 0) break;
        if (this.len[id] === n && this.sameUnits(id, st, n)) {
          freq[id] = f;
          at = st; // drop the copy
          return;
        }
        slot = (slot + 1) & this.mask;
      }
      const id = count++;
      this.start[id] = st;
      this.len[id] = n;
      freq[id] = f;
      this.table[slot] = id + 1;
      if (n > maxLen) maxLen = n;
    });
    let total = 0;
    for (let i = 0; i < count; i++) total += freq[i]!;
    this.maxLen = maxLen;
    this.logTotal = Math.log(total);
  }

  private sameUnits(id: number, from: number, n: number): boolean {
    const st = this.start[id]!;
    for (let k = 0; k < n; k++) if (this.pool[st + k] !== this.pool[from + k]) return false;
    return true;
  }

  /** The id of the word s[a, b) with FNV-1a hash h, or -1. */
  private find(s: string, a: number, b: number, h: number): number {
    const n = b - a;
    let slot = (h >>> 0) & this.mask;
    for (;;) {
      const id = this.table[slot]! - 1;
      if (id < 0) return -1;
      if (this.len[id] === n) {
        const st = this.start[id]!;
        let k = 0;
        while (k < n && this.pool[st + k] === s.charCodeAt(a + k)) k++;
        if (k === n) return id;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The words of `text`, as jieba's `cut(text, false)`. */
  cut(text: string): string[] {
    const words: string[] = [];
    let last = 0;
    for (const m of text.matchAll(HAN_BLOCK)) {
      if (m.index > last) cutOther(text.slice(last, m.index), words);
      this.cutBlock(m[0], words);
      last = m.index + m[0].length;
    }
    if (last < text.length) cutOther(text.slice(last), words);
    return words;
  }

  private cutBlock(s: string, words: string[]): void {
    const n = s.length;
    const score = new Float64Array(n + 1);
    const next = new Int32Array(n + 1);
    const starts: number[] = [];
    for (let i = 0; i < n; ) {
      starts.push(i);
      const c = s.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    }
    let prev = n;
    for (let k = starts.length - 1; k >= 0; k--) {
      const a = starts[k]!;
      let best = -Infinity;
      let bestEnd = -1;
      const lim = Math.min(n, a + this.maxLen);
      let h = FNV_OFFSET;
      for (let b = a + 1; b <= lim; b++) {
        h = Math.imul(h ^ s.charCodeAt(b - 1), FNV_PRIME);
        const id = this.find(s, a, b, h);
        if (id < 0) continue;
        const v = Math.log(this.freq[id]!) - this.logTotal + score[b]!;
        // Rust's max_by: the last of equal maxima, i.e. the longer word.
        if (bestEnd < 0 || !(v < best)) {
          best = v;
          bestEnd = b;
        }
      }
      if (bestEnd < 0) {
        best = -this.logTotal + score[prev]!; // ln(1) − ln(total)
        bestEnd = prev;
      }
      score[a] = best;
      next[a] = bestEnd;
      prev = a;
    }
    let x = 0;
    let left = -1;
    while (x < n) {
      const y = next[x]!;
      const w = s.slice(x, y);
      if (ASCII_ALNUM.test(w)) {
        if (left < 0) left = x;
      } else {
        if (left >= 0) {
          words.push(s.slice(left, x));
          left = -1;
        }
        words.push(w);
      }
      x = y;
    }
    if (left >= 0) words.push(s.slice(left));
  }
}

/** Text outside the blocks: whitespace runs as words, everything else one character at a time. */
function cutOther(block: string, words: string[]): void {
  let last = 0;
  const chars = (s: string) => {
    for (const ch of s) words.push(ch);
  };
  for (const m of block.matchAll(SKIP)) {
    if (m.index > last) chars(block.slice(last, m.index));
    words.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < block.length) chars(block.slice(last));
}

/** Each line's first field (bytes [a, b)) and its frequency (second field, 0 when absent). */
function forEachWord(buf: Uint8Array, fn: (a: number, b: number, freq: number) => void): void {
  const end = buf.length;
  let i = 0;
  while (i < end) {
    let lineEnd = buf.indexOf(0x0a, i);
    if (lineEnd < 0) lineEnd = end;
    let a = i;
    while (a < lineEnd && isSpace(buf[a]!)) a++;
    let b = a;
    while (b < lineEnd && !isSpace(buf[b]!)) b++;
    if (b > a) {
      let c = b;
      while (c < lineEnd && isSpace(buf[c]!)) c++;
      let freq = 0;
      let digits = 0;
      while (c < lineEnd && buf[c]! >= 0x30 && buf[c]! <= 0x39) {
        freq = freq * 10 + (buf[c]! - 0x30);
        c++;
        digits++;
      }
      if ((c < lineEnd && !isSpace(buf[c]!) && digits) || freq > 0x7fffffff) throw new Error(`segmenter: bad frequency in the dictionary at byte ${c}`);
      fn(a, b, freq);
    }
    i = lineEnd + 1;
  }
}

function utf16Length(buf: Uint8Array, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const x = buf[i]!;
    if ((x & 0xc0) !== 0x80) n += x >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** UTF-8 bytes [a, b) → UTF-16 code units into out from `at`; returns the end. */
function decodeUtf8(buf: Uint8Array, a: number, b: number, out: Uint16Array, at: number): number {
  let i = a;
  while (i < b) {
    const x = buf[i]!;
    let cp: number;
    if (x < 0x80) {
      cp = x;
      i += 1;
    } else if (x < 0xe0) {
      cp = ((x & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
      i += 2;
    } else if (x < 0xf0) {
      cp = ((x & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
      i += 3;
    } else {
      cp = ((x & 0x07) << 18) | ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
      i += 4;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      out[at++] = 0xd800 + (cp >> 10);
      out[at++] = 0xdc00 + (cp & 0x3ff);
    } else out[at++] = cp;
  }
  return at;
}
