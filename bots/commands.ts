/**
 * Text and slash commands, one table for every channel: `/resolve 2611250001
 * 已清理` on Telegram and `办结 2611250001 已清理` in a WeCom chat parse to the
 * same command. Platform adapters only split off a leading slash command.
 */
import type { InboundMessage } from '../core/channel.js';

export const COMMAND_WORDS: Record<string, string[]> = {
  start: ['start', '开始'],
  help: ['help', '帮助', '菜单'],
  my: ['my', '我的', '我的诉求'],
  bind: ['bind', '绑定'],
  accept: ['accept', '签收', '接单'],
  progress: ['progress', '进展', '进度'],
  resolve: ['resolve', '办结', '答复'],
  extend: ['extend', '延期'],
  ask: ['ask', '询问'],
  return: ['return', '退单', '退回'],
  report: ['report', '报到'],
  done: ['done', '完成'],
  whistle: ['whistle', '吹哨'],
  rollcall: ['rollcall', '点名'],
  dispatch: ['dispatch', '派单', '改派'],
  review: ['review', '审核'],
  overdue: ['overdue', '超期', '督办'],
  stats: ['stats', '统计', '排名'],
  hotspots: ['hotspots', '热点'],
  card: ['card', '卡片'],
  rate: ['rate', '评价'],
  withdraw: ['withdraw', '撤回'],
  contact: ['contact', '联系方式'],
  area_open: ['open', '片区', '辖区诉求'],
  call: ['call', '联系市民'],
  contacted: ['contacted', '已联系'],
};

const WORD_TO_COMMAND = new Map<string, string>(Object.entries(COMMAND_WORDS).flatMap(([name, words]) => words.map((w) => [w.toLowerCase(), name] as const)));

export interface ParsedCommand {
  name: string;
  args: string;
  /** true when it came as a slash command */
  slash: boolean;
}

/** Text commands whose argument is free text (a place, a month, a code): taken so only from staff and groups. */
const FREE_ARGS = new Set(['whistle', 'stats', 'hotspots', 'rollcall', 'bind']);
/** A one-time bind code (core/org/bind-code.ts), which anyone may send after 绑定. */
const BIND_CODE = /^[A-HJ-NP-Z2-9]{6,12}$/;

export interface ParseOptions {
  /** the sender is registered staff, or writes in a group or a staff-only channel */
  staff?: boolean;
}

/**
 * A slash command from the adapter, or a text command: the message is a keyword alone (`我的`,
 * `help`), or a keyword followed by a number (`签收 2611250001`, `办结 2611250001 已清理`,
 * `报到 W2611250001`). A resident's sentence that starts with a keyword ("My neighbour collapsed…")
 * is a message. Staff also give a place or a month to a few verbs (`吹哨 三里屯 住建`, `统计 2026-10`).
 */
export function parseCommand(msg: Pick<InboundMessage, 'command' | 'text'>, opts: ParseOptions = {}): ParsedCommand | null {
  if (msg.command) {
    const name = WORD_TO_COMMAND.get(msg.command.name.toLowerCase()) ?? msg.command.name.toLowerCase();
    return { name, args: msg.command.args.trim(), slash: true };
  }
  const text = (msg.text ?? '').trim();
  const alone = WORD_TO_COMMAND.get(text.replace(/[\s!?.。！？~～]+$/u, '').toLowerCase());
  if (alone) return { name: alone, args: '', slash: false };
  const numbered = /^([^\s\d]+?)\s*(W?\d+)(?:\s+([\s\S]*))?$/i.exec(text);
  const byNumber = numbered && WORD_TO_COMMAND.get(numbered[1]!.toLowerCase());
  if (byNumber) return { name: byNumber, args: [numbered[2]!.toUpperCase(), numbered[3]?.trim()].filter(Boolean).join(' '), slash: false };
  const free = /^(\S+)\s+([\s\S]+)$/.exec(text);
  const name = free && WORD_TO_COMMAND.get(free[1]!.toLowerCase());
  if (!free || !name) return null;
  const args = free[2]!.trim();
  if ((opts.staff && FREE_ARGS.has(name)) || (name === 'bind' && BIND_CODE.test(args))) return { name, args, slash: false };
  return null;
}

/** `2611250001 rest of text` → number and rest. */
export function splitNumber(args: string): { number: string | null; rest: string } {
  const m = /^\s*(W?\d{10,11})\b\s*([\s\S]*)$/i.exec(args);
  return m ? { number: m[1]!.toUpperCase(), rest: m[2]!.trim() } : { number: null, rest: args.trim() };
}

/** `30分钟`, `30min`, `1小时`, `2h`, or a bare number of minutes. */
export function parseDuration(token: string): number | null {
  const m = /^(\d{1,4})\s*(分钟|分|min|mins|minutes|m|小时|h|hours?)?$/i.exec(token.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'min').toLowerCase();
  return /^(小时|h|hour|hours)$/.test(unit) ? n * 3_600_000 : n * 60_000;
}
