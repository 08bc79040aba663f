/**
 * Scores the place resolver on labelled lines (test/fixtures/place-dev-set.jsonl):
 * coverage = right street where one is determinable; wrong street = any street
 * given that is not the labelled one (including a street where the label says
 * "ask"); wrong district likewise. `cli/eval.ts` prints the report.
 */
import type { PlaceResult } from './index.js';

export interface PlaceDevLine {
  text: string;
  district: string | null;
  street: string | null;
  kind?: string;
  history?: string[];
}

export interface PlaceMiss {
  text: string;
  kind: string;
  expected: { district: string | null; street: string | null };
  got: { district: string | null; street: string | null; method: string; candidates: number };
  error: 'wrong_street' | 'wrong_district' | 'uncovered' | 'missed_district';
}

export interface PlaceEvalReport {
  total: number;
  /** Lines whose label has a street. */
  determinable: number;
  /** Right street / determinable. */
  coverage: number;
  /** Lines with a wrong street / all lines. */
  wrongStreetRate: number;
  /** Lines with a wrong district / all lines. */
  wrongDistrictRate: number;
  /** Right district / lines whose label has a district. */
  districtAccuracy: number;
  /** Street given when the label says "ask" or "no place" / those lines. */
  falseStreetRate: number;
  byKind: Record<string, { n: number; right: number; wrong: number }>;
  misses: PlaceMiss[];
  microsPerResolve: number;
}

type Resolver = (text: string, opts?: { history?: string[] }) => PlaceResult;

/** Score any resolver; `evaluatePlaces` in index.ts scores ours. */
export function scorePlaces(lines: PlaceDevLine[], resolve: Resolver): PlaceEvalReport {
  let determinable = 0;
  let rightStreet = 0;
  let wrongStreet = 0;
  let wrongDistrict = 0;
  let withDistrict = 0;
  let rightDistrict = 0;
  let askLines = 0;
  let falseStreet = 0;
  const byKind: PlaceEvalReport['byKind'] = {};
  const misses: PlaceMiss[] = [];
  const results = lines.map((l) => resolve(l.text, l.history ? { history: l.history } : undefined));
  // Warm up (JIT tiers, caches) with ~20k resolves, then time ~20k more by CPU time (not wall clock: shared machines).
  const reps = Math.max(1, Math.ceil(20000 / Math.max(1, lines.length)));
  for (let k = 0; k < reps; k++) for (const l of lines) resolve(l.text, l.history ? { history: l.history } : undefined);
  const c0 = process.cpuUsage();
  for (let k = 0; k < reps; k++) for (const l of lines) resolve(l.text, l.history ? { history: l.history } : undefined);
  const c = process.cpuUsage(c0);
  const micros = (c.user + c.system) / (reps * Math.max(1, lines.length));
  lines.forEach((l, i) => {
    const r = results[i]!;
    const kind = l.kind ?? 'other';
    const k = (byKind[kind] ??= { n: 0, right: 0, wrong: 0 });
    k.n++;
    const got = { district: r.districtCode, street: r.streetCode, method: r.method, candidates: r.candidates.length };
    const expected = { district: l.district, street: l.street };
    let error: PlaceMiss['error'] | null = null;
    if (l.street) {
      determinable++;
      if (r.streetCode === l.street) rightStreet++;
      else if (r.streetCode) error = 'wrong_street';
      else error = 'uncovered';
    } else {
      askLines++;
      if (r.streetCode) {
        falseStreet++;
        error = 'wrong_street';
      }
    }
    if (error === 'wrong_street') wrongStreet++;
    if (l.district) {
      withDistrict++;
      if (r.districtCode === l.district) rightDistrict++;
      else if (r.districtCode) {
        wrongDistrict++;
        error ??= 'wrong_district';
        if (error !== 'wrong_street') error = 'wrong_district';
      } else error ??= 'missed_district';
    } else if (r.districtCode) {
      wrongDistrict++;
      error ??= 'wrong_district';
    }
    const right = (l.street ? r.streetCode === l.street : !r.streetCode) && (l.district ? r.districtCode === l.district : !r.districtCode);
    if (right) k.right++;
    if (error === 'wrong_street' || error === 'wrong_district') k.wrong++;
    if (error) misses.push({ text: l.text, kind, expected, got, error });
  });
  const n = Math.max(1, lines.length);
  return {
    total: lines.length,
    determinable,
    coverage: determinable ? rightStreet / determinable : 1,
    wrongStreetRate: wrongStreet / n,
    wrongDistrictRate: wrongDistrict / n,
    districtAccuracy: withDistrict ? rightDistrict / withDistrict : 1,
    falseStreetRate: askLines ? falseStreet / askLines : 0,
    byKind,
    misses,
    microsPerResolve: Math.round(micros * 10) / 10,
  };
}

/** Parse JSON lines (blank lines and lines starting with // are skipped). */
export function parsePlaceDevSet(content: string): PlaceDevLine[] {
  return content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as PlaceDevLine);
}
