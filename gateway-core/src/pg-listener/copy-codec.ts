/**
 * COPY text and CSV rows, as PostgreSQL writes them (copyto.c) and reads them (copyfromparse.c):
 * find where a row ends, split it into fields, decode a field to its value, encode a value back.
 *
 * - text: fields separated by the delimiter; backslash escapes (`\\`, `\t`, `\n`, `\r`, `\b`,
 *   `\f`, `\v`, octal `\NNN`, hex `\xHH`, `\` + any other character = that character); a field
 *   that is exactly the NULL string (before unescaping) is NULL.
 * - CSV: quotes may open and close anywhere in a field; inside quotes the escape character before
 *   a quote or escape character makes it literal; an unquoted field equal to the NULL string is
 *   NULL. Rows end at a newline outside quotes (a quoted value may contain newlines).
 *
 * Row ends are found in the bytes; a row is then decoded to a string once and split and
 * re-encoded as a string (a Buffer per field cost more than the masking itself). The delimiter,
 * quote and escape are single ASCII characters, which never occur inside a multi-byte UTF-8
 * sequence nor as a UTF-16 code unit of a non-ASCII character, so scanning bytes or code units
 * finds the same places.
 */
import type { CopyFormat } from './copy-plan.js';

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

export interface CopyField {
  start: number;
  end: number;
  /** CSV: the field had a quoted section (so it is never NULL). */
  quoted: boolean;
}

/**
 * The index of the newline that ends the row starting at `from`, or -1 when the buffer ends
 * first (the row continues in the next CopyData message).
 */
export function rowEnd(buf: Buffer, from: number, f: CopyFormat): number {
  // Newlines are found natively (indexOf); what remains is whether one is escaped or quoted.
  if (!f.csv) {
    // Escaped iff an odd run of backslashes precedes it (each backslash takes the next byte).
    for (let lf = buf.indexOf(LF, from); lf >= 0; lf = buf.indexOf(LF, lf + 1)) {
      let run = 0;
      while (lf - run - 1 >= from && buf[lf - run - 1] === BACKSLASH) run++;
      if (run % 2 === 0) return lf;
    }
    return -1;
  }
  if (f.escape === f.quote) {
    // Inside quotes iff an odd number of quote bytes precedes it in the row (`""` toggles twice).
    let quotes = 0;
    let q = buf.indexOf(f.quote, from);
    for (let lf = buf.indexOf(LF, from); lf >= 0; lf = buf.indexOf(LF, lf + 1)) {
      while (q >= 0 && q < lf) {
        quotes++;
        q = buf.indexOf(f.quote, q + 1);
      }
      if (quotes % 2 === 0) return lf;
    }
    return -1;
  }
  let inQuote = false;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]!;
    if (inQuote) {
      if (c === f.escape && i + 1 < buf.length && (buf[i + 1] === f.quote || buf[i + 1] === f.escape)) i++;
      else if (c === f.quote) inQuote = false;
    } else if (c === f.quote) inQuote = true;
    else if (c === LF) return i;
  }
  return -1;
}

/** The fields of one row (newline excluded). */
export function splitFields(row: string, f: CopyFormat): CopyField[] {
  const fields: CopyField[] = [];
  const end = row.length;
  if (!row.includes(String.fromCharCode(f.csv ? f.quote : BACKSLASH))) {
    // Nothing escaped or quoted (most rows): every delimiter is a boundary.
    const d = String.fromCharCode(f.delimiter);
    let start = 0;
    for (let i = row.indexOf(d); i >= 0; i = row.indexOf(d, i + 1)) {
      fields.push({ start, end: i, quoted: false });
      start = i + 1;
    }
    fields.push({ start, end, quoted: false });
    return fields;
  }
  let fieldStart = 0;
  let quoted = false;
  let inQuote = false;
  for (let i = 0; i < end; i++) {
    const c = row.charCodeAt(i);
    if (!f.csv) {
      if (c === BACKSLASH) i++;
      else if (c === f.delimiter) {
        fields.push({ start: fieldStart, end: i, quoted: false });
        fieldStart = i + 1;
      }
      continue;
    }
    if (inQuote) {
      if (c === f.escape && f.escape !== f.quote && i + 1 < end && (row.charCodeAt(i + 1) === f.quote || row.charCodeAt(i + 1) === f.escape)) i++;
      else if (c === f.quote) inQuote = false;
    } else if (c === f.quote) {
      inQuote = true;
      quoted = true;
    } else if (c === f.delimiter) {
      fields.push({ start: fieldStart, end: i, quoted });
      fieldStart = i + 1;
      quoted = false;
    }
  }
  fields.push({ start: fieldStart, end, quoted });
  return fields;
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A field's value, or null for NULL. */
export function decodeField(row: string, field: CopyField, f: CopyFormat): string | null {
  const raw = row.slice(field.start, field.end);
  if (!field.quoted && raw === f.nullText) return null;
  if (!f.csv) {
    if (!raw.includes('\\')) return raw;
    // Octal and hex escapes name bytes (possibly parts of one UTF-8 character): decode as bytes.
    if (/\\(?:[0-7]|x[0-9A-Fa-f])/.test(raw)) return decodeTextBytes(Buffer.from(raw, 'utf8'));
    return raw.replace(/\\(.)/gs, (_, c: string) => TEXT_ESCAPES[c] ?? c);
  }
  const quote = String.fromCharCode(f.quote);
  if (!raw.includes(quote)) return raw;
  const escape = String.fromCharCode(f.escape);
  let out = '';
  let inQuote = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inQuote) {
      // PostgreSQL tests the escape before the closing quote, so with escape = quote `""` is one quote.
      if (c === escape && i + 1 < raw.length && (raw[i + 1] === quote || raw[i + 1] === escape)) out += raw[++i];
      else if (c === quote) inQuote = false;
      else out += c;
    } else if (c === quote) inQuote = true;
    else out += c;
  }
  return out;
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;
const hexValue = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
};
const BYTE_ESCAPES: Readonly<Record<number, number>> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: LF, 0x72: CR, 0x74: 0x09, 0x76: 0x0b };

function decodeTextBytes(buf: Buffer): string {
  const out = Buffer.allocUnsafe(buf.length);
  let n = 0;
  const end = buf.length;
  for (let i = 0; i < end; i++) {
    const c = buf[i]!;
    if (c !== BACKSLASH || i + 1 >= end) {
      out[n++] = c;
      continue;
    }
    const e = buf[++i]!;
    if (isOctal(e)) {
      let v = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < end && isOctal(buf[i + 1]); k++) v = v * 8 + (buf[++i]! - 0x30);
      out[n++] = v & 0xff;
    } else if (e === 0x78 && i + 1 < end && hexValue(buf[i + 1]) >= 0) {
      let v = hexValue(buf[++i]);
      if (i + 1 < end && hexValue(buf[i + 1]) >= 0) v = v * 16 + hexValue(buf[++i]);
      out[n++] = v;
    } else out[n++] = BYTE_ESCAPES[e] ?? e;
  }
  return out.toString('utf8', 0, n);
}

const TEXT_SPECIAL = /[\\\n\r\t\b\f\v]/;
const TEXT_NAMES: Readonly<Record<string, string>> = { '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f', '\v': 'v' };

/**
 * A value encoded as COPY writes it. CSV quotes when the original field was quoted (FORCE_QUOTE),
 * when the value equals the NULL string, is `\.` alone on a line, or holds a delimiter, quote,
 * newline or carriage return.
 */
export function encodeField(value: string | null, f: CopyFormat, wasQuoted: boolean, singleColumn: boolean): string {
  if (value === null) return f.nullText;
  const delimiter = String.fromCharCode(f.delimiter);
  if (!f.csv) {
    if (!TEXT_SPECIAL.test(value) && !value.includes(delimiter)) return value;
    let out = '';
    for (const c of value) {
      const name = TEXT_NAMES[c];
      out += name !== undefined ? `\\${name}` : c === '\\' || c === delimiter ? `\\${c}` : c;
    }
    return out;
  }
  const quote = String.fromCharCode(f.quote);
  const escape = String.fromCharCode(f.escape);
  const needs = wasQuoted || value === f.nullText || (singleColumn && value === '\\.') || value.includes(delimiter) || value.includes(quote) || value.includes('\n') || value.includes('\r');
  if (!needs) return value;
  let out = quote;
  for (const c of value) out += c === quote || c === escape ? escape + c : c;
  return out + quote;
}
