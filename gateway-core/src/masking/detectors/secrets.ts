/**
 * Anchor-triggered detectors for emails and secrets: `@` (email), `://` (URI password),
 * `=` (key=value password), `-----BEGIN` (PEM private key). Each is entered from its anchor
 * character by the scanner and scans outward by hand, which keeps them linear: a regex like
 * `[\w.]+@…` re-scans every word in front of the `@` and degrades on long tokens.
 */
import type { RawHit } from '../types.js';
import { PASSWORD_MASK, PEM_MASK, maskEmailAt } from '../replace.js';

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number): boolean => isAlpha(c) || (c >= 48 && c <= 57);
// Email local part: the common dot-atom subset (quotes and `!#$&'*/=?^{|}~` are too rare to pay for).
// Email chars as one table load each: the scans out from `@` cover every char of an address.
const LOCAL_CHAR = 1;
const DOMAIN_CHAR = 2;
const EMAIL_CHARS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  if (isAlnum(c) || c === 46 || c === 45) EMAIL_CHARS[c] = LOCAL_CHAR | DOMAIN_CHAR;
  else if (c === 95 || c === 37 || c === 43) EMAIL_CHARS[c] = LOCAL_CHAR;
}
const isLocal = (c: number): boolean => (EMAIL_CHARS[c]! & LOCAL_CHAR) !== 0;
const isDomain = (c: number): boolean => (EMAIL_CHARS[c]! & DOMAIN_CHAR) !== 0;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Email around the `@` at index `at`. */
export function detectEmail(text: string, b: Uint16Array, at: number, lastEnd: number): RawHit | null {
  // '..' is looked for while scanning out, not in two more passes: `localDots` is the highest k
  // of the local part with b[k - 1] = b[k] = '.', `domainDots` the lowest in the domain.
  let s = at;
  let localDots = -1;
  while (s > lastEnd && at - s < 64) {
    const c = b[s - 1]!;
    if (!isLocal(c)) break;
    if (c === 46 && localDots < 0 && s < at && b[s] === 46) localDots = s;
    s--;
  }
  while (s < at && b[s] === 46) s++;
  if (s === at || b[at - 1] === 46) return null;
  // `scheme://user@host` is URI userinfo, not a mailbox.
  if (s >= 3 && b[s - 3] === 58 && b[s - 2] === 47 && b[s - 1] === 47) return null;
  const n = text.length;
  let e = at + 1;
  let domainDots = -1;
  while (e < n && e - at < 255) {
    const c = b[e]!;
    if (!isDomain(c)) break;
    if (c === 46 && domainDots < 0 && e >= at + 2 && b[e - 1] === 46) domainDots = e;
    e++;
  }
  // Drop trailing sentence punctuation, then the last label must be an alphabetic TLD.
  let dot: number;
  for (;;) {
    while (e > at + 1 && (b[e - 1] === 46 || b[e - 1] === 45)) e--;
    dot = lastDotAfter(b, at, e);
    if (dot <= at + 1) return null;
    const tldLen = e - dot - 1;
    let alpha = tldLen >= 2 && tldLen <= 24;
    for (let k = dot + 1; alpha && k < e; k++) alpha = isAlpha(b[k]!);
    if (alpha) break;
    e = dot;
  }
  const d0 = b[at + 1];
  // (a '..' pair counts only inside the final [s, e): the pair's first dot at or after s)
  if (d0 === 45 || d0 === 46 || (domainDots >= 0 && domainDots < e) || localDots > s) return null;
  return { detector: 'email', start: s, end: e, replacement: maskEmailAt(text, b, s, dot, e) };
}

/** Last '.' in (at, e), or -1. Bounded on purpose: lastIndexOf would rescan the whole prefix. */
function lastDotAfter(b: Uint16Array, at: number, e: number): number {
  for (let k = e - 1; k > at; k--) if (b[k] === 46) return k;
  return -1;
}

/**
 * Password in a URI's userinfo (`postgres://user:pass@host`), entered at the `:` of `://`.
 * Only the password is masked: user and host stay readable for troubleshooting.
 */
export function detectUriPassword(text: string, b: Uint16Array, colon: number, lastEnd: number): RawHit | null {
  let s = colon;
  while (s > lastEnd && colon - s < 32 && isSchemeChar(b[s - 1]!)) s--;
  if (s === colon || !isAlpha(b[s]!)) return null;
  const n = text.length;
  const from = colon + 3;
  let e = from;
  while (e < n && e - from < 1024) {
    const c = b[e]!;
    if (isSpace(c) || c === 34 || c === 39 || c === 96 || c === 60 || c === 62) break;
    e++;
  }
  const seg = text.slice(from, e);
  const userColon = seg.indexOf(':');
  if (userColon < 0) return null;
  // The password ends at the last '@' before the path; if the path has none, the password may
  // itself contain '/', so fall back to the last '@' overall (over-masking is the safe side).
  const slash = seg.indexOf('/', userColon);
  let atIdx = (slash < 0 ? seg : seg.slice(0, slash)).lastIndexOf('@');
  if (atIdx < 0) atIdx = seg.lastIndexOf('@');
  if (atIdx <= userColon + 1) return null;
  const user = seg.slice(0, userColon);
  if (user.includes('/') || user.includes('@')) return null;
  return { detector: 'connection-string-password', start: from + userColon + 1, end: from + atIdx, replacement: PASSWORD_MASK };
}

function isSchemeChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 46 || c === 45;
}

const isKeyChar = (c: number): boolean => isAlnum(c) || c === 95 || c === 46 || c === 45;

/** Key names whose value is a password: libpq `password=`, `PGPASSWORD=`, JDBC `;Password=`, `pwd=`. */
function isPasswordKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.endsWith('password') || k.endsWith('passwd') || k === 'pwd' || k === 'pass' || k.endsWith('_pwd') || k.endsWith('_pass');
}

/** `password=secret`, `password = 'se cret'` (libpq quoting), entered at the `=`. */
export function detectKeyValuePassword(text: string, b: Uint16Array, eq: number, lastEnd: number): RawHit | null {
  let k = eq;
  while (k > lastEnd && eq - k < 2 && b[k - 1] === 32) k--;
  // Every password key ends in 'd' or 's' (…password, …passwd, pwd, …pass): skip `page=`, `id=` early.
  const last = k > lastEnd ? b[k - 1]! | 0x20 : 0;
  if (last !== 100 && last !== 115) return null;
  let ks = k;
  while (ks > lastEnd && k - ks < 64 && isKeyChar(b[ks - 1]!)) ks--;
  if (ks === k || !isPasswordKey(text.slice(ks, k))) return null;
  const n = text.length;
  let v = eq + 1;
  while (v < n && v - eq < 3 && b[v] === 32) v++;
  if (v >= n) return null;
  const q = b[v]!;
  let start = v;
  let end: number;
  if (q === 39 || q === 34) {
    start = v + 1;
    end = start;
    while (end < n && b[end] !== q && b[end] !== 10) end += b[end] === 92 ? 2 : 1;
    end = Math.min(end, n);
  } else {
    end = v;
    while (end < n) {
      const c = b[end]!;
      if (isSpace(c) || c === 59 || c === 38 || c === 44 || c === 34 || c === 39 || c === 41 || c === 125 || c === 93 || c === 60 || c === 62) break;
      end++;
    }
  }
  if (end <= start) return null;
  return { detector: 'connection-string-password', start, end, replacement: PASSWORD_MASK };
}

/**
 * `-----BEGIN … PRIVATE KEY-----` through its END line, replaced whole. An unterminated block
 * (truncated cell, stream still open) is masked to the end of the text and flagged `open`.
 */
export function detectPem(text: string, i: number): RawHit | null {
  if (!text.startsWith('-----BEGIN ', i)) return null;
  const labelStart = i + 11;
  const hdrEnd = text.indexOf('-----', labelStart);
  if (hdrEnd < 0 || hdrEnd - labelStart > 64) return null;
  const label = text.slice(labelStart, hdrEnd);
  if (!label.includes('PRIVATE KEY')) return null;
  const marker = `-----END ${label}-----`;
  const endIdx = text.indexOf(marker, hdrEnd + 5);
  if (endIdx < 0) return { detector: 'pem-private-key', start: i, end: text.length, replacement: PEM_MASK, open: true };
  return { detector: 'pem-private-key', start: i, end: endIdx + marker.length, replacement: PEM_MASK };
}
