/**
 * The single-pass scanner. One left-to-right walk over the text's code units (codes.ts): a class
 * table read per char outside words, whole words skipped at once, and only anchors (a word start,
 * `@`, `:`, `=`, `-`) call into a detector. Detectors validate (Luhn, mod-97, SSA ranges, phone
 * metadata, JWT header) so the anchors can be cheap and broad.
 *
 * Why a walk and not native searches that jump between candidates (irregexp for digit runs and
 * `@ :: :// password= -----BEGIN`, indexOf for `ey`): that was built and measured. On PII-dense
 * rows the searches alone cost ~1.5 µs per 234-byte row, as much as this walk; a combined regex
 * was slower still (irregexp tries every alternative at every position). What did pay was
 * reading a typed array instead of charCodeAt (see codes.ts).
 *
 * Output: hits sorted by `start`, non-overlapping, in UTF-16 offsets of the input.
 */
import type { EnabledDetectors, RawHit } from './types.js';
import { codesOf } from './codes.js';
import { scanNumericRun } from './detectors/numeric.js';
import { detectEmail, detectKeyValuePassword, detectPem, detectUriPassword } from './detectors/secrets.js';
import { detectAwsKey, detectIban, detectIpv6, detectJwt, ipv6Candidate } from './detectors/tokens.js';

const C_DIGIT = 1;
const C_UPPER = 2;
const C_LOWER = 3;
const C_UNDERSCORE = 4; // word char, never a trigger
const C_AT = 5;
const C_COLON = 6;
const C_EQ = 7;
const C_DASH = 8;

/** Class of every UTF-16 unit (64 KiB): indexing it needs no `c < 128` branch in the hot loop. */
const CLS = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) CLS[c] = C_DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = C_UPPER;
for (let c = 97; c <= 122; c++) CLS[c] = C_LOWER;
CLS[95] = C_UNDERSCORE;
CLS[64] = C_AT;
CLS[58] = C_COLON;
CLS[61] = C_EQ;
CLS[45] = C_DASH;

/**
 * CLS folded for the word loop: 1 digit, 2 letter or '_', 0 the rest (OR-ing them over a word
 * tells an all-digit word). The zero padding ends a word at n.
 */
const WORD_KIND = CLS.map((k) => (k === C_DIGIT ? 1 : k !== 0 && k <= C_UNDERSCORE ? 2 : 0));

export interface ScanOptions {
  /** The caller knows the text is an SSN column (name hint): a bare 9-digit value counts. */
  ssnContext?: boolean;
}

/**
 * Where the walk can start: the first place any detector could act, backed up to the start of its
 * word. Every hit needs one of these (card, phone, SSN, IPv4, IBAN and IPv6 hold a digit; email and
 * URI userinfo an `@`; key=value an `=`; PEM `--`; JWT `ey`; AWS `AKIA`/`ASIA`), and every place
 * the walk calls a detector is one (a hex char or `:` before `:`, `://`). One native search skips
 * what the walk would only step over: most cells (names, cities) and many prose lines have none,
 * and then no code units are copied at all.
 */
const CANDIDATE = /[0-9@=]|--|ey|A[KS]IA|[A-Fa-f]:|:[:/]/;

/** An empty result shared by every call that finds nothing (callers never mutate hit arrays). */
const NO_HITS: readonly RawHit[] = Object.freeze([]);

export function scanText(text: string, enabled: EnabledDetectors, opts?: ScanOptions): readonly RawHit[] {
  const n = text.length;
  if (n === 0) return NO_HITS;
  // (a text that starts with a digit, like most log lines and numbers, needs no search)
  let i = isDigitCode(text.charCodeAt(0)) ? 0 : text.search(CANDIDATE);
  if (i < 0) return NO_HITS;
  const b = codesOf(text);
  // Back up to the start of the word: word-shaped detectors (IBAN, IPv6, AWS, JWT) start there.
  while (i > 0 && isWordCode(b[i - 1]!)) i--;
  const hits: RawHit[] = [];
  const ssnContext = opts !== undefined && opts.ssnContext === true;
  // Read once: property loads on `enabled` in the per-word path were a measurable share.
  const ipv6 = enabled.ipv6;
  const aws = enabled['aws-access-key'];
  const iban = enabled.iban;
  const jwt = enabled.jwt;
  const email = enabled.email;
  const password = enabled['connection-string-password'];
  const pem = enabled['pem-private-key'];
  // No closures over i/lastEnd: captured mutable locals are context-allocated and slow the hot loop 3x.
  let lastEnd = 0;
  while (i < n) {
    const c = b[i]!;
    const k = CLS[c]!;
    if (k === 0) {
      // Runs of punctuation and spaces (JSON's `":"`, `","`, indentation) in one tight loop.
      do i++;
      while (i < n && CLS[b[i]!] === 0);
      continue;
    }
    let h: RawHit | null = null;
    if (k <= C_UNDERSCORE) {
      let w = i + 1;
      // One table load per char (digit 1, letter or '_' 2): the loop that runs over every word.
      let kinds = k === C_DIGIT ? 1 : 2;
      for (let x = WORD_KIND[b[w]!]!; x !== 0; x = WORD_KIND[b[w]!]!) {
        kinds |= x;
        w++;
      }
      const allDigits = kinds === 1;
      const next = b[w]!;
      // (`next === 58` first: it is almost always false, and the rest is then never evaluated)
      if (next === 58 && ipv6 && w - i <= 4 && w < n && isHexCode(c) && (i === 0 || b[i - 1] !== 58)) {
        // (a word right after ':' is mid-address: the start already failed)
        if (ipv6Candidate(b, i)) h = detectIpv6(text, b, i);
      }
      if (h === null) {
        if (allDigits) {
          // A lone group of < 8 digits not followed by a group separator fits no detector (the
          // shortest is an 8-digit phone); most numbers in logs and JSON are these.
          if (w - i < 8 && next !== 32 && next !== 45 && next !== 46 && next !== 47 && next !== 41) {
            i = w;
            continue;
          }
          const before = hits.length;
          const runEnd = scanNumericRun(text, b, i, w, lastEnd, enabled, ssnContext, hits);
          if (hits.length > before) lastEnd = hits[hits.length - 1]!.end;
          i = runEnd > w ? runEnd : w;
          continue;
        }
        if (k === C_UPPER) {
          if (c === 65 && aws) h = detectAwsKey(text, b, i, w);
          // (IBAN check digits are digits: most upper-case words stop here without a call)
          if (h === null && iban && w - i >= 4 && isDigitCode(b[i + 2]!)) h = detectIban(text, b, i);
        } else if (k === C_LOWER && c === 101 && jwt && b[i + 1] === 121) {
          h = detectJwt(text, b, i);
        }
        if (h === null) {
          i = w;
          continue;
        }
      }
    } else if (k === C_AT) {
      if (email) h = detectEmail(text, b, i, lastEnd);
    } else if (k === C_COLON) {
      const c1 = b[i + 1];
      if (c1 === 47 && b[i + 2] === 47) {
        if (password) h = detectUriPassword(text, b, i, lastEnd);
      } else if (c1 === 58 && ipv6 && (i === 0 || !isWordOrColon(b[i - 1]!))) {
        h = detectIpv6(text, b, i);
      }
    } else if (k === C_EQ) {
      if (password) h = detectKeyValuePassword(text, b, i, lastEnd);
    } else if (k === C_DASH) {
      if (pem && b[i + 1] === 45) h = detectPem(text, i);
    }
    if (h === null) {
      i++;
      continue;
    }
    // Back-scanning detectors (email, URI) are clamped at lastEnd, so hits never overlap.
    hits.push(h);
    lastEnd = h.end;
    i = h.end;
  }
  return hits.length === 0 ? NO_HITS : hits;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
}

function isWordOrColon(c: number): boolean {
  const k = CLS[c]!;
  return c === 58 || (k !== 0 && k <= C_UNDERSCORE);
}
