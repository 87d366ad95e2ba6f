/**
 * Digit-run detectors: card, ssn, phone, ipv4.
 *
 * The scanner hands over a run of digit groups joined by single separators
 * (`4111 1111 1111 1111`, `(415) 555-2671`, `10.0.0.1`, `2024-01-05`). One tokenisation serves
 * all four detectors; each then checks the exact group shape it accepts, so a date, a price or a
 * UUID fragment never reaches a checksum. Spans are tried longest-first from each group, which
 * finds two values in one run (`4111 1111 1111 1111 415-555-2671`) without regex backtracking.
 *
 * Hot path (a PII-dense table has several runs per row): checks read the code-unit array and
 * group tables; no digit string is built unless a value is found (or a `+` number needs metadata).
 */
import type { EnabledDetectors, RawHit } from '../types.js';
import { isValidInternational } from './phone-meta.js';
import { maskIpv4Octet, maskKeepLast, maskLast4 } from '../replace.js';

const MAX_GROUPS = 40;
const MAX_SPAN_GROUPS = 6; // +33 1 23 45 67 89 is the widest shape we accept

// Scratch arrays reused across calls: the scanner is synchronous and single-threaded.
const gs = new Int32Array(MAX_GROUPS);
const ge = new Int32Array(MAX_GROUPS);
// Separator after each group as a char-code key (1 char: code; 2 chars: code1 * 256 + code2; 0: none).
const seps = new Int32Array(MAX_GROUPS);
/** Digit values of the span being validated (at most 19). */
const dg = new Uint8Array(20);
const SP = 32;
const DASH = 45;
const DOT = 46;
const PAREN = 41; // ")"
const PAREN_SP = 41 * 256 + 32; // ") "
const PAREN_DASH = 41 * 256 + 45; // ")-"
const SP_PAREN = 32 * 256 + 40; // " ("
const isNanpSep = (s: number): boolean => s === DASH || s === DOT || s === SP;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Context words that make a bare 9-digit number an SSN (alone it is far more often an id). */
const SSN_CONTEXT = /ssn|social|sec(?:urity)?\s*(?:no|num|#)|taxpayer|\btin\b/i;

/** Loads the digits of groups g..h into `dg`; returns their count. */
function loadDigits(b: Uint16Array, g: number, h: number): number {
  let m = 0;
  for (let k = g; k <= h; k++) for (let p = gs[k]!; p < ge[k]!; p++) dg[m++] = b[p]! - 48;
  return m;
}

/**
 * Issuer prefix and Luhn mod-10 over the `len` digits of groups g..h, read in place: a card is the
 * commonest long run in PII-dense text, and copying its digits out first was a visible share.
 */
function cardDigitsOk(b: Uint16Array, g: number, h: number, len: number): boolean {
  let p4 = 0;
  let got = 0;
  for (let k = g; k <= h && got < 4; k++) {
    for (let p = gs[k]!; p < ge[k]! && got < 4; p++, got++) p4 = p4 * 10 + b[p]! - 48;
  }
  if (!iinOk(p4, len)) return false;
  let sum = 0;
  let dbl = false;
  for (let k = h; k >= g; k--) {
    for (let p = ge[k]! - 1; p >= gs[k]!; p--) {
      let v = b[p]! - 48;
      if (dbl) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
      dbl = !dbl;
    }
  }
  return sum % 10 === 0;
}

/** Issuer (IIN) ranges of the major networks, with the lengths each issues (`p4`: the first 4 digits). */
function iinOk(p4: number, len: number): boolean {
  const p1 = (p4 / 1000) | 0;
  const p2 = (p4 / 100) | 0;
  const p3 = (p4 / 10) | 0;
  if (p1 === 4) return len === 13 || len === 16 || len === 19; // Visa
  if (p2 >= 51 && p2 <= 55) return len === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return len === 16; // Mastercard 2-series
  if (p2 === 34 || p2 === 37) return len === 15; // Amex
  if (p4 >= 3528 && p4 <= 3589) return len >= 16; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14; // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return len >= 13; // Maestro, Discover, UnionPay, RuPay
  return false;
}

/** US SSA rules on dg[0..9): area 001–899 except 666, group 01–99, serial 0001–9999. */
function ssnRangesOk(): boolean {
  const area = dg[0]! * 100 + dg[1]! * 10 + dg[2]!;
  const group = dg[3]! * 10 + dg[4]!;
  const serial = dg[5]! * 1000 + dg[6]! * 100 + dg[7]! * 10 + dg[8]!;
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

function groupsDigits(text: string, g: number, h: number): string {
  let s = '';
  for (let k = g; k <= h; k++) s += text.slice(gs[k]!, ge[k]!);
  return s;
}

/** The last 4 digits of groups ..h (the last group may be shorter than 4). */
function last4(text: string, b: Uint16Array, h: number): string {
  const end = ge[h]!;
  if (end - gs[h]! >= 4) return text.slice(end - 4, end);
  let s = '';
  for (let k = h; k >= 0 && s.length < 4; k--) {
    for (let p = ge[k]! - 1; p >= gs[k]! && s.length < 4; p--) s = String.fromCharCode(b[p]!) + s;
  }
  return s;
}

const glen = (k: number): number => ge[k]! - gs[k]!;

function cardShapeOk(g: number, h: number): boolean {
  const n = h - g + 1;
  if (n === 1) return true;
  const sep = seps[g]!;
  if (sep !== SP && sep !== DASH) return false;
  for (let k = g; k < h; k++) if (seps[k] !== sep) return false;
  // A grouped card beside more groups with the same separator (`2985 4111 1111 1111 1111`) is
  // still tried: it may be a card pasted next to another number, and IIN + Luhn decide. Masking
  // an id that passes both is the safe error; letting a card through is not.
  if (n === 3 && glen(g) === 4 && glen(g + 1) === 6 && (glen(h) === 5 || glen(h) === 4)) return true; // Amex, Diners
  for (let k = g; k < h; k++) if (glen(k) !== 4) return false;
  return n >= 3 && glen(h) >= 1 && glen(h) <= 4;
}

/** North-American shapes: [1] NXX NXX XXXX with consistent punctuation (area, exchange start 2-9). */
function nanpShape(b: Uint16Array, g: number, h: number, paren: boolean): boolean {
  let first = g;
  let parenHere = paren && g === 0;
  if (h - g === 3 && glen(g) === 1 && b[gs[g]!] === 49) {
    const s0 = seps[g]!;
    if (!isNanpSep(s0) && s0 !== SP_PAREN) return false;
    parenHere = s0 === SP_PAREN;
    first = g + 1;
  } else if (h - g !== 2) return false;
  if (glen(first) !== 3 || glen(first + 1) !== 3 || glen(first + 2) !== 4) return false;
  const s1 = seps[first]!;
  const s2 = seps[first + 1]!;
  if (parenHere) {
    if ((s1 !== PAREN && s1 !== PAREN_SP && s1 !== PAREN_DASH) || !isNanpSep(s2)) return false;
  } else if (!isNanpSep(s1) || !isNanpSep(s2) || (s1 !== s2 && s2 !== DASH)) return false;
  const a = b[gs[first]!]!;
  const e = b[gs[first + 1]!]!;
  return a >= 50 && a <= 57 && e >= 50 && e <= 57;
}

/**
 * Scans the numeric run whose first digit is at `i` (the caller checked the left boundary) and
 * whose first digit group ends at `firstEnd` (the caller's word scan found it: not read twice).
 * Appends hits and returns the index just after the run.
 */
export function scanNumericRun(
  text: string,
  b: Uint16Array,
  i: number,
  firstEnd: number,
  lastEnd: number,
  enabled: EnabledDetectors,
  ssnContext: boolean,
  hits: RawHit[],
): number {
  const n = text.length;
  let runStart = i;
  let plus = false;
  let paren = false;
  const before = i > 0 ? b[i - 1]! : 0;
  if (i - 1 >= lastEnd && (before === 43 /* + */ || before === 40) /* ( */) {
    const bb = i > 1 ? b[i - 2]! : 32;
    if (!isWordChar(bb)) {
      plus = before === 43;
      paren = before === 40;
      runStart = i - 1;
    }
  }
  // Tokenise: digits, then a separator of 1–2 chars, then digits again.
  let count = 0;
  let start = i;
  let j = firstEnd;
  for (;;) {
    gs[count] = start;
    ge[count] = j;
    seps[count] = 0;
    count++;
    if (count >= MAX_GROUPS || j >= n) break;
    const c = b[j]!;
    const c1 = b[j + 1]!; // past the end: padding (0), like the old explicit bounds checks
    const c2 = b[j + 2]!;
    let sepLen = 0;
    if (c === 32 || c === 45 || c === 46 || c === 47) {
      if (isDigit(c1)) sepLen = 1;
      else if (c === 32 && c1 === 40 && isDigit(c2)) sepLen = 2; // "1 (415"
    } else if (c === 41 /* ) */) {
      if (isDigit(c1)) sepLen = 1;
      else if ((c1 === 32 || c1 === 45) && isDigit(c2)) sepLen = 2;
    }
    if (sepLen === 0) break;
    seps[count - 1] = sepLen === 1 ? c : c * 256 + c1;
    j += sepLen;
    start = j;
    while (isDigit(b[j]!)) j++; // the zero padding ends the run at n
  }
  const runEnd = j;
  // Right boundary: a run glued to letters, '_' or '@' is part of an identifier or an email.
  const after = runEnd < n ? b[runEnd]! : 32;
  if (isWordChar(after) || after === 64) return runEnd;

  let g = 0;
  while (g < count) {
    let found: RawHit | null = null;
    let h = Math.min(count - 1, g + MAX_SPAN_GROUPS - 1);
    let digits = 0;
    for (let k = g; k <= h; k++) digits += ge[k]! - gs[k]!;
    for (; h >= g; h--) {
      // (the same gate as matchSpan's first line, inlined: most spans are dates, times and ids)
      if (digits >= 4 && digits <= 19 && (digits >= 8 || h - g === 3)) {
        found = matchSpan(text, b, g, h, digits, count, plus, paren, runStart, enabled, ssnContext);
        if (found) break;
      }
      digits -= ge[h]! - gs[h]!;
    }
    if (found) {
      hits.push(found);
      g = h + 1;
    } else g++;
  }
  return runEnd;
}

function matchSpan(
  text: string,
  b: Uint16Array,
  g: number,
  h: number,
  digits: number,
  count: number,
  plus: boolean,
  paren: boolean,
  runStart: number,
  enabled: EnabledDetectors,
  ssnContext: boolean,
): RawHit | null {
  // Cheap gate first: most spans (dates, times, ids, prices) fit no detector's digit count.
  const span = h - g;
  if (digits < 8 && span !== 3) return null;
  const prefixed = g === 0 && (plus || paren);
  const start = gs[g]!;
  const end = ge[h]!;
  const sepBefore = g > 0 ? seps[g - 1]! : 0;
  const sepAfter = h < count - 1 ? seps[h]! : 0;
  const dottedNeighbour = sepBefore === DOT || sepAfter === DOT || sepBefore === DASH || sepAfter === DASH;

  if (enabled.card && digits >= 13 && !prefixed && cardShapeOk(g, h)) {
    if (cardDigitsOk(b, g, h, digits)) return { detector: 'card', start, end, replacement: maskLast4('card', last4(text, b, h)) };
  }
  if (enabled.ssn && digits === 9 && !prefixed && !dottedNeighbour) {
    let ok = false;
    if (span === 2 && glen(g) === 3 && glen(g + 1) === 2) {
      const s = seps[g]!;
      ok = s === seps[g + 1] && (s === DASH || (s === SP && (ssnContext || hasSsnContext(text, b, runStart, start))));
    } else if (span === 0) ok = ssnContext || hasSsnContext(text, b, runStart, start);
    if (ok) {
      loadDigits(b, g, h);
      // The last group holds the last 4 digits in both accepted shapes (3-2-4 and 9).
      if (ssnRangesOk()) return { detector: 'ssn', start, end, replacement: maskLast4('ssn', text.slice(end - 4, end)) };
    }
  }
  if (enabled.phone && digits >= 8 && digits <= 15) {
    if (g === 0 && plus) {
      if (isValidInternational(groupsDigits(text, g, h))) {
        return { detector: 'phone', start: runStart, end, replacement: maskKeepLast(text, b, runStart, end, 2) };
      }
    } else if ((digits === 10 || digits === 11) && !dottedNeighbour && nanpShape(b, g, h, paren)) {
      const s = g === 0 && paren ? runStart : start;
      return { detector: 'phone', start: s, end, replacement: maskKeepLast(text, b, s, end, 2) };
    }
  }
  if (enabled.ipv4 && span === 3 && digits <= 12 && !prefixed && sepBefore !== DOT && sepAfter !== DOT) {
    for (let k = g; k < h; k++) if (seps[k] !== DOT) return null;
    let first = 0;
    for (let k = g; k <= h; k++) {
      const p = gs[k]!;
      const len = ge[k]! - p;
      if (len > 3) return null;
      const c0 = b[p]! - 48;
      if (len > 1 && c0 === 0) return null; // leading zero: a date or a code
      let v = c0;
      for (let q = p + 1; q < p + len; q++) v = v * 10 + b[q]! - 48;
      if (v > 255) return null;
      if (k === g) first = v;
    }
    return { detector: 'ipv4', start, end, replacement: maskIpv4Octet(first) };
  }
  return null;
}

/** The label must be close and in the same field: a `,`, `;`, `|` or newline ends its reach. */
function hasSsnContext(text: string, b: Uint16Array, runStart: number, start: number): boolean {
  let from = runStart;
  while (from > 0 && runStart - from < 32) {
    const c = b[from - 1]!;
    if (c === 44 || c === 59 || c === 124 || c === 10 || c === 13) break;
    from--;
  }
  return SSN_CONTEXT.test(text.slice(from, start));
}
