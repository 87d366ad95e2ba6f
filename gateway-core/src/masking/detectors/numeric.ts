/**
 * Digit-run detectors: card, ssn, phone, ipv4.
 *
 * The scanner hands over a run of digit groups joined by single separators
 * (`4111 1111 1111 1111`, `(415) 555-2671`, `10.0.0.1`, `2024-01-05`). One tokenisation serves
 * all four detectors; each then checks the exact group shape it accepts, so a date, a price or a
 * UUID fragment never reaches a checksum. Spans are tried longest-first from each group, which
 * finds two values in one run (`4111 1111 1111 1111 415-555-2671`) without regex backtracking.
 */
import type { DetectorName, EnabledDetectors, RawHit } from '../types.js';
import { isNanp, isValidInternational } from './phone-meta.js';
import { maskCard, maskIpv4, maskKeepLast, maskSsn } from '../replace.js';

const MAX_GROUPS = 40;
const MAX_SPAN_GROUPS = 6; // +33 1 23 45 67 89 is the widest shape we accept

// Scratch arrays reused across calls: the scanner is synchronous and single-threaded.
const gs = new Int32Array(MAX_GROUPS);
const ge = new Int32Array(MAX_GROUPS);
// Separator after each group as a char-code key (1 char: code; 2 chars: code1 * 256 + code2; 0: none).
// Integers, not strings: slicing a string per separator dominated the dense-text profile.
const seps = new Int32Array(MAX_GROUPS);
const SP = 32;
const DASH = 45;
const DOT = 46;
const PAREN_SEPS = new Set([41, 41 * 256 + 32, 41 * 256 + 45]); // ")", ") ", ")-"
const SP_PAREN = 32 * 256 + 40; // " ("
const isNanpSep = (s: number): boolean => s === DASH || s === DOT || s === SP;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Context words that make a bare 9-digit number an SSN (alone it is far more often an id). */
const SSN_CONTEXT = /ssn|social|sec(?:urity)?\s*(?:no|num|#)|taxpayer|\btin\b/i;

/** Luhn mod-10 over an ASCII digit string. */
export function luhnOk(d: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let k = d.length - 1; k >= 0; k--) {
    let v = d.charCodeAt(k) - 48;
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Issuer (IIN) ranges of the major networks, with the lengths each issues. */
export function iinOk(d: string): boolean {
  const len = d.length;
  const p1 = d.charCodeAt(0) - 48;
  const p2 = p1 * 10 + d.charCodeAt(1) - 48;
  const p3 = p2 * 10 + d.charCodeAt(2) - 48;
  const p4 = p3 * 10 + d.charCodeAt(3) - 48;
  if (p1 === 4) return len === 13 || len === 16 || len === 19; // Visa
  if (p2 >= 51 && p2 <= 55) return len === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return len === 16; // Mastercard 2-series
  if (p2 === 34 || p2 === 37) return len === 15; // Amex
  if (p4 >= 3528 && p4 <= 3589) return len >= 16; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14; // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return len >= 13; // Maestro, Discover, UnionPay, RuPay
  return false;
}

/** US SSA rules: area 001–899 except 666, group 01–99, serial 0001–9999. */
export function ssnRangesOk(d: string): boolean {
  const area = +d.slice(0, 3);
  const group = +d.slice(3, 5);
  const serial = +d.slice(5, 9);
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

function groupsDigits(text: string, g: number, h: number): string {
  let s = '';
  for (let k = g; k <= h; k++) s += text.slice(gs[k]!, ge[k]!);
  return s;
}

function cardShapeOk(g: number, h: number, count: number): boolean {
  const n = h - g + 1;
  if (n === 1) return true;
  const sep = seps[g]!;
  if (sep !== SP && sep !== DASH) return false;
  for (let k = g; k < h; k++) if (seps[k] !== sep) return false;
  const len = (k: number): number => ge[k]! - gs[k]!;
  // A grouped card glued to more 4-digit groups with the same separator is part of a longer id;
  // a different-shaped neighbour (a CVV "123", an expiry) is allowed.
  if (g > 0 && seps[g - 1] === sep && len(g - 1) === 4) return false;
  if (h < count - 1 && seps[h] === sep && len(h + 1) === 4) return false;
  if (n === 3 && len(g) === 4 && len(g + 1) === 6 && (len(h) === 5 || len(h) === 4)) return true; // Amex, Diners
  for (let k = g; k < h; k++) if (len(k) !== 4) return false;
  return n >= 3 && len(h) >= 1 && len(h) <= 4;
}


/** North-American shapes: [1] NXX NXX XXXX with consistent punctuation. */
function nanpShape(text: string, g: number, h: number, paren: boolean): string | null {
  const len = (k: number): number => ge[k]! - gs[k]!;
  let first = g;
  let parenHere = paren && g === 0;
  if (h - g === 3 && len(g) === 1 && text.charCodeAt(gs[g]!) === 49) {
    const s0 = seps[g]!;
    if (!isNanpSep(s0) && s0 !== SP_PAREN) return null;
    parenHere = s0 === SP_PAREN;
    first = g + 1;
  } else if (h - g !== 2) return null;
  if (len(first) !== 3 || len(first + 1) !== 3 || len(first + 2) !== 4) return null;
  const s1 = seps[first]!;
  const s2 = seps[first + 1]!;
  if (parenHere) {
    if (!PAREN_SEPS.has(s1) || !isNanpSep(s2)) return null;
  } else if (!isNanpSep(s1) || !isNanpSep(s2) || (s1 !== s2 && s2 !== DASH)) return null;
  const national = groupsDigits(text, first, first + 2);
  return isNanp(national) ? national : null;
}

/**
 * Scans the numeric run whose first digit is at `i` (the caller checked the left boundary).
 * Appends hits and returns the index just after the run.
 */
export function scanNumericRun(
  text: string,
  i: number,
  lastEnd: number,
  enabled: EnabledDetectors,
  ssnContext: boolean,
  hits: RawHit[],
): number {
  const n = text.length;
  let runStart = i;
  let plus = false;
  let paren = false;
  const before = i > 0 ? text.charCodeAt(i - 1) : 0;
  if (i - 1 >= lastEnd && (before === 43 /* + */ || before === 40) /* ( */) {
    const bb = i > 1 ? text.charCodeAt(i - 2) : 32;
    if (!isWordChar(bb)) {
      plus = before === 43;
      paren = before === 40;
      runStart = i - 1;
    }
  }
  // Tokenise: digits, then a separator of 1–2 chars, then digits again.
  let count = 0;
  let j = i;
  for (;;) {
    const start = j;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    gs[count] = start;
    ge[count] = j;
    seps[count] = 0;
    count++;
    if (count >= MAX_GROUPS || j >= n) break;
    const c = text.charCodeAt(j);
    const c1 = j + 1 < n ? text.charCodeAt(j + 1) : 0;
    const c2 = j + 2 < n ? text.charCodeAt(j + 2) : 0;
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
  }
  const runEnd = j;
  // Right boundary: a run glued to letters, '_' or '@' is part of an identifier or an email.
  const after = runEnd < n ? text.charCodeAt(runEnd) : 32;
  if (isWordChar(after) || after === 64) return runEnd;

  let g = 0;
  while (g < count) {
    let found: RawHit | null = null;
    let foundH = g;
    for (let h = Math.min(count - 1, g + MAX_SPAN_GROUPS - 1); h >= g && !found; h--) {
      let digits = 0;
      for (let k = g; k <= h; k++) digits += ge[k]! - gs[k]!;
      if (digits < 4 || digits > 19) continue;
      found = matchSpan(text, g, h, digits, count, plus, paren, runStart, enabled, ssnContext);
      foundH = h;
    }
    if (found) {
      hits.push(found);
      g = foundH + 1;
    } else g++;
  }
  return runEnd;
}

function matchSpan(
  text: string,
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
  const prefixed = g === 0 && (plus || paren);
  const start = gs[g]!;
  const end = ge[h]!;
  const hit = (detector: DetectorName, s: number, replacement: string): RawHit => ({ detector, start: s, end, replacement });
  const sepBefore = g > 0 ? seps[g - 1]! : 0;
  const sepAfter = h < count - 1 ? seps[h]! : 0;
  const dottedNeighbour = sepBefore === DOT || sepAfter === DOT || sepBefore === DASH || sepAfter === DASH;

  if (enabled.card && digits >= 13 && !prefixed && cardShapeOk(g, h, count)) {
    const d = groupsDigits(text, g, h);
    if (iinOk(d) && luhnOk(d)) return hit('card', start, maskCard(d));
  }
  if (enabled.ssn && digits === 9 && !prefixed && !dottedNeighbour) {
    const n = h - g + 1;
    let ok = false;
    if (n === 3 && ge[g]! - gs[g]! === 3 && ge[g + 1]! - gs[g + 1]! === 2) {
      const s = seps[g]!;
      ok = s === seps[g + 1] && (s === DASH || (s === SP && (ssnContext || hasSsnContext(text, runStart, start))));
    } else if (n === 1) ok = ssnContext || hasSsnContext(text, runStart, start);
    if (ok) {
      const d = groupsDigits(text, g, h);
      if (ssnRangesOk(d)) return hit('ssn', start, maskSsn(d));
    }
  }
  if (enabled.phone && digits >= 8 && digits <= 15) {
    if (g === 0 && plus) {
      const d = groupsDigits(text, g, h);
      if (isValidInternational(d)) return hit('phone', runStart, maskKeepLast(text.slice(runStart, end), 2));
    } else if (digits === 10 || digits === 11) {
      if (!dottedNeighbour && !(g === 0 && plus) && nanpShape(text, g, h, paren)) {
        const s = g === 0 && paren ? runStart : start;
        return hit('phone', s, maskKeepLast(text.slice(s, end), 2));
      }
    }
  }
  if (enabled.ipv4 && h - g === 3 && digits <= 12 && !prefixed && sepBefore !== DOT && sepAfter !== DOT) {
    for (let k = g; k < h; k++) if (seps[k] !== DOT) return null;
    for (let k = g; k <= h; k++) {
      const len = ge[k]! - gs[k]!;
      if (len > 3) return null;
      if (len > 1 && text.charCodeAt(gs[k]!) === 48) return null; // leading zero: a date or a code
      if (+text.slice(gs[k]!, ge[k]!) > 255) return null;
    }
    return hit('ipv4', start, maskIpv4(text.slice(start, end)));
  }
  return null;
}

/** The label must be close and in the same field: a `,`, `;`, `|` or newline ends its reach. */
function hasSsnContext(text: string, runStart: number, start: number): boolean {
  let from = runStart;
  while (from > 0 && runStart - from < 32) {
    const c = text.charCodeAt(from - 1);
    if (c === 44 || c === 59 || c === 124 || c === 10 || c === 13) break;
    from--;
  }
  return SSN_CONTEXT.test(text.slice(from, start));
}
