// Generators for realistic-looking but fake sensitive identifiers. The demo exists to show masking,
// so the values must look right to the validated detectors (Luhn for cards, SSA rules for SSNs,
// libphonenumber for phones) while never being real: cards use public test IIN prefixes only.
import type { Faker } from '@faker-js/faker';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover';

/** Public test-card prefixes (Stripe/PayPal docs style) and the PAN length for each brand. */
const TEST_PREFIXES: ReadonlyArray<{ prefix: string; brand: CardBrand; length: number }> = [
  { prefix: '4111', brand: 'visa', length: 16 },
  { prefix: '4242', brand: 'visa', length: 16 },
  { prefix: '5555', brand: 'mastercard', length: 16 },
  { prefix: '2223', brand: 'mastercard', length: 16 },
  // Amex PANs are 15 digits; a 16-digit "3782" number would look wrong to any brand-aware detector.
  { prefix: '3782', brand: 'amex', length: 15 },
  { prefix: '6011', brand: 'discover', length: 16 },
];

/** True when the digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The check digit that makes `partial` + digit pass Luhn. */
export function luhnCheckDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    // Position counted from the right once the check digit is appended: odd positions double.
    let d = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function fakeCard(f: Faker): { brand: CardBrand; number: string } {
  const p = f.helpers.arrayElement(TEST_PREFIXES);
  let body = p.prefix;
  while (body.length < p.length - 1) body += String(f.number.int({ min: 0, max: 9 }));
  return { brand: p.brand, number: body + String(luhnCheckDigit(body)) };
}

/** Groups a PAN the way people write it: 4-4-4-4, or 4-6-5 for Amex. */
export function formatCard(pan: string, sep: string): string {
  const groups = pan.length === 15 ? [4, 6, 5] : [4, 4, 4, 4];
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    out.push(pan.slice(at, at + g));
    at += g;
  }
  return out.join(sep);
}

/** A US SSN outside the never-issued ranges: area 000, 666 and 900-999; group 00; serial 0000. */
export function fakeSsn(f: Faker): string {
  let area = f.number.int({ min: 1, max: 898 });
  if (area >= 666) area += 1; // skip 666 without biasing the distribution much
  const group = f.number.int({ min: 1, max: 99 });
  const serial = f.number.int({ min: 1, max: 9999 });
  return `${pad(area, 3)}-${pad(group, 2)}-${pad(serial, 4)}`;
}

export function ssnValid(ssn: string): boolean {
  const m = /^(\d{3})-(\d{2})-(\d{4})$/.exec(ssn);
  if (!m) return false;
  const [area, group, serial] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

// Assigned, geographic US area codes: faker's random NPAs are often unassigned, which a
// libphonenumber-based detector would (rightly) reject, and then the demo would show no masking.
const AREA_CODES = [
  206, 212, 213, 214, 215, 217, 303, 305, 310, 312, 313, 314, 404, 407, 415, 425, 469, 480, 503, 504,
  512, 602, 614, 617, 619, 646, 650, 702, 704, 713, 718, 720, 773, 786, 801, 808, 813, 832, 858, 917,
  919, 929, 971, 972,
];

/** A US phone number in national format, e.g. "(415) 392-4817". */
export function fakePhone(f: Faker): string {
  const npa = f.helpers.arrayElement(AREA_CODES);
  let nxx = f.number.int({ min: 201, max: 989 });
  // N11 exchanges (411, 911...) and 555 are service/fictional codes that validators treat specially.
  if (nxx % 100 === 11 || nxx === 555) nxx += 1;
  const line = f.number.int({ min: 1000, max: 9999 });
  return `(${npa}) ${nxx}-${line}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
