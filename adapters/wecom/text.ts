/**
 * WeCom limits text by UTF-8 bytes (2048 for a text message), and a Chinese
 * character is 3 bytes: cut by bytes, never inside a character, preferably
 * at a line break.
 */

export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Longest prefix of `s` that fits `maxBytes`, cut between characters. */
function fitPrefix(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const b = byteLength(ch);
    if (bytes + b > maxBytes) break;
    bytes += b;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** Cut to `maxBytes` with a trailing ellipsis when something was dropped. */
export function truncateBytes(s: string, maxBytes: number, ellipsis = '…'): string {
  if (byteLength(s) <= maxBytes) return s;
  return fitPrefix(s, maxBytes - byteLength(ellipsis)) + ellipsis;
}

/**
 * Split into chunks of at most `maxBytes`, breaking at the last line break
 * (or space) in the second half of a chunk when there is one.
 */
export function splitBytes(s: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let rest = s;
  while (byteLength(rest) > maxBytes) {
    let head = fitPrefix(rest, maxBytes);
    const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    if (cut > head.length / 2) head = head.slice(0, cut + 1);
    chunks.push(head.trimEnd());
    rest = rest.slice(head.length);
  }
  if (rest.trim() !== '' || chunks.length === 0) chunks.push(rest);
  return chunks;
}
