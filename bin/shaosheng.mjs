#!/usr/bin/env node
// Launcher: `npx shaosheng <command> [args]` runs cli/<command>.ts through tsx
// (e.g. `npx shaosheng classify < in.jsonl > out.jsonl`).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
const commands = readdirSync(path.join(root, 'cli'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));

if (!command || command === '--help' || command === '-h' || !/^[a-z][a-z0-9-]*$/.test(command) || !commands.includes(command)) {
  process.stderr.write(`usage: shaosheng <command> [args]\ncommands: ${commands.join(', ')}\n`);
  process.exit(command && command !== '--help' && command !== '-h' ? 2 : 0);
}

const script = path.join(root, 'cli', `${command}.ts`);
const tsx = pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('tsx')).href;
if (!existsSync(script)) process.exit(2);
const child = spawn(process.execPath, ['--import', tsx, script, ...args], { stdio: 'inherit', cwd: process.cwd() });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
