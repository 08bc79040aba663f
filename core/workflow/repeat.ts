/**
 * Is a resident's new message the same problem as their open petition of the same category and
 * street? Only then is it folded into it. Same place (no address or compound that differs) and a
 * close description, or words that say it goes on ("还是", "still"), make it the same; a description
 * that shares next to nothing is a new problem; anything between is asked (the resident chooses).
 */
import { loadTaxonomy } from '../org/taxonomy.js';

export type Sameness = 'same' | 'different' | 'unsure';

export interface ProblemText {
  text: string;
  address?: string | null;
  community?: string | null;
}

/** Dice coefficient of the two descriptions' character pairs at or above this: the same problem. */
const SAME = 0.4;
/** Below this (place names alone share a few pairs): a different problem. */
const DIFFERENT = 0.12;
/** With words that say the problem goes on, this much in common is enough. */
const CONTINUING = 0.15;
const CONTINUES = /还是|还在|仍然|仍旧|依然|依旧|继续|再次|又(?:坏|出|来|开始|有人)|一直|至今|到现在|还没|没人管|没有人管|没解决|未解决|\bstill\b|\bagain\b|\bnot yet\b|\bkeeps?\b/i;

let AREA_NAMES: RegExp | undefined;
/**
 * District and street names (with and without 区/街道/镇/乡/地区), longest first: they say where, not
 * what, and two messages about one street would otherwise look alike whatever they are about.
 */
function areaNames(): RegExp {
  if (!AREA_NAMES) {
    const names = new Set<string>(['北京市', '北京']);
    for (const d of loadTaxonomy().districts) {
      for (const name of [d.name, ...d.streets.map((st) => st.name)]) {
        names.add(name);
        const bare = name.replace(/(?:街道办事处|街道|地区|区|镇|乡)$/, '');
        if ([...bare].length >= 2) names.add(bare);
      }
    }
    const escaped = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    AREA_NAMES = new RegExp(`(?:${escaped.join('|')})(?:街道|地区|区|镇|乡)?`, 'g');
  }
  return AREA_NAMES;
}

/** What the text says is wrong: the names of districts and streets left out. */
function described(s: string): string {
  return s.replace(areaNames(), ' ');
}

function normal(s: string): string {
  return s.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, ' ').trim();
}

/** Character pairs of Chinese text, whole words of Latin text. */
function grams(s: string): Set<string> {
  const out = new Set<string>();
  for (const run of normal(s).split(' ')) {
    if (!run) continue;
    if (/^[a-z0-9]+$/.test(run)) {
      out.add(run);
      continue;
    }
    const chars = [...run];
    if (chars.length === 1) out.add(run);
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return out;
}

export function similarity(a: string, b: string): number {
  const x = grams(described(a));
  const y = grams(described(b));
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

/** Two named places that cannot be the same spot (neither contains the other). */
function placesDiffer(a?: string | null, b?: string | null): boolean {
  const x = a ? normal(a).replace(/ /g, '') : '';
  const y = b ? normal(b).replace(/ /g, '') : '';
  return !!x && !!y && !x.includes(y) && !y.includes(x);
}

export function sameProblem(next: ProblemText, open: ProblemText): Sameness {
  if (placesDiffer(next.address, open.address) || placesDiffer(next.community, open.community)) return 'different';
  const sim = similarity(next.text, open.text);
  if (sim >= SAME) return 'same';
  if (sim >= CONTINUING && CONTINUES.test(next.text)) return 'same';
  if (sim < DIFFERENT) return 'different';
  return 'unsure';
}
