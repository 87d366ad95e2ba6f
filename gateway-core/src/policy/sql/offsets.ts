/**
 * Offset conversion and token-based spans.
 *
 * libpg-query hands out byte offsets into the UTF-8 encoding for AST locations and scan tokens,
 * but code-point offsets for parse-error cursors. Callers slice JS strings (UTF-16), so both are
 * converted here. The AST only gives start positions; ends are recovered from the real scanner's
 * tokens so that strings, comments and dollar quotes never confuse the span.
 */
import { scanSync, type ScanToken } from 'libpg-query';
import type { SqlRange } from './types.js';

/** A location in BYTES, resolved to a UTF-16 range only when a finding is reported. */
export type ByteLocation =
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** A function call starting at `start`: name, then the balanced argument list. */
  | { readonly kind: 'call'; readonly start: number; readonly limit: number }
  /** A CTE starting at its name: `name [(cols)] AS [NOT MATERIALIZED] ( ... )`. */
  | { readonly kind: 'cte'; readonly start: number; readonly limit: number }
  | { readonly kind: 'token'; readonly start: number; readonly limit: number }
  /** The first top-level occurrence of `words` in the range, plus `extra` following tokens. */
  | {
      readonly kind: 'keyword';
      readonly start: number;
      readonly end: number;
      /** Each entry may list alternatives: 'UPDATE|SHARE'. */
      readonly words: readonly string[];
      readonly extra: number;
      /** Also match inside parentheses (e.g. FOR UPDATE in a subquery). */
      readonly anyDepth: boolean;
    };

export class OffsetMap {
  private readonly byteToUnit: Int32Array | null;
  private readonly pointToUnit: Int32Array | null;
  private tokens: readonly ScanToken[] | null = null;

  constructor(readonly text: string) {
    // Pure ASCII keeps every offset kind identical, which is the common case and allocates nothing.
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(text)) {
      this.byteToUnit = null;
      this.pointToUnit = null;
      return;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    const byteToUnit = new Int32Array(bytes + 1);
    const points: number[] = [];
    let b = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i) ?? 0;
      const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      byteToUnit.fill(i, b, b + width);
      points.push(i);
      b += width;
      i += cp > 0xffff ? 2 : 1;
    }
    byteToUnit[bytes] = text.length;
    points.push(text.length);
    this.byteToUnit = byteToUnit;
    this.pointToUnit = Int32Array.from(points);
  }

  get byteLength(): number {
    return this.byteToUnit ? this.byteToUnit.length - 1 : this.text.length;
  }

  unitFromByte(byte: number): number {
    const clamped = Math.max(0, Math.min(byte, this.byteLength));
    return this.byteToUnit ? (this.byteToUnit[clamped] ?? this.text.length) : clamped;
  }

  unitFromCodePoint(point: number): number {
    if (!this.pointToUnit) return Math.max(0, Math.min(point, this.text.length));
    const clamped = Math.max(0, Math.min(point, this.pointToUnit.length - 1));
    return this.pointToUnit[clamped] ?? this.text.length;
  }

  rangeFromBytes(start: number, end: number): SqlRange {
    return { start: this.unitFromByte(start), end: this.unitFromByte(end) };
  }

  resolve(loc: ByteLocation): SqlRange {
    switch (loc.kind) {
      case 'range':
        return this.rangeFromBytes(loc.start, loc.end);
      case 'call':
      case 'cte':
      case 'token': {
        const end = this.spanEnd(loc.start, loc.limit, loc.kind);
        return this.rangeFromBytes(loc.start, end);
      }
      case 'keyword': {
        const hit = this.findKeyword(loc.start, loc.end, loc.words, loc.extra, loc.anyDepth);
        return hit ? this.rangeFromBytes(hit.start, hit.end) : this.rangeFromBytes(loc.start, loc.end);
      }
    }
  }

  private scanned(): readonly ScanToken[] {
    if (!this.tokens) {
      try {
        this.tokens = scanSync(this.text).tokens;
      } catch {
        this.tokens = [];
      }
    }
    return this.tokens;
  }

  private spanEnd(start: number, limit: number, kind: 'call' | 'cte' | 'token'): number {
    const tokens = this.scanned().filter((t) => t.start >= start && t.end <= limit && !isComment(t));
    const first = tokens[0];
    if (!first) return Math.min(limit, start + 1);
    if (kind === 'token') return first.end;
    let depth = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.text === ';' && depth === 0) return tokens[i - 1]?.end ?? t.start;
      if (t.text === '(') depth++;
      if (t.text === ')') {
        depth--;
        if (depth <= 0) {
          // A CTE column list closes before `AS (...)`, so keep going when AS follows.
          const next = tokens[i + 1];
          if (kind === 'cte' && next && next.text.toUpperCase() === 'AS') continue;
          return t.end;
        }
      }
    }
    return tokens[tokens.length - 1]?.end ?? limit;
  }

  private findKeyword(
    start: number,
    end: number,
    words: readonly string[],
    extra: number,
    anyDepth: boolean,
  ): { start: number; end: number } | null {
    const alternatives = words.map((w) => w.split('|'));
    const tokens = this.scanned().filter((t) => t.start >= start && t.end <= end && !isComment(t));
    let depth = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if ((anyDepth || depth === 0) && alternatives.every((alts, k) => alts.includes(normalizeToken(tokens[i + k])))) {
        const last = tokens[Math.min(i + words.length - 1 + extra, tokens.length - 1)]!;
        return { start: t.start, end: last.end };
      }
    }
    return null;
  }
}

/** Upper-cased token text; a quoted identifier compares by its content. */
function normalizeToken(t: ScanToken | undefined): string {
  if (!t) return '';
  const quoted = /^"(.*)"$/s.exec(t.text);
  return (quoted ? quoted[1]!.replace(/""/g, '"') : t.text).toUpperCase();
}

/** Narrows `within` to the first top-level (or any-depth) occurrence of `words`; falls back to `within`. */
export function keywordWithin(
  within: ByteLocation,
  words: readonly string[],
  options: { extra?: number; anyDepth?: boolean } = {},
): ByteLocation {
  const end = within.kind === 'range' || within.kind === 'keyword' ? within.end : within.limit;
  return { kind: 'keyword', start: within.start, end, words, extra: options.extra ?? 0, anyDepth: options.anyDepth ?? false };
}

function isComment(t: ScanToken): boolean {
  return t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT';
}
