/**
 * What a guarded COPY statement asks for, read from libpg-query's AST: only `COPY table [(cols)]
 * TO STDOUT` and `COPY (query) TO STDOUT` in text or CSV format run on the local port.
 *
 * - COPY FROM STDIN writes, and its rows would reach the table without passing the guard; COPY to
 *   or from a server file or PROGRAM never involves the client (the guard calls them dangerous).
 *   They are refused here whatever the role's class policy says.
 * - BINARY format is refused: Gatehouse masks values as text, and a masked value has no binary form.
 * - Every option must be one the row parser understands (anything else is refused before it runs),
 *   because the CopyData rows are parsed with exactly these options and masked column by column.
 *
 * The result says which SQL, when described upstream, names the COPY's output columns (the
 * inner query's own text, or a SELECT of the listed columns), so column rules apply by identity.
 */
import { parseSync, scanSync } from 'libpg-query';

export interface CopyFormat {
  csv: boolean;
  header: boolean;
  /** Single bytes (ASCII), as PostgreSQL requires. */
  delimiter: number;
  quote: number;
  escape: number;
  /** The NULL marker as it appears in the data. */
  nullText: string;
}

export interface CopyRequest {
  format: CopyFormat;
  /** Described upstream (Parse + Describe) to learn each output column's table OID and attnum. */
  describeSql: string;
  /** `COPY table` without a column list: the table's generated columns are not copied. */
  skipGenerated: boolean;
}

export type CopyAnalysis = { ok: true; copy: CopyRequest } | { ok: false; reason: string };

type Ast = Readonly<Record<string, unknown>>;

const isObj = (v: unknown): v is Ast => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Analyses a text that the guard classified as exactly one CopyStmt. */
export function analyzeCopy(sql: string): CopyAnalysis {
  let node: Ast | undefined;
  try {
    const stmt: unknown = parseSync(sql).stmts?.[0]?.stmt;
    node = isObj(stmt) && isObj(stmt['CopyStmt']) ? stmt['CopyStmt'] : undefined;
  } catch {
    node = undefined;
  }
  if (!node) return refuse('Gatehouse could not read this COPY statement');
  if (node['is_from'] === true) return refuse('COPY FROM is not available through the Gatehouse local port: rows would reach the table without passing the guard');
  if (node['is_program'] === true) return refuse('COPY … PROGRAM is not available through the Gatehouse local port');
  if (typeof node['filename'] === 'string') return refuse('COPY to a server file is not available through the Gatehouse local port; use COPY … TO STDOUT');

  const format = readOptions(Array.isArray(node['options']) ? node['options'] : []);
  if ('reason' in format) return refuse(format.reason);

  if (node['query'] !== undefined) {
    const inner = innerQueryText(sql);
    if (inner === null) return refuse('Gatehouse could not find the query of this COPY');
    return { ok: true, copy: { format, describeSql: inner, skipGenerated: false } };
  }
  const rel = isObj(node['relation']) ? node['relation'] : undefined;
  const relname = rel?.['relname'];
  if (!rel || typeof relname !== 'string') return refuse('Gatehouse could not read the table of this COPY');
  const name = [rel['catalogname'], rel['schemaname'], relname].filter((p): p is string => typeof p === 'string').map(quoteIdent).join('.');
  const cols: string[] = [];
  for (const item of Array.isArray(node['attlist']) ? node['attlist'] : []) {
    const s = isObj(item) && isObj(item['String']) ? item['String']['sval'] : undefined;
    if (typeof s !== 'string') return refuse('Gatehouse could not read the column list of this COPY');
    cols.push(quoteIdent(s));
  }
  // The same columns in the same order as COPY sends them (a Describe runs nothing).
  const describeSql = `SELECT ${cols.length > 0 ? cols.join(', ') : '*'} FROM ${name}`;
  return { ok: true, copy: { format, describeSql, skipGenerated: cols.length === 0 } };
}

function refuse(reason: string): CopyAnalysis {
  return { ok: false, reason };
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** The text between COPY's opening parenthesis and its match, from the real scanner's tokens. */
function innerQueryText(sql: string): string | null {
  const bytes = Buffer.from(sql, 'utf8');
  // Comments are tokens too (types 275, 276); only the statement's own tokens count.
  const tokens = (scanSync(sql).tokens ?? []).filter((t) => t.tokenType !== 275 && t.tokenType !== 276);
  if (tokens[0]?.text.toUpperCase() !== 'COPY' || tokens[1]?.text !== '(') return null;
  let depth = 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return bytes.subarray(tokens[1]!.end, t.start).toString('utf8');
  }
  return null;
}

/** A one-byte option value (delimiter, quote, escape), as PostgreSQL requires. */
function singleByte(name: string, v: string): number | string {
  const b = Buffer.from(v, 'utf8');
  if (b.length !== 1 || b[0]! >= 0x80 || b[0] === 0x0a || b[0] === 0x0d) return `COPY ${name} must be a single one-byte character other than newline`;
  return b[0]!;
}

function readOptions(items: readonly unknown[]): CopyFormat | { reason: string } {
  const seen = new Set<string>();
  const values = new Map<string, unknown>();
  for (const item of items) {
    const def = isObj(item) && isObj(item['DefElem']) ? item['DefElem'] : undefined;
    const name = def?.['defname'];
    if (!def || typeof name !== 'string') return { reason: 'Gatehouse could not read the options of this COPY' };
    if (seen.has(name)) return { reason: `COPY option ${name} is given twice` };
    seen.add(name);
    values.set(name, def['arg']);
  }
  const str = (name: string): string | undefined => {
    const arg = values.get(name);
    const s = isObj(arg) && isObj(arg['String']) ? arg['String']['sval'] : undefined;
    return typeof s === 'string' ? s : undefined;
  };
  for (const name of values.keys()) {
    if (!['format', 'header', 'delimiter', 'null', 'quote', 'escape', 'force_quote', 'encoding'].includes(name)) {
      return { reason: `COPY option ${name.toUpperCase()} is not available through the Gatehouse local port` };
    }
    if (name !== 'header' && name !== 'force_quote' && str(name) === undefined) return { reason: `COPY option ${name.toUpperCase()} needs a string value` };
  }
  const fmt = str('format') ?? 'text';
  if (fmt === 'binary') {
    return { reason: 'COPY in BINARY format is not available through Gatehouse: values are masked as text, and a masked value has no binary form; use FORMAT text or csv' };
  }
  if (fmt !== 'text' && fmt !== 'csv') return { reason: `COPY format "${fmt}" not recognized` };
  const csv = fmt === 'csv';
  const encoding = str('encoding');
  // The masker reads UTF-8; another encoding would hide values from the detectors.
  if (encoding !== undefined && !['utf8', 'unicode'].includes(encoding.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
    return { reason: 'COPY ENCODING other than UTF8 is not available through Gatehouse (values are masked as UTF-8 text)' };
  }
  const header = values.has('header') ? boolOption(values.get('header')) : false;
  if (header === undefined) return { reason: 'COPY HEADER must be a boolean (HEADER MATCH is for COPY FROM)' };
  const delimiter = singleByte('delimiter', str('delimiter') ?? (csv ? ',' : '\t'));
  const quote = singleByte('quote', str('quote') ?? '"');
  const escape = singleByte('escape', str('escape') ?? String.fromCharCode(typeof quote === 'number' ? quote : 0x22));
  for (const v of [delimiter, quote, escape]) if (typeof v === 'string') return { reason: v };
  const nullText = str('null') ?? (csv ? '' : '\\N');
  if (/[\r\n]/.test(nullText)) return { reason: 'COPY NULL cannot contain newline or carriage return' };
  return { csv, header, delimiter: delimiter as number, quote: quote as number, escape: escape as number, nullText };
}

/** PostgreSQL's defGetBoolean: no argument is true; 0/1, true/false, on/off, yes/no. */
function boolOption(arg: unknown): boolean | undefined {
  if (arg === undefined) return true;
  if (!isObj(arg)) return undefined;
  if (isObj(arg['Boolean'])) return arg['Boolean']['boolval'] === true;
  if (isObj(arg['Integer'])) {
    const n = arg['Integer']['ival'] ?? 0;
    return n === 0 ? false : n === 1 ? true : undefined;
  }
  const s = isObj(arg['String']) ? arg['String']['sval'] : undefined;
  if (typeof s !== 'string') return undefined;
  const v = s.toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(v)) return true;
  if (['false', 'off', 'no', '0'].includes(v)) return false;
  return undefined;
}
