/**
 * Replacement formats. Each keeps at most a short hint (last 4 of a card, first letter and TLD of
 * an email) and never enough to rebuild the value. Lengths are normalised where the length itself
 * is a hint (cards always render as 16 positions, passwords as 6 bullets).
 */
import { BULLET } from './types.js';

const B4 = BULLET.repeat(4);
export const FULL_MASK = BULLET.repeat(6);

/** Runs of bullets by length: replacements are built from a few slices, not char by char. */
const RUNS: string[] = Array.from({ length: 65 }, (_, k) => BULLET.repeat(k));
export const bullets = (k: number): string => (k < RUNS.length ? RUNS[k]! : BULLET.repeat(k));

const CARD_PREFIX = `${B4} ${B4} ${B4} `;
const SSN_PREFIX = `${BULLET.repeat(3)}-${BULLET.repeat(2)}-`;

/** Card `•••• •••• •••• 1111` whatever its length or grouping; SSN `•••-••-6789`. */
export function maskLast4(kind: 'card' | 'ssn', last4: string): string {
  return (kind === 'card' ? CARD_PREFIX : SSN_PREFIX) + last4;
}

/**
 * text[s, e) (`b`: its code units) with every ASCII letter/digit but the last `keep` replaced by a
 * bullet, punctuation kept. The hidden part's mask depends only on its shape (where the
 * punctuation is), and a column of phone numbers has a handful of shapes: it is cached by an exact
 * integer key (3 bits per unit), so a phone costs one lookup and one concatenation instead of a
 * string built run by run.
 */
export function maskKeepLast(text: string, b: Uint16Array, s: number, e: number, keep: number): string {
  let hide = -keep;
  for (let k = s; k < e; k++) if (isAlnum(b[k]!)) hide++;
  // [s, k) is hidden (its alphanumerics become bullets); the shape key stays exact below 2^53.
  let key = 1;
  let k = s;
  for (; k < e && hide > 0; k++) {
    const c = b[k]!;
    let code = 1;
    if (isAlnum(c)) hide--;
    else code = c < 128 ? SHAPE_CODE[c]! : 0;
    if (key > 0) key = code === 0 || key >= SHAPE_KEY_LIMIT ? -1 : key * 8 + code;
  }
  if (key < 0) return hiddenMask(text, b, s, k) + text.slice(k, e);
  let mask = KEEP_LAST_MASKS.get(key);
  if (mask === undefined) {
    mask = hiddenMask(text, b, s, k);
    if (KEEP_LAST_MASKS.size < 1024) KEEP_LAST_MASKS.set(key, mask);
  }
  return mask + text.slice(k, e);
}

/** text[s, k) with every ASCII letter/digit replaced by a bullet, in runs. */
function hiddenMask(text: string, b: Uint16Array, s: number, k: number): string {
  let out = '';
  let run = 0;
  for (let p = s; p < k; p++) {
    if (isAlnum(b[p]!)) run++;
    else {
      if (run > 0) out += bullets(run);
      run = 0;
      out += text[p];
    }
  }
  return run > 0 ? out + bullets(run) : out;
}

/** Punctuation a phone or id carries, 2–7 (1 is "alphanumeric", 0 "not cacheable"). */
const SHAPE_CODE = new Uint8Array(128);
SHAPE_CODE[32] = 2; // ' '
SHAPE_CODE[45] = 3; // -
SHAPE_CODE[46] = 4; // .
SHAPE_CODE[40] = 5; // (
SHAPE_CODE[41] = 6; // )
SHAPE_CODE[43] = 7; // +
const SHAPE_KEY_LIMIT = 2 ** 49;
const KEEP_LAST_MASKS = new Map<number, string>();

const IPV4_TAIL = `.${B4.slice(0, 3)}.${B4.slice(0, 3)}.${B4.slice(0, 3)}`;
const IPV4_MASKS: string[] = Array.from({ length: 256 }, (_, v) => `${v}${IPV4_TAIL}`);

/** `10.•••.•••.•••`: the first octet tells private from public, the rest is hidden. */
export function maskIpv4Octet(first: number): string {
  return IPV4_MASKS[first]!;
}

/** `2001:•••`: the first hextet only (documentation, link-local or global). */
export function maskIpv6(s: string): string {
  const colon = s.indexOf(':');
  return colon > 0 ? `${s.slice(0, colon)}:${BULLET.repeat(3)}` : `::${BULLET.repeat(3)}`;
}

const EMAIL_MID = `${BULLET.repeat(3)}@${BULLET.repeat(3)}.`;

/** `j•••@•••.com`: the first character of the local part and the TLD. */
export function maskEmail(first: string, tld: string): string {
  return first + EMAIL_MID + tld;
}

const EMAIL_MASKS: Array<Map<number, string> | undefined> = new Array<Map<number, string> | undefined>(128).fill(undefined);

/**
 * maskEmail for text[s] and the TLD text(dot, e), cached by ASCII first char and TLD of up to 4
 * letters: a column of emails has few distinct pairs, and the slice and two concatenations were
 * a tenth of an email cell's cost. The TLD is alphabetic (detectEmail checked), so `c & 63`
 * (A–Z 1–26, a–z 33–58) packs it into a small integer key without collisions.
 */
export function maskEmailAt(text: string, b: Uint16Array, s: number, dot: number, e: number): string {
  const c0 = b[s]!;
  if (c0 >= 128 || e - dot - 1 > 4) return maskEmail(text[s]!, text.slice(dot + 1, e));
  let key = 0;
  for (let k = dot + 1; k < e; k++) key = key * 64 + (b[k]! & 63);
  let byTld = EMAIL_MASKS[c0];
  if (byTld === undefined) byTld = EMAIL_MASKS[c0] = new Map();
  let mask = byTld.get(key);
  if (mask === undefined) {
    mask = maskEmail(text[s]!, text.slice(dot + 1, e));
    if (byTld.size < 256) byTld.set(key, mask);
  }
  return mask;
}

/** `DE•• •••• •••• •••• ••30 00` style: country code and last 4 kept, spacing kept (text[s, e)). */
export function maskIban(text: string, b: Uint16Array, s: number, e: number, spaced: boolean): string {
  if (!spaced) return text.slice(s, s + 2) + bullets(e - s - 6) + text.slice(e - 4, e);
  let alnumTotal = 0;
  for (let k = s; k < e; k++) if (isAlnum(b[k]!)) alnumTotal++;
  let out = '';
  let seen = 0;
  for (let k = s; k < e; k++) {
    if (!isAlnum(b[k]!)) {
      out += text[k];
      continue;
    }
    seen++;
    out += seen <= 2 || seen > alnumTotal - 4 ? text[k] : BULLET;
  }
  return out;
}

/** `AKIA••••••••••••WXYZ`: prefix says key type, last 4 match the AWS console. */
export function maskAwsKey(s: string): string {
  return `${s.slice(0, 4)}${BULLET.repeat(12)}${s.slice(-4)}`;
}

export const JWT_MASK = '[masked:jwt]';
export const PEM_MASK = '[masked:pem-private-key]';
export const PASSWORD_MASK = FULL_MASK;

/**
 * Continuation mask for a value whose beginning was already emitted (stream context): every
 * non-whitespace character becomes a bullet, so nothing more of the value is revealed.
 */
export function maskContinuation(s: string): string {
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    out += c === 32 || c === 10 || c === 13 || c === 9 ? s[k] : BULLET;
  }
  return out;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
