/**
 * `npm run eval [-- --misses N] [file.jsonl …]`: scores the understanding
 * pipeline on the labelled sets and the place resolver on the place dev sets.
 *
 * Default: every set listed in test/fixtures/sets.json (and any other dev-set*.jsonl), in two groups:
 *   - regression check (dev): sets the lexicon and rules were fitted to. A gate, not a claim of accuracy.
 *   - held-out: sets nothing was fitted to (written blind; their misses are never printed, so they stay held out).
 * Beside each set its recorded first pass (scored once, before any change made for it), and the first pass
 * of all blind sets together: the honest estimate on text nobody here wrote.
 * With files on the command line: those files only, misses included.
 * Then the learned model, leave-one-set-out: each set scored by a model trained on the other dev sets only
 * (a held-out set is never trained on), alone and combined with the lexicon (`--no-loso` skips it, ~1 min).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseDevSet, scoreLines, type DevLine, type EvalReport } from '../core/understanding/evaluate.js';
import { evaluatePlaces, parsePlaceDevSet } from '../core/understanding/place/index.js';
import { understand } from '../core/understanding/index.js';
import { compile, predict, train } from '../core/understanding/model/index.js';
import { CATEGORY_CODES } from '../core/understanding/taxonomy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let showMisses = 40;
let loso = true;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--misses') showMisses = Number(args[++i] ?? 40);
  else if (args[i] === '--no-loso') loso = false;
  else files.push(args[i]!);
}
const fixtures = path.join(root, 'test/fixtures');

interface FirstPass {
  n: number;
  category: number;
  district?: number;
  street?: number;
  needsLocation?: number;
  urgentP?: number;
  urgentR?: number;
  urgentF1?: number;
}
interface SetEntry {
  file: string;
  role: 'dev' | 'held-out';
  note?: string;
  firstPass?: FirstPass;
}
const manifestPath = path.join(fixtures, 'sets.json');
const manifest: SetEntry[] = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { sets: SetEntry[] }).sets : [];
const listed = new Set(manifest.map((s) => s.file));
const sets: SetEntry[] = files.length
  ? files.map((f) => ({ file: f, role: 'dev' as const }))
  : [
      ...manifest.filter((s) => existsSync(path.join(fixtures, s.file))),
      ...readdirSync(fixtures)
        .filter((f) => /^dev-set.*\.jsonl$/.test(f) && !listed.has(f))
        .sort()
        .map((f) => ({ file: f, role: 'dev' as const })),
    ];
const fileOf = (s: SetEntry) => (files.length ? s.file : path.join(fixtures, s.file));

process.stdout.on('error', () => process.exit(0)); // e.g. piped into `head`
const out = (s = '') => process.stdout.write(s + '\n');
const p = (x: number) => `${(x * 100).toFixed(1)}%`;
const opt = (x: number | undefined, f: (x: number) => string) => (x === undefined ? '   –  ' : f(x));

const linesOf = new Map<SetEntry, DevLine[]>(sets.map((s) => [s, parseDevSet(readFileSync(fileOf(s), 'utf8'))]));
const reportOf = new Map<SetEntry, EvalReport>();
const t0 = process.hrtime.bigint();
for (const s of sets) reportOf.set(s, scoreLines(linesOf.get(s)!));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;

function block(title: string, group: SetEntry[]): EvalReport | null {
  if (!group.length) return null;
  const lines = group.flatMap((s) => linesOf.get(s)!);
  const r = scoreLines(lines);
  out(`${title}: ${lines.length} messages in ${group.length} set${group.length > 1 ? 's' : ''}`);
  out(`  category        ${p(r.category.accuracy)}  (${r.category.right}/${r.total})   target ≥ 95%`);
  out(`  district        ${p(r.district.accuracy)}  (${r.district.right}/${r.district.n})   target ≥ 98%`);
  out(`  street          ${p(r.street.accuracy)}  (${r.street.right}/${r.street.n} labelled)   target ≥ 93%`);
  out(`  needs_location  ${p(r.needsLocation.accuracy)}  (${r.needsLocation.right}/${r.total})   target ≥ 97%`);
  out(`  urgent          P ${p(r.urgent.precision)}  R ${p(r.urgent.recall)}  F1 ${r.urgent.f1.toFixed(3)}  (tp ${r.urgent.tp}, fp ${r.urgent.fp}, fn ${r.urgent.fn})   target R ≥ 97%, F1 ≥ 0.92`);
  out('  per set (now | first pass, scored once before any change made for it):');
  for (const s of group) {
    const fr = reportOf.get(s)!;
    const f = s.firstPass;
    out(
      `    ${path.basename(s.file).padEnd(20)} n=${String(fr.total).padStart(4)}  category ${p(fr.category.accuracy).padStart(6)} | ${opt(f?.category, p).padStart(6)}` +
        `  street ${p(fr.street.accuracy).padStart(6)}  needs_location ${p(fr.needsLocation.accuracy).padStart(6)}` +
        `  urgent R ${p(fr.urgent.recall).padStart(6)} | ${opt(f?.urgentR, p).padStart(6)}  F1 ${fr.urgent.f1.toFixed(3)} | ${opt(f?.urgentF1, (x) => x.toFixed(3)).padStart(5)}`,
    );
  }
  return r;
}

const dev = sets.filter((s) => s.role === 'dev');
const heldOut = sets.filter((s) => s.role === 'held-out');
out(`Understanding: ${sets.reduce((a, s) => a + linesOf.get(s)!.length, 0)} labelled messages scored in ${ms.toFixed(0)} ms`);
out();
const devReport = block(files.length ? 'Sets given' : 'Regression check (dev: the lexicon and rules were fitted to these sets; a gate, not a claim of accuracy)', dev);
if (heldOut.length) {
  out();
  block('Held-out (written blind, nothing fitted to them; misses never printed)', heldOut);
}
const blind = sets.filter((s) => s.firstPass);
if (blind.length) {
  const n = blind.reduce((a, s) => a + s.firstPass!.n, 0);
  const w = (k: keyof FirstPass) => {
    const with_ = blind.filter((s) => s.firstPass![k] !== undefined);
    const m = with_.reduce((a, s) => a + s.firstPass!.n, 0);
    return { v: with_.reduce((a, s) => a + s.firstPass!.n * (s.firstPass![k] as number), 0) / Math.max(1, m), sets: with_.length, m };
  };
  const cat = w('category');
  const f1 = w('urgentF1');
  const rec = w('urgentR');
  out();
  out(`First pass of every blind set (the honest estimate on unseen text): ${blind.length} sets, ${n} messages`);
  out(`  category        ${p(cat.v)}  (weighted by set size)`);
  out(`  urgent F1       ${f1.v.toFixed(3)}  (mean weighted by set size, ${f1.sets} sets)`);
  if (rec.sets) out(`  urgent recall   ${p(rec.v)}  (${rec.sets} set${rec.sets > 1 ? 's' : ''} that recorded it, ${rec.m} messages)`);
}
// Reliability of the stated category confidence: does 0.8 mean right 8 times in 10?
{
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001];
  out();
  out('Category confidence reliability (stated confidence → share right; dev sets are fitted, held-out are not):');
  out(`  ${'confidence'.padEnd(12)} ${'dev n'.padStart(6)} ${'stated'.padStart(7)} ${'right'.padStart(7)}   ${'held-out n'.padStart(10)} ${'stated'.padStart(7)} ${'right'.padStart(7)}`);
  const rows = (group: SetEntry[]) => {
    const acc = bins.slice(1).map(() => ({ n: 0, conf: 0, right: 0 }));
    for (const s of group)
      for (const l of linesOf.get(s)!) {
        const u = understand(l.text, l.history ? { history: l.history } : {});
        const c = u.category.confidence;
        const i = Math.max(0, bins.findIndex((b, k) => c >= b && c < bins[k + 1]!));
        acc[i]!.n++;
        acc[i]!.conf += c;
        if (u.category.code === l.category) acc[i]!.right++;
      }
    return acc;
  };
  const d = rows(dev);
  const hRows = rows(heldOut);
  const cell = (x: { n: number; conf: number; right: number }) =>
    `${String(x.n).padStart(6)} ${(x.n ? (x.conf / x.n).toFixed(2) : '–').padStart(7)} ${(x.n ? p(x.right / x.n) : '–').padStart(7)}`;
  for (let i = 0; i < d.length; i++) out(`  ${`${bins[i]!.toFixed(1)}–${Math.min(1, bins[i + 1]!).toFixed(1)}`.padEnd(12)} ${cell(d[i]!)}   ${cell(hRows[i]!).padStart(26)}`);
}
if (loso && !files.length) {
  out();
  out('Learned model, leave-one-set-out (each set scored by a model trained on the other dev sets; held-out sets are never trained on):');
  out('  the lexicon was fitted to the dev sets, so only its held-out figures and the model alone are unseen-text figures');
  out(`  ${'set'.padEnd(20)}    n   model alone   lexicon alone   lexicon + model   decided by the model (right)`);
  const agg = { dev: [0, 0, 0, 0, 0, 0], 'held-out': [0, 0, 0, 0, 0, 0] } as Record<string, number[]>;
  const t1 = Date.now();
  for (const s of sets) {
    const trainSets = dev.filter((o) => o !== s);
    const fold = compile(train(trainSets.flatMap((o) => linesOf.get(o)!).map((l) => ({ text: l.text, label: l.category })), [...CATEGORY_CODES], []));
    const lines = linesOf.get(s)!;
    let alone = 0, lex = 0, combo = 0, byModel = 0, byModelRight = 0;
    for (const l of lines) {
      const pr = predict(fold, l.text);
      let b = 0;
      for (let j = 1; j < pr.length; j++) if (pr[j]! > pr[b]!) b = j;
      if (fold.classes[b] === l.category) alone++;
      const opts = l.history ? { history: l.history } : {};
      const ul = understand(l.text, { ...opts, learned: null });
      const uc = understand(l.text, { ...opts, learned: fold });
      if (ul.category.code === l.category) lex++;
      if (uc.category.code === l.category) combo++;
      if (uc.category.code !== ul.category.code) {
        byModel++;
        if (uc.category.code === l.category) byModelRight++;
      }
    }
    const a = agg[s.role]!;
    [lines.length, alone, lex, combo, byModel, byModelRight].forEach((v, i) => (a[i]! += v));
    out(`  ${path.basename(s.file).padEnd(20)} ${String(lines.length).padStart(4)}   ${p(alone / lines.length).padStart(8)}      ${p(lex / lines.length).padStart(8)}        ${p(combo / lines.length).padStart(8)}          ${byModel} (${byModelRight})`);
  }
  for (const [role, a] of Object.entries(agg)) {
    if (!a[0]) continue;
    out(`  ${(role === 'dev' ? 'all dev sets (regression)' : 'held-out sets').padEnd(25)} ${String(a[0]).padStart(4)}  ${p(a[1]! / a[0]!).padStart(8)}      ${p(a[2]! / a[0]!).padStart(8)}        ${p(a[3]! / a[0]!).padStart(8)}          ${a[4]} (${a[5]})`);
  }
  out(`  (${sets.length} folds in ${((Date.now() - t1) / 1000).toFixed(0)} s)`);
}
if (devReport) {
  out();
  out('Top confusions, dev sets (expected → got):');
  for (const c of devReport.confusions.slice(0, 12)) out(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
  out();
  out(`Misses, dev sets (${devReport.misses.length}; showing ${Math.min(showMisses, devReport.misses.length)}):`);
  for (const m of devReport.misses.slice(0, showMisses)) {
    out(`  [${m.id}] ${m.field}: expected ${JSON.stringify(m.expected)} got ${JSON.stringify(m.got)}  «${m.text.slice(0, 60)}»`);
  }
}

// Every place dev set (place-dev-set.jsonl, place-dev-set-2.jsonl, …): one line per file, then all of them together.
const placeFiles = readdirSync(fixtures)
  .filter((f) => /^place-dev-set.*\.jsonl$/.test(f))
  .sort((a, b) => (a === 'place-dev-set.jsonl' ? -1 : b === 'place-dev-set.jsonl' ? 1 : a.localeCompare(b, 'en', { numeric: true })))
  .map((f) => path.join(fixtures, f));
if (!files.length && placeFiles.length) {
  let all: ReturnType<typeof parsePlaceDevSet> = [];
  out();
  out(`Place dev sets (${placeFiles.length} files):`);
  out(`  ${'file'.padEnd(24)} ${'n'.padStart(4)}  coverage (right/determinable)   wrong street   wrong district   false street`);
  for (const f of placeFiles) {
    const lines = parsePlaceDevSet(readFileSync(f, 'utf8'));
    all = all.concat(lines);
    const fr = evaluatePlaces(lines);
    const right = Math.round(fr.coverage * fr.determinable);
    out(
      `  ${path.basename(f).padEnd(24)} ${String(fr.total).padStart(4)}  ${p(fr.coverage).padStart(6)} (${right}/${fr.determinable})`.padEnd(63) +
        `${p(fr.wrongStreetRate).padStart(6)}         ${p(fr.wrongDistrictRate).padStart(6)}           ${p(fr.falseStreetRate).padStart(6)}`,
    );
  }
  const pr = evaluatePlaces(all);
  out(`Place dev sets overall: ${pr.total} expressions`);
  out(`  coverage          ${p(pr.coverage)}  (right street / ${pr.determinable} determinable)   target ≥ 85%`);
  out(`  wrong street      ${p(pr.wrongStreetRate)}  (${Math.round(pr.wrongStreetRate * pr.total)}/${pr.total})   target ≤ 1%`);
  out(`  wrong district    ${p(pr.wrongDistrictRate)}  (${Math.round(pr.wrongDistrictRate * pr.total)}/${pr.total})   target ≤ 1%`);
  out(`  district accuracy ${p(pr.districtAccuracy)}`);
  out(`  false street      ${p(pr.falseStreetRate)}  (a street given where the label says ask / no place)`);
  out(`  ${pr.microsPerResolve.toFixed(1)} µs per resolve`);
  const shown = pr.misses.slice(0, 15);
  if (shown.length) out(`  place misses (${pr.misses.length}; showing ${shown.length}):`);
  for (const m of shown) {
    out(`    ${m.error}: «${m.text.slice(0, 50)}» expected ${m.expected.street ?? m.expected.district ?? 'none'} got ${m.got.street ?? m.got.district ?? 'none'} (${m.got.method})`);
  }
}
