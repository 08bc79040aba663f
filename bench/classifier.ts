/**
 * Embedded understanding throughput: `understand()` (classifier, place,
 * urgency, triage, PII) over the dev set's messages on one core.
 * `npx tsx bench/classifier.ts` prints msgs/s; `benchClassifier()` is used by `npm run bench`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { understand } from '../core/understanding/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ClassifierBench {
  /** Messages per second of CPU time of this (single-threaded) process: robust to other load on the machine. */
  messagesPerSecond: number;
  /** Messages per second of wall-clock time. */
  wallMessagesPerSecond: number;
  messages: number;
  seconds: number;
}

export async function benchClassifier(opts: { seconds?: number } = {}): Promise<ClassifierBench> {
  const texts = readFileSync(path.join(root, 'test/fixtures/dev-set.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const seconds = opts.seconds ?? 3;
  // Warm up the JIT before measuring.
  const warmUntil = performance.now() + 500;
  while (performance.now() < warmUntil) for (const t of texts) understand(t);
  let n = 0;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (const t of texts) sink += understand(t).category.confidence;
    n += texts.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return {
    messagesPerSecond: Math.round(n / Math.max(cpuSeconds, 1e-6)),
    wallMessagesPerSecond: Math.round(n / elapsed),
    messages: n,
    seconds: Math.round(elapsed * 100) / 100,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchClassifier();
  process.stdout.write(
    `classifier: ${r.messagesPerSecond} msgs/s per CPU-second on one core (wall clock ${r.wallMessagesPerSecond} msgs/s; ${r.messages} messages in ${r.seconds} s; target ≥ 20000)\n`,
  );
}
