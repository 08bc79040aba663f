/**
 * CSV export of any table: RFC 4180 (CRLF line ends, fields with a comma,
 * quote, CR or LF quoted, quotes doubled) with a UTF-8 byte-order mark so
 * Excel opens Chinese text correctly. Cells that start with = + - @ would be
 * run as formulas by spreadsheet programs; they get a leading apostrophe
 * (numbers stay numbers).
 */
export interface CsvColumn<T> {
  header: string;
  /** property name or a function producing the cell */
  value: keyof T | ((row: T) => unknown);
}

const BOM = '\uFEFF';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?%?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[], opts: { bom?: boolean } = {}): string {
  const lines = [columns.map((c) => cell(c.header)).join(',')];
  for (const row of rows) {
    lines.push(columns.map((c) => cell(typeof c.value === 'function' ? c.value(row) : row[c.value])).join(','));
  }
  return (opts.bom === false ? '' : BOM) + lines.join('\r\n') + '\r\n';
}
