/**
 * ECMA-48 escape-sequence splitter for terminal output. The stream masker removes escapes before
 * detection (a colour change inside a card number must not hide it) and puts them back untouched.
 * String sequences (OSC, DCS, SOS, PM, APC) can carry text (titles, OSC 8 hyperlinks), so their
 * payload is reported separately and masked on its own; introducer and terminator are kept.
 */
import { Buffer } from 'node:buffer';

export interface EscapeSpan {
  start: number;
  end: number;
  /** For string sequences: the payload range inside [start, end); -1 otherwise. */
  payloadStart: number;
  payloadEnd: number;
}

export interface AnsiSplit {
  /** The text with every escape removed. */
  plain: string;
  /** plain index → text index, with map[plain.length] = cut; null when there were no escapes. */
  map: Int32Array | null;
  escapes: EscapeSpan[];
  /** Text index where an unfinished escape starts (to be held), or -1. */
  incompleteFrom: number;
}

const ESC = 0x1b;
// Matching control characters is the point here: they start the escape sequences to keep intact.
// eslint-disable-next-line no-control-regex
const C1_ANY = /[\x1b\x90\x98\x9b\x9d\x9e\x9f]/;

const isStringIntro = (c: number): boolean => c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f; // ] P X ^ _
const isC1String = (c: number): boolean => c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f;

/**
 * Splits `text` into plain characters and escapes. With `final`, an unfinished sequence at the end
 * is taken as complete (flush / end of stream); otherwise it is reported via `incompleteFrom`.
 * `knownPlain`: the caller already knows there is no ESC or C1 character (see hasNoEscapeBytes).
 */
export function splitAnsi(text: string, final: boolean, knownPlain = false): AnsiSplit {
  if (knownPlain || !C1_ANY.test(text)) return { plain: text, map: null, escapes: [], incompleteFrom: -1 };
  const n = text.length;
  const escapes: EscapeSpan[] = [];
  const map = new Int32Array(n + 1);
  let plain = '';
  let plainLen = 0;
  let incompleteFrom = -1;
  let i = 0;
  let copyFrom = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== ESC && !(c >= 0x90 && c <= 0x9f && (c === 0x9b || isC1String(c)))) {
      map[plainLen++] = i;
      i++;
      continue;
    }
    const span = parseEscape(text, i, final);
    if (span === null) {
      incompleteFrom = i;
      break;
    }
    plain += text.slice(copyFrom, i);
    escapes.push(span);
    i = span.end;
    copyFrom = i;
  }
  const cut = incompleteFrom >= 0 ? incompleteFrom : n;
  plain += text.slice(copyFrom, cut);
  map[plainLen] = cut;
  return { plain, map: map.subarray(0, plainLen + 1), escapes, incompleteFrom };
}

/** Parses the escape at `i`; null if it is unfinished and `final` is false. */
function parseEscape(text: string, i: number, final: boolean): EscapeSpan | null {
  const n = text.length;
  const c0 = text.charCodeAt(i);
  let j: number;
  let kind: 'csi' | 'string' | 'short';
  if (c0 === 0x9b) {
    kind = 'csi';
    j = i + 1;
  } else if (isC1String(c0)) {
    kind = 'string';
    j = i + 1;
  } else {
    if (i + 1 >= n) return final ? simple(i, n) : null;
    const c1 = text.charCodeAt(i + 1);
    if (c1 === 0x5b) {
      kind = 'csi';
      j = i + 2;
    } else if (isStringIntro(c1)) {
      kind = 'string';
      j = i + 2;
    } else {
      kind = 'short';
      j = i + 1;
    }
  }
  if (kind === 'csi') {
    while (j < n && inRange(text.charCodeAt(j), 0x30, 0x3f)) j++;
    while (j < n && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
    if (j >= n) return final ? simple(i, n) : null;
    // A malformed CSI ends before the offending char, which is then treated as text.
    return simple(i, inRange(text.charCodeAt(j), 0x40, 0x7e) ? j + 1 : j);
  }
  if (kind === 'string') {
    const payloadStart = j;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x07 || c === 0x9c) return { start: i, end: j + 1, payloadStart, payloadEnd: j };
      if (c === ESC) {
        if (j + 1 >= n) break;
        if (text.charCodeAt(j + 1) === 0x5c) return { start: i, end: j + 2, payloadStart, payloadEnd: j };
      }
      j++;
    }
    return final ? { start: i, end: n, payloadStart, payloadEnd: n } : null;
  }
  // ESC, intermediates (0x20–0x2F), then one final byte (0x30–0x7E): ESC 7, ESC ( B, ESC =.
  while (j < n && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
  if (j >= n) return final ? simple(i, n) : null;
  return simple(i, inRange(text.charCodeAt(j), 0x30, 0x7e) ? j + 1 : j);
}

function simple(start: number, end: number): EscapeSpan {
  return { start, end, payloadStart: -1, payloadEnd: -1 };
}

function inRange(c: number, lo: number, hi: number): boolean {
  return c >= lo && c <= hi;
}

/** Tests a string for an ESC or C1 character (what splitAnsi looks for first). */
export function hasEscapeChar(text: string): boolean {
  return C1_ANY.test(text);
}

/**
 * True when UTF-8 `bytes` cannot decode to an ESC or C1 character: no 0x1B, no 0xC2 (the lead
 * byte of U+0080–U+00BF, C1 included), and no leading continuation byte that could complete a
 * 0xC2 held over from the previous chunk. Two memchr-speed searches instead of a regex pass over
 * the decoded text (which was ~9% of streaming a log).
 */
export function hasNoEscapeBytes(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  const first = bytes[0]!;
  if (first >= 0x80 && first < 0xc0) return false;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.indexOf(0x1b) < 0 && buf.indexOf(0xc2) < 0;
}
