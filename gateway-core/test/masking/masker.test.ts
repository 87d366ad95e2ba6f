import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { BULLET, FULL_MASK, Masker, MaskingError, MaskingPolicyError, createMasker } from '../../src/masking/index.js';

const KEY = 'deployment-key-0123456789abcdef';
const policy = {
  detectors: 'all' as const,
  columns: {
    'public.customers.phone': 'partial' as const,
    'public.customers.id': 'hash' as const,
    'public.customers.notes': 'full' as const,
    'public.*.email': 'full' as const,
    'public.audit.email': 'none' as const,
  },
  hashKey: KEY,
};

describe('column rules', () => {
  const m = createMasker(policy);
  const col = (table: string, column: string, schema = 'public') => ({ schema, table, column });

  it('full replaces wholly, partial keeps last 4, hash is prefixed', () => {
    expect(m.maskCell('anything at all', col('customers', 'notes'))).toEqual({ text: FULL_MASK, masked: true, by: 'full' });
    expect(m.maskCell('+1 415 555 2671', col('customers', 'phone'))).toEqual({ text: `${BULLET.repeat(11)}2671`, masked: true, by: 'partial' });
    expect(m.maskCell(42, col('customers', 'id')).text).toMatch(/^hash:[0-9a-f]{16}$/);
  });

  it('partial never reveals a short value whole', () => {
    expect(m.maskCell('abcd', col('customers', 'phone')).text).toBe(BULLET.repeat(4));
    expect(m.maskCell('abcdef', col('customers', 'phone')).text).toBe(`${BULLET.repeat(4)}ef`);
  });

  it('an exact rule overrides a wildcard; none still runs detectors', () => {
    expect(m.maskCell('x@y.com', col('orders', 'email')).by).toBe('full');
    expect(m.maskCell('plain text', col('audit', 'email'))).toEqual({ text: 'plain text', masked: false });
    expect(m.maskCell('mail x@y.com', col('audit', 'email'))).toMatchObject({ masked: true, by: 'email' });
  });

  it('an unqualified column takes the most restrictive rule that could apply', () => {
    expect(m.maskCell('x@y.com', { column: 'email' }).by).toBe('full');
    expect(m.maskCell('x', { table: 'customers', column: 'notes' }).by).toBe('full');
  });

  it('matches names case-insensitively', () => {
    expect(m.maskCell('secret', col('Customers', 'NOTES', 'PUBLIC')).by).toBe('full');
  });

  it('hash is deterministic per key and differs across keys', () => {
    const a = createMasker(policy);
    const b = createMasker(policy);
    const c = createMasker({ ...policy, hashKey: 'another-deployment-key-xyz' });
    const v = a.maskCell('cust-1001', col('customers', 'id')).text;
    expect(b.maskCell('cust-1001', col('customers', 'id')).text).toBe(v);
    expect(c.maskCell('cust-1001', col('customers', 'id')).text).not.toBe(v);
    expect(a.maskCell('cust-1002', col('customers', 'id')).text).not.toBe(v);
  });

  it('SSN-named columns accept a bare 9-digit value', () => {
    expect(m.maskCell('123456789', { column: 'ssn' })).toMatchObject({ masked: true, by: 'ssn' });
    expect(m.maskCell('123456789', { column: 'order_no' })).toMatchObject({ masked: false });
  });
});

describe('maskCell rendering', () => {
  const m = createMasker({ detectors: 'all' });
  it('renders pg values and masks inside them', () => {
    expect(m.maskCell(null)).toEqual({ text: null, masked: false });
    expect(m.maskCell(undefined)).toEqual({ text: null, masked: false });
    expect(m.maskCell(12n).text).toBe('12');
    expect(m.maskCell(true).text).toBe('true');
    expect(m.maskCell(new Date(Date.UTC(2024, 0, 5))).text).toBe('2024-01-05T00:00:00.000Z');
    expect(m.maskCell(Buffer.from([0xde, 0xad])).text).toBe('\\xdead');
    const arr = m.maskCell(['a@b.co', '4111111111111111']);
    expect(arr.masked).toBe(true);
    expect(arr.by).toBe('email,card');
    expect(arr.text).not.toContain('4111111111111111');
    const obj = m.maskCell({ user: { email: 'jane@example.com', n: 1n, raw: Buffer.from('hi') } });
    expect(obj.text).toBe(`{"user":{"email":"j${BULLET.repeat(3)}@${BULLET.repeat(3)}.com","n":"1","raw":"\\\\x6869"}}`);
  });
});

describe('fail closed', () => {
  const m = createMasker({ detectors: 'all' });
  it('a value that cannot be rendered is an error, never the raw value', () => {
    const circular: Record<string, unknown> = { card: '4111111111111111' };
    circular.self = circular;
    expect(() => m.maskCell(circular)).toThrow(MaskingError);
    const hostile = { toJSON(): never { throw new Error('secret 4111111111111111 in message'); } };
    try {
      m.maskCell(hostile);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MaskingError);
      expect((e as Error).message).not.toContain('4111');
      expect((e as MaskingError).code).toBe('MASKING_FAILED');
    }
  });
  it('non-string input to maskText throws MaskingError', () => {
    expect(() => m.maskText(42 as unknown as string)).toThrow(MaskingError);
  });
});

describe('policy validation', () => {
  it('rejects the whole policy with path and reason', () => {
    const bad = [
      { detectors: { card: true, credit: true } },
      { columns: { 'customers.phone': 'partial' } },
      { columns: { 'public.customers.phone': 'redact' } },
      { columns: { 'public.customers.id': 'hash' } },
      { columns: {}, hashKey: 'short' },
      { detectors: 'all', extra: 1 },
    ];
    for (const p of bad) {
      expect(() => Masker.fromPolicy(p)).toThrow(MaskingPolicyError);
    }
    try {
      Masker.fromPolicy({ columns: { 'public.customers.id': 'hash' } });
    } catch (e) {
      expect((e as MaskingPolicyError).issues[0]?.path).toBe('hashKey');
    }
  });
  it('defaults to all detectors and no column rules', () => {
    expect(createMasker({}).detectors.length).toBe(11);
    expect(createMasker({ detectors: { email: true, card: false } }).detectors).toEqual(['email']);
  });
});
