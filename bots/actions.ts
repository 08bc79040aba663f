/**
 * Button data: a short verb and its arguments, `verb:arg:arg`, always within
 * Telegram's 64-byte callback_data limit. Unknown or malformed data decodes to
 * null and gets a polite answer, never an exception.
 */
export const VERBS = {
  acc: 'accept',
  prg: 'progress',
  res: 'resolve',
  ext: 'extend',
  ret: 'return',
  rep: 'whistle_report',
  fin: 'whistle_done',
  ra: 'approve_return',
  rr: 'refuse_return',
  oa: 'approve_reopen',
  od: 'decline_reopen',
  mg: 'merge',
  wh: 'whistle',
  rc: 'rate_contacted',
  rs: 'rate_solved',
  rf: 'rate_satisfaction',
  pl: 'place',
  lang: 'language',
  wd: 'withdraw',
  ad: 'add_info',
  cmd: 'suggested_command',
  /** same problem (s) or a new one (n), asked about an open petition */
  rp: 'repeat_choice',
  xa: 'approve_extension',
  xr: 'refuse_extension',
  sc: 'steward_category',
  sp: 'steward_place',
  sk: 'steward_file',
  ph: 'reveal_phone',
  ct: 'contacted',
} as const;

export type Verb = keyof typeof VERBS;
const MAX_BYTES = 64;

export function encodeAction(verb: Verb, ...args: string[]): string {
  const data = [verb, ...args].join(':');
  if (Buffer.byteLength(data) > MAX_BYTES) throw new Error(`button data over ${MAX_BYTES} bytes: ${verb}`);
  return data;
}

export function decodeAction(data: string): { verb: Verb; args: string[] } | null {
  if (!data || Buffer.byteLength(data) > MAX_BYTES) return null;
  const [verb, ...args] = data.split(':');
  if (!verb || !(verb in VERBS)) return null;
  return { verb: verb as Verb, args };
}
