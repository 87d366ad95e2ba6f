/**
 * Statement shapes, so that a client that inlines values (`… WHERE aid = 48213`, a new text per
 * statement: pgbench -M simple, many ORMs) does not pay a full parse per statement (~100 µs; the
 * guard's own cache is keyed by exact text).
 *
 * A shape is the text with each integer literal that follows a comparison operator or LIMIT /
 * OFFSET replaced by a placeholder. It is computed only for texts made of plain tokens: ASCII
 * identifiers and keywords, whitespace, `( ) , ; . [ ] :`, operator characters, integers, and
 * single-quoted strings without backslashes or a letter prefix (E'', B'', X''). Anything else
 * (comments, dollar quotes, double quotes, `$1`, decimals, 0x…, non-ASCII outside strings) has
 * no shape and is classified as it is.
 *
 * Why a cached verdict is the verdict for every text of that shape: two texts with one shape
 * differ only in the values of whole integer tokens (each at most 9 digits, so always an int4
 * ICONST, never a float, and followed by no character that would extend it). The lexer therefore
 * yields the same token stream but for those values. The statement guard reads integer values only
 * in SET, EXPLAIN options, transaction modes and VACUUM options (session-rules.ts,
 * statement-rules.ts), none of which can occur inside a SELECT, and the decision for class read
 * quotes no text. So only shapes whose first text classified as exactly one read-only SelectStmt
 * are cached; everything else (writes, refusals, COPY, SET, PREPARE, multi-statement texts) goes
 * through classifySql every time. A grammar-level value check (e.g. `float(0)` in a cast) can only
 * make a text a syntax error, which the server then reports; nothing else runs.
 */
import { LruCache } from '../policy/sql/lru.js';
import type { SqlClassification } from '../policy/sql/index.js';

const PLACEHOLDER = '\u0000';
const MAX_SHAPED_TEXT = 4096;
const MAX_DIGITS = 9;
const REPLACE_AFTER = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', 'limit', 'offset']);

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isIdentStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === 0x24;
/** + - * / < > = ~ ! % ^ & | (PostgreSQL also has @ # ` ?, which give no shape here). */
const isOperator = (c: number): boolean => c === 0x2b || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x3c || c === 0x3e || c === 0x3d || c === 0x7e || c === 0x21 || c === 0x25 || c === 0x5e || c === 0x26 || c === 0x7c;
/** ( ) , ; . [ ] : */
const isPunct = (c: number): boolean => c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3b || c === 0x2e || c === 0x5b || c === 0x5d || c === 0x3a;

/** The text's shape, or null when it has none (or no literal to replace). */
export function literalShape(sql: string): string | null {
  const n = sql.length;
  if (n > MAX_SHAPED_TEXT) return null;
  let out = '';
  let copied = 0;
  let prev = '';
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(sql.charCodeAt(j))) j++;
      prev = j - i <= 6 ? sql.slice(i, j).toLowerCase() : 'ident';
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      const next = j < n ? sql.charCodeAt(j) : 0x20;
      // 1.5, 1e5, 0x1F, 1_000, 5'…': not a plain integer token.
      if (isIdentPart(next) || next === 0x2e || next === 0x27 || next === 0x22) return null;
      if (REPLACE_AFTER.has(prev) && j - i <= MAX_DIGITS) {
        out += sql.slice(copied, i) + PLACEHOLDER;
        copied = j;
      }
      prev = '0';
      i = j;
    } else if (c === 0x27) {
      // A prefixed literal (E'…' and friends) has a letter right before the quote.
      if (i > 0 && isIdentPart(sql.charCodeAt(i - 1))) return null;
      let j = i + 1;
      for (;;) {
        if (j >= n) return null;
        const d = sql.charCodeAt(j);
        if (d === 0x5c || d === 0) return null;
        if (d === 0x27) {
          if (sql.charCodeAt(j + 1) === 0x27) j += 2;
          else break;
        } else j++;
      }
      prev = "'";
      i = j + 1;
    } else if (isOperator(c)) {
      let j = i + 1;
      while (j < n && isOperator(sql.charCodeAt(j))) j++;
      const op = sql.slice(i, j);
      // A comment start inside an operator run.
      if (op.includes('--') || op.includes('/*')) return null;
      prev = op;
      i = j;
    } else if (isPunct(c)) {
      prev = sql[i]!;
      i++;
    } else {
      return null;
    }
  }
  return copied === 0 ? null : out + sql.slice(copied);
}

/** Only a single read-only SELECT is the same for every text of its shape (see above). */
export function cacheableByShape(c: SqlClassification): boolean {
  return c.kind === 'classified' && c.class === 'read' && c.statements.length === 1 && c.statements[0]!.statementType === 'SelectStmt' && c.statements[0]!.prepared === undefined;
}

/** Process-wide, like the guard's own cache: a classification depends on the text only. */
export const shapeCache = new LruCache<string, SqlClassification>(2000);
