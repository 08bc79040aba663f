/**
 * Scores the understanding pipeline on labelled lines
 * ({"id","text","category","district","street","urgent","needs_location"}).
 * Used by `npm run eval` and by the tests.
 */
import { understand, type Understanding } from './index.js';

export interface DevLine {
  id: string;
  text: string;
  category: string;
  district: string | null;
  street: string | null;
  urgent: boolean;
  needs_location: boolean;
  history?: string[];
}

export interface Miss {
  id: string;
  text: string;
  field: 'category' | 'district' | 'street' | 'needs_location' | 'urgent';
  expected: unknown;
  got: unknown;
}

export interface EvalReport {
  total: number;
  category: { accuracy: number; right: number };
  /** All lines (null = no district expected). */
  district: { accuracy: number; right: number; n: number };
  /** Lines whose label names a street. */
  street: { accuracy: number; right: number; n: number };
  needsLocation: { accuracy: number; right: number };
  urgent: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };
  confusions: { expected: string; got: string; count: number }[];
  misses: Miss[];
}

export function parseDevSet(content: string): DevLine[] {
  return content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as DevLine);
}

const pct = (a: number, n: number) => (n === 0 ? 1 : a / n);

export function scoreLines(lines: DevLine[], run: (l: DevLine) => Understanding = (l) => understand(l.text, l.history ? { history: l.history } : {})): EvalReport {
  let cat = 0;
  let dist = 0;
  let streetN = 0;
  let streetRight = 0;
  let nl = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const confusion = new Map<string, number>();
  const misses: Miss[] = [];
  for (const l of lines) {
    const u = run(l);
    const miss = (field: Miss['field'], expected: unknown, got: unknown) => misses.push({ id: l.id, text: l.text, field, expected, got });
    if (u.category.code === l.category) cat++;
    else {
      miss('category', l.category, u.category.code);
      const k = `${l.category} → ${u.category.code}`;
      confusion.set(k, (confusion.get(k) ?? 0) + 1);
    }
    if ((u.place.districtCode ?? null) === (l.district ?? null)) dist++;
    else miss('district', l.district, u.place.districtCode);
    if (l.street) {
      streetN++;
      if (u.place.streetCode === l.street) streetRight++;
      else miss('street', l.street, u.place.streetCode);
    } else if (u.place.streetCode) {
      miss('street', null, u.place.streetCode);
    }
    if (u.needsLocation === l.needs_location) nl++;
    else miss('needs_location', l.needs_location, u.needsLocation);
    if (u.urgency.urgent && l.urgent) tp++;
    else if (u.urgency.urgent && !l.urgent) {
      fp++;
      miss('urgent', false, `${u.urgency.reason}`);
    } else if (!u.urgency.urgent && l.urgent) {
      fn++;
      miss('urgent', true, false);
    }
  }
  const precision = pct(tp, tp + fp);
  const recall = pct(tp, tp + fn);
  return {
    total: lines.length,
    category: { accuracy: pct(cat, lines.length), right: cat },
    district: { accuracy: pct(dist, lines.length), right: dist, n: lines.length },
    street: { accuracy: pct(streetRight, streetN), right: streetRight, n: streetN },
    needsLocation: { accuracy: pct(nl, lines.length), right: nl },
    urgent: { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), tp, fp, fn },
    confusions: [...confusion.entries()]
      .map(([k, count]) => {
        const [expected, got] = k.split(' → ') as [string, string];
        return { expected, got, count };
      })
      .sort((a, b) => b.count - a.count),
    misses,
  };
}
