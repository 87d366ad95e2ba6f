/**
 * The single-pass scanner. One left-to-right walk over the text classifies each ASCII char with a
 * 128-entry table; plain text costs one table read per char, whole words are skipped at once, and
 * only anchors (a word start, `@`, `:`, `=`, `-`) call into a detector. Detectors validate
 * (Luhn, mod-97, SSA ranges, phone metadata, JWT header) so the anchors can be cheap and broad.
 *
 * Output: hits sorted by `start`, non-overlapping, in UTF-16 offsets of the input.
 */
import type { EnabledDetectors, RawHit } from './types.js';
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

const CLS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = C_DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = C_UPPER;
for (let c = 97; c <= 122; c++) CLS[c] = C_LOWER;
CLS[95] = C_UNDERSCORE;
CLS[64] = C_AT;
CLS[58] = C_COLON;
CLS[61] = C_EQ;
CLS[45] = C_DASH;

function isWordClass(k: number): boolean {
  return k >= C_DIGIT && k <= C_UNDERSCORE;
}

export interface ScanOptions {
  /** The caller knows the text is an SSN column (name hint): a bare 9-digit value counts. */
  ssnContext?: boolean;
}

export function scanText(text: string, enabled: EnabledDetectors, opts: ScanOptions = {}): RawHit[] {
  const hits: RawHit[] = [];
  const n = text.length;
  const ssnContext = opts.ssnContext === true;
  // No closures over i/lastEnd: captured mutable locals are context-allocated and slow the hot loop 3x.
  let lastEnd = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? CLS[c]! : 0;
    if (k === 0) {
      i++;
      continue;
    }
    let h: RawHit | null = null;
    if (k <= C_UNDERSCORE) {
      let w = i + 1;
      let allDigits = k === C_DIGIT;
      while (w < n) {
        const d = text.charCodeAt(w);
        const kd = d < 128 ? CLS[d]! : 0;
        if (kd === 0 || kd > C_UNDERSCORE) break;
        if (kd !== C_DIGIT) allDigits = false;
        w++;
      }
      if (enabled.ipv6 && w - i <= 4 && w < n && text.charCodeAt(w) === 58 && isHexCode(c) && (i === 0 || text.charCodeAt(i - 1) !== 58)) {
        // (a word right after ':' is mid-address: the start already failed)
        if (ipv6Candidate(text, i)) h = detectIpv6(text, i);
      }
      if (h === null) {
        if (allDigits) {
          const before = hits.length;
          const runEnd = scanNumericRun(text, i, lastEnd, enabled, ssnContext, hits);
          if (hits.length > before) lastEnd = hits[hits.length - 1]!.end;
          i = runEnd > w ? runEnd : w;
          continue;
        }
        if (k === C_UPPER) {
          if (c === 65 && enabled['aws-access-key']) h = detectAwsKey(text, i, w);
          if (h === null && enabled.iban && w - i >= 4) h = detectIban(text, i);
        } else if (k === C_LOWER && c === 101 && enabled.jwt && text.charCodeAt(i + 1) === 121) {
          h = detectJwt(text, i);
        }
        if (h === null) {
          i = w;
          continue;
        }
      }
    } else if (k === C_AT) {
      if (enabled.email) h = detectEmail(text, i, lastEnd);
    } else if (k === C_COLON) {
      const c1 = text.charCodeAt(i + 1);
      if (c1 === 47 && text.charCodeAt(i + 2) === 47) {
        if (enabled['connection-string-password']) h = detectUriPassword(text, i, lastEnd);
      } else if (c1 === 58 && enabled.ipv6 && (i === 0 || !isWordOrColon(text.charCodeAt(i - 1)))) {
        h = detectIpv6(text, i);
      }
    } else if (k === C_EQ) {
      if (enabled['connection-string-password']) h = detectKeyValuePassword(text, i, lastEnd);
    } else if (k === C_DASH) {
      if (enabled['pem-private-key'] && text.charCodeAt(i + 1) === 45) h = detectPem(text, i);
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
  return hits;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isWordOrColon(c: number): boolean {
  return c === 58 || (c < 128 && isWordClass(CLS[c]!));
}
