/** RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF. */
import type { MaskedCell } from '../contract/sql-schemas.js';

export function csvField(value: string | null): string {
  // NULL is an empty field; an empty string is quoted, so the two stay distinguishable.
  if (value === null) return '';
  if (value === '' || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

export function csvLine(values: readonly (string | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvRows(rows: readonly (readonly MaskedCell[])[]): string {
  let out = '';
  for (const row of rows) out += csvLine(row.map((c) => c.v));
  return out;
}
