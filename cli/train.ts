/**
 * `npm run train`: trains the learned category model (core/understanding/model/linear.ts) on every
 * labelled set that test/fixtures/sets.json marks `dev`, never on a held-out set, and writes
 * core/understanding/model/model.json. Deterministic: the same sets give the same file.
 * (Dispatcher corrections will join the training data once the dispatch desk stores them.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { train } from '../core/understanding/model/linear.js';
import { CATEGORY_CODES } from '../core/understanding/taxonomy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'test/fixtures');
const sets = (JSON.parse(readFileSync(path.join(fixtures, 'sets.json'), 'utf8')) as { sets: { file: string; role: string }[] }).sets.filter((s) => s.role === 'dev');
const examples = sets.flatMap((s) =>
  readFileSync(path.join(fixtures, s.file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as { text: string; category: string })
    .map((l) => ({ text: l.text, label: l.category })),
);
const t0 = Date.now();
const model = train(examples, [...CATEGORY_CODES], sets.map((s) => s.file));
const out = path.join(root, 'core/understanding/model/model.json');
writeFileSync(out, JSON.stringify(model) + '\n');
process.stdout.write(`trained on ${examples.length} messages from ${sets.length} sets in ${Date.now() - t0} ms: ${model.features.length} features → ${path.relative(root, out)}\n`);
