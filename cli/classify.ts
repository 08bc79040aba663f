/**
 * `npm run classify [-- --llm]` (also `npx shaosheng classify`): JSON lines
 * {"id","text"[,"history"]} on stdin → one JSON line per input on stdout:
 * {"id","category","district","street","urgent","needs_location", …}.
 * A bad line → {"id","error"} on stderr, and the run continues; the exit code
 * is 1 if any line failed. Streams: memory stays flat for any number of lines.
 * `--llm` uses the LLM configured by LLM_BASE_URL / LLM_API_KEY / LLM_MODEL.
 */
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/log.js';
import { understand, type Understanding } from '../core/understanding/index.js';
import { understandWithLlm, type LlmSettings } from '../core/understanding/llm.js';

function outputLine(id: unknown, u: Understanding): string {
  return JSON.stringify({
    id,
    category: u.category.code,
    district: u.place.districtCode,
    street: u.place.streetCode,
    urgent: u.urgency.urgent,
    needs_location: u.needsLocation,
    confidence: u.category.confidence,
    runner_up: u.category.runnerUp?.code ?? null,
    urgency: u.urgency.class,
    triage: u.triage.kind,
    needs_more_info: u.needsMoreInfo,
    intent: u.intent,
    place_method: u.place.method,
    community: u.place.community,
    candidates: u.place.candidates.length > 1 && !u.place.streetCode ? u.place.candidates.map((c) => c.streetCode ?? c.districtCode) : undefined,
    question: u.question?.field,
    summary: u.summary,
    personal_data: u.personalData.length ? u.personalData : undefined,
    source: u.source,
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const useLlm = args.includes('--llm');
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'classify' }, process.stderr);
  let llm: LlmSettings | null = null;
  if (useLlm) {
    if (!config.LLM_BASE_URL) {
      process.stderr.write(JSON.stringify({ id: null, error: '--llm needs LLM_BASE_URL' }) + '\n');
      return 2;
    }
    llm = { baseURL: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY ?? 'none', model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES };
  }

  let failed = 0;
  const write = async (s: string) => {
    if (!process.stdout.write(s + '\n')) await once(process.stdout, 'drain');
  };
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let id: unknown = null;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('line is not a JSON object');
      const rec = parsed as { id?: unknown; text?: unknown; history?: unknown };
      id = rec.id ?? null;
      if (typeof rec.text !== 'string') throw new Error('"text" must be a string');
      const history = Array.isArray(rec.history) ? rec.history.filter((h): h is string => typeof h === 'string') : undefined;
      const opts = history ? { history } : {};
      const u = llm ? await understandWithLlm(rec.text, opts, llm, logger) : understand(rec.text, opts);
      await write(outputLine(id, u));
    } catch (err) {
      failed++;
      const message = err instanceof SyntaxError ? `line ${lineNo}: invalid JSON` : `line ${lineNo}: ${(err as Error).message}`;
      process.stderr.write(JSON.stringify({ id, error: message }) + '\n');
    }
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(JSON.stringify({ id: null, error: (err as Error).message }) + '\n');
    process.exitCode = 2;
  },
);
