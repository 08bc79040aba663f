/**
 * Org administration.
 *
 *   npm run org -- seed                     reference data + default org (16 districts, 343 streets, city enterprises)
 *   npm run org -- import FILE [--dry-run]  import an org file (docs/org-file.md); all or nothing, idempotent
 *   npm run org -- export [FILE]            write the whole org as an org file (stdout without FILE)
 *   npm run org -- bind-code <unitId|areaCode>   one-time code (24 h) to bind a chat: /bind CODE
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../core/config.js';
import { createDb } from '../core/db.js';
import { AppError } from '../core/errors.js';
import { createBindCode, exportOrg, importOrg, OrgFileError, resolveBindTarget, seedDefaultOrg, seedReferenceData } from '../core/org/index.js';
import type { SyncCounts } from '../core/org/index.js';
import { CHAT_ID_RULES } from '../adapters/chat-ids.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const counts = (c: SyncCounts) => `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;
const USAGE = 'usage: npm run org -- seed | import FILE [--dry-run] | export [FILE] | bind-code <unitId|areaCode>';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const args = rest.filter((a) => !a.startsWith('--'));
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  if (!cmd || cmd === 'help' || cmd === '--help') {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig();
  const db = createDb({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, poolMax: 2, connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS });
  try {
    switch (cmd) {
      case 'seed': {
        const r = await seedDefaultOrg(db);
        out(`areas: ${counts(r.reference.areas)}\ncategories: ${counts(r.reference.categories)}`);
        out(`department types: ${counts(r.reference.departmentTypes)}\nunits: ${counts(r.units)}\nrouting rules: ${counts(r.rules)}`);
        return 0;
      }
      case 'import': {
        const file = args[0];
        if (!file) {
          out(USAGE);
          return 2;
        }
        const text = await readFile(file, 'utf8');
        await seedReferenceData(db); // areas and categories the file refers to
        const r = await importOrg(db, text, { fileName: path.basename(file), dryRun: flags.has('--dry-run'), chatIds: CHAT_ID_RULES });
        out(`${r.dryRun ? 'dry run, nothing written. ' : ''}units: ${counts(r.units)}`);
        out(`staff: ${counts(r.staff)}\nbindings: ${counts(r.bindings)}\nroutes: ${counts(r.routes)}`);
        return 0;
      }
      case 'export': {
        const text = await exportOrg(db);
        if (args[0]) {
          await writeFile(args[0], text);
          out(`wrote ${args[0]}`);
        } else {
          process.stdout.write(text);
        }
        return 0;
      }
      case 'bind-code': {
        const target = args[0];
        if (!target) {
          out(USAGE);
          return 2;
        }
        const { code, expiresAt } = await createBindCode(db, await resolveBindTarget(db, target));
        out(`${code}\nvalid until ${expiresAt.toISOString()}; in the group chat send: /bind ${code}`);
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } finally {
    await db.$disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): a piped stdout (export | less) must be flushed first
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof OrgFileError || err instanceof AppError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
