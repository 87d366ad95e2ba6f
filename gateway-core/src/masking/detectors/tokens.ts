/**
 * Word-shaped detectors entered at a word start: AWS access key ids, JWTs, IBANs, IPv6.
 * Each validates structurally (checksum, decodable header, group counts) so that hex hashes,
 * base64 blobs and version strings fall through.
 */
import { Buffer } from 'node:buffer';
import type { RawHit } from '../types.js';
import { JWT_MASK, maskAwsKey, maskIban, maskIpv6 } from '../replace.js';

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isUpper(c) || isDigit(c) || (c >= 97 && c <= 122);
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isB64Url = (c: number): boolean => isAlnum(c) || c === 45 || c === 95;

/** `AKIA…`/`ASIA…` + 16 uppercase base32-ish characters, as a whole word of exactly 20. */
export function detectAwsKey(text: string, b: Uint16Array, i: number, wordEnd: number): RawHit | null {
  if (wordEnd - i !== 20) return null;
  if (b[i] !== 65 || (b[i + 1] !== 75 && b[i + 1] !== 83) || b[i + 2] !== 73 || b[i + 3] !== 65) return null; // AKIA / ASIA
  for (let k = i + 4; k < wordEnd; k++) {
    const c = b[k]!;
    if (!isUpper(c) && !isDigit(c)) return null;
  }
  return { detector: 'aws-access-key', start: i, end: wordEnd, replacement: maskAwsKey(text.slice(i, wordEnd)) };
}

/** `header.payload.signature`, base64url, header decoding to a JSON object with a string `alg`. */
export function detectJwt(text: string, b: Uint16Array, i: number): RawHit | null {
  const n = text.length;
  let k = i;
  while (k < n && isB64Url(b[k]!)) k++;
  const headerEnd = k;
  if (headerEnd - i < 10 || b[k]! !== 46) return null;
  k++;
  const payloadStart = k;
  while (k < n && isB64Url(b[k]!)) k++;
  if (k === payloadStart || b[k]! !== 46) return null;
  k++;
  while (k < n && isB64Url(b[k]!)) k++;
  // A fourth segment means JWE or a dotted identifier, not a JWS.
  if (b[k]! === 46 && k + 1 < n && isB64Url(b[k + 1]!)) return null;
  if (!headerHasAlg(text.slice(i, headerEnd))) return null;
  return { detector: 'jwt', start: i, end: k, replacement: JWT_MASK };
}

function headerHasAlg(segment: string): boolean {
  if (segment.length > 2048) return false;
  const json = Buffer.from(segment, 'base64url').toString('utf8');
  if (!json.includes('"alg"')) return false;
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { alg?: unknown }).alg === 'string';
  } catch {
    return false; // the parse error text would quote the input: never let it escape
  }
}

/** IBAN lengths per country (SWIFT registry). An unknown country code is not an IBAN. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
  // Partner/experimental formats (AFRICAN/IR) that banks and test data generators emit.
  AO: 25, BF: 28, BJ: 28, CI: 28, CM: 27, CV: 25, DZ: 26, IR: 26, MG: 27, ML: 28, MZ: 25, SN: 28,
};

/** IBAN_LENGTHS by country-code char codes ((c1 - 65) * 26 + c2 - 65); 0 = not a country. */
const IBAN_LEN_BY_CODE = new Uint8Array(26 * 26);
for (const [cc, len] of Object.entries(IBAN_LENGTHS)) IBAN_LEN_BY_CODE[(cc.charCodeAt(0) - 65) * 26 + cc.charCodeAt(1) - 65] = len;

/** IBAN, compact or printed in groups separated by single spaces; ISO 13616 mod-97 must be 1. */
export function detectIban(text: string, b: Uint16Array, i: number): RawHit | null {
  const n = text.length;
  const c0 = b[i]!;
  const c1 = b[i + 1]!;
  if (i + 4 > n || !isUpper(c0) || !isUpper(c1) || !isDigit(b[i + 2]!) || !isDigit(b[i + 3]!)) {
    return null;
  }
  const len = IBAN_LEN_BY_CODE[(c0 - 65) * 26 + c1 - 65]!;
  if (len === 0) return null;
  let count = 0;
  let spaced = false;
  let k = i;
  while (k < n && count < len) {
    const c = b[k]!;
    if (isUpper(c) || isDigit(c)) {
      count++;
      k++;
    } else if (c === 32 && k + 1 < n && (isUpper(b[k + 1]!) || isDigit(b[k + 1]!))) {
      spaced = true;
      k++;
    } else break;
  }
  if (count !== len || (k < n && isAlnum(b[k]!))) return null;
  if (!mod97(b, i, k)) return null;
  return { detector: 'iban', start: i, end: k, replacement: maskIban(text, b, i, k, spaced) };
}

/**
 * ISO 13616 check over text[s, e) (spaces skipped): the first 4 chars are moved to the end.
 * The remainder stays a small integer, reduced whenever it reaches 1e7 (so `rem * 100 + 99` stays
 * below 2^31): `%` on a double (a remainder kept up to 1e12) was a third of an IBAN's cost.
 */
function mod97(b: Uint16Array, s: number, e: number): boolean {
  let rem = 0;
  for (let pass = 0; pass < 2; pass++) {
    const from = pass === 0 ? s + 4 : s;
    const to = pass === 0 ? e : s + 4;
    for (let k = from; k < to; k++) {
      const c = b[k]!;
      if (isDigit(c)) rem = rem * 10 + (c - 48);
      else if (c !== 32) rem = rem * 100 + (c - 55); // A=10 … Z=35, always two digits
      if (rem >= 10_000_000) rem = (rem % 97) | 0;
    }
  }
  return rem % 97 === 1;
}

/** Cheap gate for the scanner: a hex word of ≤4 chars directly followed by ':'. */
export function ipv6Candidate(b: Uint16Array, i: number): boolean {
  // (no end check: the zero padding after the text is neither hex nor ':')
  for (let k = i; k < i + 5; k++) {
    const c = b[k]!;
    if (c === 58) return k > i || b[k + 1]! === 58;
    if (!isHex(c)) return false;
  }
  return false;
}

/**
 * RFC 4291 text forms: eight groups, or fewer with one `::`, optional dotted-quad tail and zone.
 * At least one digit is required so that `dead::beef`-like words and `std::` never match.
 */
export function detectIpv6(text: string, b: Uint16Array, i: number): RawHit | null {
  const n = text.length;
  let j = i;
  let groups = 0;
  let dbl = false;
  if (b[j]! === 58) {
    if (b[j + 1]! !== 58) return null;
    dbl = true;
    j += 2;
  }
  for (;;) {
    let k = j;
    while (k < n && k - j <= 4 && isHex(b[k]!)) k++;
    const hexLen = k - j;
    if (hexLen === 0) break;
    if (hexLen > 4) return null;
    if (b[k]! === 46 && groups <= 6) {
      const v4 = dottedQuadEnd(text, b, j);
      if (v4 < 0) return null;
      groups += 2;
      j = v4;
      break;
    }
    groups++;
    j = k;
    if (b[j]! !== 58) break;
    if (b[j + 1]! === 58) {
      if (dbl) break;
      dbl = true;
      j += 2;
      continue;
    }
    if (!isHex(b[j + 1]!)) break;
    j++;
  }
  if (groups === 0 || (dbl ? groups > 7 : groups !== 8)) return null;
  // Glued to a word, or followed by another ':' (a second '::', a trailing colon): not an address.
  if (j < n && (isAlnum(b[j]!) || b[j]! === 95 || b[j]! === 58)) return null;
  let hasDigit = false;
  for (let k = i; k < j && !hasDigit; k++) hasDigit = isDigit(b[k]!);
  if (!hasDigit) return null;
  const s = text.slice(i, j);
  if (b[j]! === 37 /* % zone */) {
    j++;
    while (j < n && (isAlnum(b[j]!) || b[j]! === 95 || b[j]! === 46)) j++;
  }
  return { detector: 'ipv6', start: i, end: j, replacement: maskIpv6(s) };
}

function dottedQuadEnd(text: string, b: Uint16Array, i: number): number {
  let j = i;
  for (let part = 0; part < 4; part++) {
    let k = j;
    while (k < text.length && k - j < 3 && isDigit(b[k]!)) k++;
    if (k === j || +text.slice(j, k) > 255) return -1;
    j = k;
    if (part < 3) {
      if (b[j]! !== 46) return -1;
      j++;
    }
  }
  return j;
}
