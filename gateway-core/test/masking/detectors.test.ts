import { describe, expect, it } from 'vitest';
import { BULLET, createMasker } from '../../src/masking/index.js';

const m = createMasker({ detectors: 'all' });
const mask = (s: string): string => m.maskText(s).text;
const B = BULLET;

describe('detectors inside JSON, arrays and composites', () => {
  it.each([
    ['{"email":"a@b.co"}', `{"email":"a${B.repeat(3)}@${B.repeat(3)}.co"}`],
    ['{4111111111111111,foo}', `{${B.repeat(4)} ${B.repeat(4)} ${B.repeat(4)} 1111,foo}`],
    ['("Jane","415-555-2671")', `("Jane","${B.repeat(3)}-${B.repeat(3)}-${B.repeat(2)}71")`],
    ['["123-45-6789"]', `["${B.repeat(3)}-${B.repeat(2)}-6789"]`],
    ['{"ssn":"123456789"}', `{"ssn":"${B.repeat(3)}-${B.repeat(2)}-6789"}`],
  ])('%s', (input, expected) => {
    expect(mask(input)).toBe(expected);
  });
});

describe('replacement formats', () => {
  it('card keeps the last 4 in a fixed 16-position shape', () => {
    for (const c of ['4111 1111 1111 1111', '4111-1111-1111-1111', '378282246310005', '3782-822463-10005']) {
      expect(mask(c)).toBe(`${B.repeat(4)} ${B.repeat(4)} ${B.repeat(4)} ${c.replace(/\D/g, '').slice(-4)}`);
    }
  });
  it('email keeps first letter and TLD', () => expect(mask('jane.doe@example.com')).toBe(`j${B.repeat(3)}@${B.repeat(3)}.com`));
  it('phone keeps punctuation and last 2 digits', () => expect(mask('+1 (415) 555-2671')).toBe(`+${B} (${B.repeat(3)}) ${B.repeat(3)}-${B.repeat(2)}71`));
  it('iban keeps the country and last 4', () => expect(mask('DE89 3704 0044 0532 0130 00')).toBe(`DE${B.repeat(2)} ${B.repeat(4)} ${B.repeat(4)} ${B.repeat(4)} ${B.repeat(2)}30 00`));
  it('ipv4 keeps the first octet, ipv6 the first group', () => {
    expect(mask('from 192.168.10.20:22')).toBe(`from 192.${B.repeat(3)}.${B.repeat(3)}.${B.repeat(3)}:22`);
    expect(mask('addr 2001:db8::8a2e:370:7334 up')).toBe(`addr 2001:${B.repeat(3)} up`);
  });
  it('aws key keeps prefix and last 4', () => expect(mask('AKIAIOSFODNN7EXAMPLE')).toBe(`AKIA${B.repeat(12)}MPLE`));
  it('connection strings mask only the password', () => {
    expect(mask('postgres://app:s3cr3t@db:5432/x')).toBe(`postgres://app:${B.repeat(6)}@db:5432/x`);
    expect(mask("host=db password='a b\\'c' user=x")).toBe(`host=db password='${B.repeat(6)}' user=x`);
    expect(mask('Server=db;Password=p@ss;Database=x')).toBe(`Server=db;Password=${B.repeat(6)};Database=x`);
  });
  it('jwt and pem are replaced whole', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(mask(`Bearer ${jwt}`)).toBe('Bearer [masked:jwt]');
    expect(mask('a\n-----BEGIN PRIVATE KEY-----\nMIIE\nAAAA\n-----END PRIVATE KEY-----\nb')).toBe('a\n[masked:pem-private-key]\nb');
    expect(mask('-----BEGIN RSA PRIVATE KEY-----\nMIIE truncated')).toBe('[masked:pem-private-key]');
  });
});

describe('hard negatives stay untouched', () => {
  it.each([
    '2024-01-05T12:30:45Z', 'v1.2.3', '1.2.3', '550e8400-e29b-41d4-a716-446655440000', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    '4111 1111 1111 1112', '000-12-3456', '666-12-3456', '900-12-3456', '123-00-4567', '123-45-0000', 'order 123456789',
    'GB82WEST12345698765433', '256.1.1.1', '$1,299.99', '1Z999AA10123456784', 'eyJmb28iOiJiYXIifQ.eyJhIjoxfQ.c2ln', 'std::vector',
    'https://user@example.com/', 'password_reset=true', '12:30:45', '00:1a:2b:3c:4d:5e',
  ])('%s', (s) => {
    expect(m.maskText(s).hits).toEqual([]);
  });
});

describe('hits and offsets', () => {
  it('reports input and output offsets', () => {
    const input = 'mail jane@example.com card 4111111111111111';
    const r = m.maskText(input);
    expect(r.hits.map((h) => h.detector)).toEqual(['email', 'card']);
    for (const h of r.hits) {
      expect(input.slice(h.start, h.end)).toMatch(/jane@example\.com|4111111111111111/);
      expect(r.text.slice(h.outStart, h.outEnd)).toContain(B);
    }
  });
  it('finds several values in one digit run', () => {
    expect(m.maskText('4111 1111 1111 1111 415-555-2671').hits.map((h) => h.detector)).toEqual(['card', 'phone']);
  });
  it('masks a grouped card pasted beside other 4-digit groups (a leak before)', () => {
    for (const input of ['2985 4111 1111 1111 1111', '4111 1111 1111 1111 2985', '2985-5555-5555-5555-4444-7777']) {
      const r = m.maskText(input);
      expect(r.hits.map((h) => h.detector)).toEqual(['card']);
      expect(r.text).not.toMatch(/4111 1111 1111 1111|5555-5555-5555-4444/);
    }
    // Groups that pass no issuer range and checksum stay: a USPS tracking number.
    expect(m.maskText('9400 1000 0000 0000 0000 00').hits).toEqual([]);
  });
  it('is idempotent: masked output does not re-match', () => {
    const once = mask('jane@example.com 4111111111111111 123-45-6789 +44 20 7946 0958');
    expect(m.maskText(once).hits).toEqual([]);
  });
  it('honours the detector selection', () => {
    const onlyCard = createMasker({ detectors: { card: true } });
    expect(onlyCard.maskText('jane@example.com 4111111111111111').hits.map((h) => h.detector)).toEqual(['card']);
  });
  it('handles pathological input in linear time', () => {
    // 100k chars each; linear scanning takes tens of ms even on a loaded CI core.
    const inputs = ['1 ', 'a@', '::', 'x=', '-----BEGIN ', 'eyJ', '1.', 'a://', 'DE89 ', "password='", 'a.'].map((u) => u.repeat(Math.ceil(100_000 / u.length)));
    for (const s of inputs) {
      const t0 = performance.now();
      m.maskText(s);
      expect(performance.now() - t0).toBeLessThan(1500);
    }
  });
});
