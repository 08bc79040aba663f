/**
 * `npm run eval [-- --misses N] [file.jsonl …]`: scores the understanding
 * pipeline on the dev set(s) and the place resolver on the place dev set.
 * Default files: test/fixtures/dev-set*.jsonl, and every
 * test/fixtures/place-dev-set*.jsonl (per file and overall).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseDevSet, scoreLines, type DevLine } from '../core/understanding/evaluate.js';
import { evaluatePlaces, parsePlaceDevSet } from '../core/understanding/place/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let showMisses = 40;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--misses') showMisses = Number(args[++i] ?? 40);
  else files.push(args[i]!);
}
const fixtures = path.join(root, 'test/fixtures');
const devFiles = files.length
  ? files
  : readdirSync(fixtures)
      .filter((f) => /^dev-set.*\.jsonl$/.test(f))
      .sort()
      .map((f) => path.join(fixtures, f));

process.stdout.on('error', () => process.exit(0)); // e.g. piped into `head`
const out = (s = '') => process.stdout.write(s + '\n');
const p = (x: number) => `${(x * 100).toFixed(1)}%`;

let lines: DevLine[] = [];
for (const f of devFiles) lines = lines.concat(parseDevSet(readFileSync(f, 'utf8')));

const t0 = process.hrtime.bigint();
const r = scoreLines(lines);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;

out(`Understanding dev set: ${lines.length} messages (${devFiles.map((f) => path.relative(root, f)).join(', ')}) in ${ms.toFixed(0)} ms`);
out(`  category        ${p(r.category.accuracy)}  (${r.category.right}/${r.total})   target ≥ 95%`);
out(`  district        ${p(r.district.accuracy)}  (${r.district.right}/${r.district.n})   target ≥ 98%`);
out(`  street          ${p(r.street.accuracy)}  (${r.street.right}/${r.street.n} labelled)   target ≥ 93%`);
out(`  needs_location  ${p(r.needsLocation.accuracy)}  (${r.needsLocation.right}/${r.total})   target ≥ 97%`);
out(`  urgent          P ${p(r.urgent.precision)}  R ${p(r.urgent.recall)}  F1 ${r.urgent.f1.toFixed(3)}  (tp ${r.urgent.tp}, fp ${r.urgent.fp}, fn ${r.urgent.fn})   target F1 ≥ 0.90`);
if (devFiles.length > 1) {
  out('  per file:');
  for (const f of devFiles) {
    const fr = scoreLines(parseDevSet(readFileSync(f, 'utf8')));
    out(
      `    ${path.basename(f).padEnd(22)} n=${String(fr.total).padStart(4)}  category ${p(fr.category.accuracy).padStart(6)}  street ${p(fr.street.accuracy).padStart(6)}  needs_location ${p(fr.needsLocation.accuracy).padStart(6)}  urgent F1 ${fr.urgent.f1.toFixed(3)}`,
    );
  }
}
out();
out('Top confusions (expected → got):');
for (const c of r.confusions.slice(0, 12)) out(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
out();
out(`Misses (${r.misses.length}; showing ${Math.min(showMisses, r.misses.length)}):`);
for (const m of r.misses.slice(0, showMisses)) {
  out(`  [${m.id}] ${m.field}: expected ${JSON.stringify(m.expected)} got ${JSON.stringify(m.got)}  «${m.text.slice(0, 60)}»`);
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
