/**
 * Replacement formats. Each keeps at most a short hint (last 4 of a card, first letter and TLD of
 * an email) and never enough to rebuild the value. Lengths are normalised where the length itself
 * is a hint (cards always render as 16 positions, passwords as 6 bullets).
 */
import { BULLET } from './types.js';

const B4 = BULLET.repeat(4);
export const FULL_MASK = BULLET.repeat(6);

/** `•••• •••• •••• 1111` whatever the card's length or grouping. */
export function maskCard(digits: string): string {
  return `${B4} ${B4} ${B4} ${digits.slice(-4)}`;
}

/** `•••-••-6789`. */
export function maskSsn(digits: string): string {
  return `${BULLET.repeat(3)}-${BULLET.repeat(2)}-${digits.slice(-4)}`;
}

/** Replaces every ASCII letter/digit but the last `keep` with a bullet, keeping punctuation. */
export function maskKeepLast(s: string, keep: number): string {
  let alnum = 0;
  for (let k = 0; k < s.length; k++) if (isAlnum(s.charCodeAt(k))) alnum++;
  let out = '';
  let seen = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (isAlnum(c)) {
      seen++;
      out += seen > alnum - keep ? s[k] : BULLET;
    } else out += s[k];
  }
  return out;
}

/** `10.•••.•••.•••`: the first octet tells private from public, the rest is hidden. */
export function maskIpv4(s: string): string {
  const dot = s.indexOf('.');
  return `${s.slice(0, dot)}.${B4.slice(0, 3)}.${B4.slice(0, 3)}.${B4.slice(0, 3)}`;
}

/** `2001:•••`: the first hextet only (documentation, link-local or global). */
export function maskIpv6(s: string): string {
  const colon = s.indexOf(':');
  return colon > 0 ? `${s.slice(0, colon)}:${BULLET.repeat(3)}` : `::${BULLET.repeat(3)}`;
}

/** `j•••@•••.com`. */
export function maskEmail(local: string, tld: string): string {
  return `${local[0] ?? ''}${BULLET.repeat(3)}@${BULLET.repeat(3)}.${tld}`;
}

/** `DE•• •••• •••• •••• ••30 00` style: country code and last 4 kept, spacing kept. */
export function maskIban(s: string): string {
  let alnumTotal = 0;
  for (let k = 0; k < s.length; k++) if (isAlnum(s.charCodeAt(k))) alnumTotal++;
  let out = '';
  let seen = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (!isAlnum(c)) {
      out += s[k];
      continue;
    }
    seen++;
    out += seen <= 2 || seen > alnumTotal - 4 ? s[k] : BULLET;
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
