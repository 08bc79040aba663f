/**
 * A learned category model beside the lexicon (issue 19): character n-grams of the normalised text
 * (Chinese uni-, bi- and trigrams; English words, word pairs and five-letter stems) and a multinomial
 * logistic regression, trained by `npm run train` on the labelled sets fitted to (never on a held-out
 * set), deterministic (fixed order, fixed seed, no floating-point races), shipped as model.json.
 * Embedded, no network. Prediction is a few hundred map lookups and additions per message.
 */
import { normalize } from '../normalize.js';

export interface LinearModel {
  version: 1;
  classes: string[];
  features: string[];
  /** per class: bias */
  bias: number[];
  /** row-major [feature][class], int8 quantised, base64 */
  weights: string;
  /** weight = int8 × scale */
  scale: number;
  trainedOn: string[];
  trainedAt?: string;
}

const isCjk = (c: number) => c >= 0x4e00 && c <= 0x9fff;

/** The features of one message (deduplicated): what the model and its trainer see. */
export function featuresOf(text: string): string[] {
  const t = normalize(text);
  const out = new Set<string>();
  const n = Math.min(t.length, 600);
  let run = '';
  const flush = () => {
    for (let i = 0; i < run.length; i++) {
      out.add(run[i]!);
      if (i + 1 < run.length) out.add(run.slice(i, i + 2));
      if (i + 2 < run.length) out.add(run.slice(i, i + 3));
    }
    run = '';
  };
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (isCjk(c)) run += t[i];
    else if (run) flush();
  }
  if (run) flush();
  const words = t.slice(0, n).match(/[a-z][a-z0-9']*/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.length < 2) continue;
    out.add(`w:${w}`);
    if (w.length > 5) out.add(`s:${w.slice(0, 5)}`);
    const next = words[i + 1];
    if (next) out.add(`b:${w} ${next}`);
  }
  return [...out];
}

export interface Compiled {
  classes: string[];
  index: Map<string, number>;
  w: Float32Array; // [feature * nClass + class]
  bias: Float32Array;
}

export function compile(m: LinearModel): Compiled {
  const k = m.classes.length;
  const raw = Buffer.from(m.weights, 'base64');
  const w = new Float32Array(m.features.length * k);
  for (let i = 0; i < w.length; i++) w[i] = ((raw[i]! << 24) >> 24) * m.scale;
  return { classes: m.classes, index: new Map(m.features.map((f, i) => [f, i])), w, bias: Float32Array.from(m.bias) };
}

/** Class probabilities (softmax), in `classes` order. */
export function predict(c: Compiled, text: string): Float64Array {
  const k = c.classes.length;
  const z = new Float64Array(k);
  for (let j = 0; j < k; j++) z[j] = c.bias[j]!;
  const feats = featuresOf(text);
  const ids: number[] = [];
  for (const f of feats) {
    const id = c.index.get(f);
    if (id !== undefined) ids.push(id);
  }
  const norm = ids.length ? 1 / Math.sqrt(ids.length) : 0;
  for (const id of ids) {
    const base = id * k;
    for (let j = 0; j < k; j++) z[j]! += c.w[base + j]! * norm;
  }
  let max = -Infinity;
  for (let j = 0; j < k; j++) if (z[j]! > max) max = z[j]!;
  let sum = 0;
  for (let j = 0; j < k; j++) sum += z[j] = Math.exp(z[j]! - max);
  for (let j = 0; j < k; j++) z[j]! /= sum;
  return z;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrainOptions {
  epochs?: number;
  lr?: number;
  l2?: number;
  minCount?: number;
  seed?: number;
}

/** Train on labelled examples. Same input, same options → the same model, byte for byte. */
export function train(examples: { text: string; label: string }[], classes: string[], trainedOn: string[], o: TrainOptions = {}): LinearModel {
  const { epochs = 12, lr = 0.4, l2 = 1e-5, minCount = 2, seed = 19 } = o;
  const k = classes.length;
  const cls = new Map(classes.map((c, i) => [c, i]));
  const feats = examples.map((e) => featuresOf(e.text));
  const count = new Map<string, number>();
  for (const fs of feats) for (const f of fs) count.set(f, (count.get(f) ?? 0) + 1);
  const features = [...count.entries()].filter(([, n]) => n >= minCount).map(([f]) => f).sort();
  const index = new Map(features.map((f, i) => [f, i]));
  const rows = feats.map((fs) => fs.map((f) => index.get(f)).filter((x): x is number => x !== undefined).sort((a, b) => a - b));
  const y = examples.map((e) => cls.get(e.label) ?? cls.get('other')!);
  const w = new Float64Array(features.length * k);
  const g2 = new Float64Array(features.length * k).fill(1e-8);
  const bias = new Float64Array(k);
  const bg2 = new Float64Array(k).fill(1e-8);
  const order = examples.map((_, i) => i);
  const rand = rng(seed);
  const z = new Float64Array(k);
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const ids = rows[n]!;
      const norm = ids.length ? 1 / Math.sqrt(ids.length) : 0;
      for (let j = 0; j < k; j++) z[j] = bias[j]!;
      for (const id of ids) for (let j = 0; j < k; j++) z[j]! += w[id * k + j]! * norm;
      let max = -Infinity;
      for (let j = 0; j < k; j++) if (z[j]! > max) max = z[j]!;
      let sum = 0;
      for (let j = 0; j < k; j++) sum += z[j] = Math.exp(z[j]! - max);
      for (let j = 0; j < k; j++) {
        const grad = z[j]! / sum - (j === y[n] ? 1 : 0);
        bg2[j]! += grad * grad;
        bias[j]! -= (lr * grad) / Math.sqrt(bg2[j]!);
        for (const id of ids) {
          const q = id * k + j;
          const gq = grad * norm + l2 * w[q]!;
          g2[q]! += gq * gq;
          w[q]! -= (lr * gq) / Math.sqrt(g2[q]!);
        }
      }
    }
  }
  let maxAbs = 1e-9;
  for (const v of w) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  const scale = maxAbs / 127;
  const q = Buffer.alloc(w.length);
  for (let i = 0; i < w.length; i++) q.writeInt8(Math.max(-127, Math.min(127, Math.round(w[i]! / scale))), i);
  return { version: 1, classes, features, bias: [...bias].map((b) => Math.round(b * 1e6) / 1e6), weights: q.toString('base64'), scale, trainedOn };
}
