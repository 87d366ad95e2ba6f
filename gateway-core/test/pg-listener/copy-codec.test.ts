/**
 * COPY row codec: values encoded the way COPY writes them are read back unchanged, in text and CSV
 * with default and unusual options; rows split across messages and header/column mismatches
 * fail closed in CopyOutMasker.
 */
import { describe, expect, it } from 'vitest';
import { decodeField, encodeField, rowEnd, splitFields } from '../../src/pg-listener/copy-codec.js';
import { CopyOutMasker } from '../../src/pg-listener/copy-out.js';
import type { CopyFormat } from '../../src/pg-listener/copy-plan.js';
import { analyzeCopy } from '../../src/pg-listener/copy-plan.js';
import { createMasker } from '../../src/masking/index.js';
import { initSqlGuard } from '../../src/policy/sql/index.js';

const fmt = (o: Partial<CopyFormat> & { csv: boolean }): CopyFormat => ({
  header: false,
  delimiter: o.csv ? 0x2c : 0x09,
  quote: 0x22,
  escape: o.quote ?? 0x22,
  nullText: o.csv ? '' : '\\N',
  ...o,
});

const FORMATS: Record<string, CopyFormat> = {
  text: fmt({ csv: false }),
  'text | nil': fmt({ csv: false, delimiter: 0x7c, nullText: 'nil' }),
  csv: fmt({ csv: true }),
  "csv ; ' \\": fmt({ csv: true, delimiter: 0x3b, quote: 0x27, escape: 0x5c, nullText: 'NULL' }),
};

const ALPHABET = ['a', 'Z', '0', ' ', '\t', '\n', '\r', '\\', '"', "'", ',', ';', '|', '.', '\b', '\f', '\v', '\u0001', 'é', '€', '😀', 'N', 'nil', 'NULL'];

function randomValue(rand: () => number): string | null {
  if (rand() < 0.1) return null;
  const special = ['', '\\.', '\\N', 'NULL', 'nil'];
  if (rand() < 0.1) return special[Math.floor(rand() * special.length)]!;
  let s = '';
  const n = Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
  return s;
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('COPY codec', () => {
  for (const [name, f] of Object.entries(FORMATS)) {
    it(`round-trips random rows (${name})`, () => {
      const rand = seeded(name.length * 7919);
      for (let r = 0; r < 2000; r++) {
        const width = 1 + Math.floor(rand() * 4);
        let values = Array.from({ length: width }, () => randomValue(rand));
        // In text format a value spelled like a custom NULL string is ambiguous (in PostgreSQL too).
        if (!f.csv) values = values.map((v) => (v === f.nullText ? 'x' : v));
        const line = values.map((v) => encodeField(v, f, false, width === 1)).join(String.fromCharCode(f.delimiter));
        const row = Buffer.from(`${line}\nnext`);
        const end = rowEnd(row, 0, f);
        expect(end).toBe(row.length - 5);
        const text = row.toString('utf8', 0, end);
        expect(splitFields(text, f).map((field) => decodeField(text, field, f))).toEqual(values);
      }
    });
  }

  it('reads octal and hex escapes as COPY FROM does', () => {
    const f = FORMATS.text!;
    for (const [row, value] of [
      ['\\101\\x42\\x4\\q\\\\', 'AB\u0004q\\'],
      ['\\303\\251t\\xc3\\xa9', 'été'],
      ['a\\tb\\\\0', 'a\tb\\0'],
    ] as const) {
      expect(decodeField(row, splitFields(row, f)[0]!, f), row).toBe(value);
    }
  });

  it('masks by column, keeps a row split across messages whole, and fails closed on mismatches', async () => {
    await initSqlGuard();
    const plan = analyzeCopy('COPY (SELECT email, ssn FROM customers) TO STDOUT (FORMAT csv, HEADER)');
    if (!plan.ok) throw new Error(plan.reason);
    const masker = createMasker({ detectors: 'all', columns: { 'public.customers.ssn': 'full' } });
    const make = () =>
      new CopyOutMasker(plan.copy.format, {
        names: ['email', 'ssn'],
        plans: [masker.cellPlan({ schema: 'public', table: 'customers', column: 'email' }), masker.cellPlan({ schema: 'public', table: 'customers', column: 'ssn' })],
        columns: [],
        masker,
      });
    const start = Buffer.from([0, 0, 2, 0, 0, 0, 0]);
    const m = make();
    m.start(start);
    expect(m.data(Buffer.from('email,ssn\n'), undefined)).toHaveLength(1);
    expect(m.data(Buffer.from('"ada.l@example.com",123-'), undefined)).toEqual([]);
    const [out] = m.data(Buffer.from('45-6789\n'), undefined);
    const text = out!.subarray(5).toString('utf8');
    expect(text).not.toContain('ada.l@example.com');
    expect(text).not.toContain('6789');
    expect(text.startsWith('"')).toBe(true);
    m.done();

    const partial = make();
    partial.start(start);
    partial.data(Buffer.from('email,ssn\n'), undefined);
    partial.data(Buffer.from('"x@example.com",1'), undefined);
    expect(() => partial.done()).toThrow(/ended inside a row/);

    const badHeader = make();
    badHeader.start(start);
    expect(() => badHeader.data(Buffer.from('email,secret\n'), undefined)).toThrow(/header/);

    const wide = make();
    wide.start(start);
    wide.data(Buffer.from('email,ssn\n'), undefined);
    expect(() => wide.data(Buffer.from('a,b,c\n'), undefined)).toThrow(/does not match/);

    expect(() => make().start(Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 0]))).toThrow(/differ/);
    expect(() => make().start(Buffer.from([1, 0, 2, 0, 1, 0, 1]))).toThrow(/differ/);
    expect(() => make().data(Buffer.from('a,b\n'), undefined)).toThrow(/cannot mask/);
  });

  it('reads COPY options and refuses what the row parser does not handle', async () => {
    await initSqlGuard();
    const ok = analyzeCopy("COPY public.customers (email, \"Odd\"\"Name\") TO STDOUT WITH CSV HEADER DELIMITER ';' NULL 'x' QUOTE '''' ESCAPE '\\' FORCE QUOTE *");
    expect(ok).toMatchObject({ ok: true, copy: { describeSql: 'SELECT "email", "Odd""Name" FROM "public"."customers"', skipGenerated: false, format: { csv: true, header: true, delimiter: 0x3b, quote: 0x27, escape: 0x5c } } });
    expect(analyzeCopy('/* (x */ COPY ( SELECT \')\', "a)" FROM t ) TO STDOUT')).toMatchObject({ ok: true, copy: { describeSql: ' SELECT \')\', "a)" FROM t ', skipGenerated: false } });
    expect(analyzeCopy('COPY t TO STDOUT')).toMatchObject({ ok: true, copy: { describeSql: 'SELECT * FROM "t"', skipGenerated: true, format: { csv: false, delimiter: 9 } } });
    for (const [sql, reason] of [
      ['COPY t TO STDOUT BINARY', /BINARY format/],
      ["COPY t TO STDOUT (ENCODING 'LATIN1')", /ENCODING/],
      ["COPY t TO STDOUT (ENCODING 'UTF-8', FORMAT 'CSV')", /format "CSV" not recognized/],
      ["COPY t TO STDOUT (DELIMITER 'ab')", /single one-byte/],
      ['COPY t TO STDOUT (FREEZE)', /FREEZE is not available/],
      ['COPY t TO STDOUT (HEADER match)', /HEADER/],
      ['COPY t FROM STDIN', /COPY FROM/],
      ["COPY t TO PROGRAM 'x'", /PROGRAM/],
      ["COPY t TO '/tmp/x'", /server file/],
      ['COPY t TO STDOUT (FORMAT csv, FORMAT text)', /twice/],
    ] as const) {
      const r = analyzeCopy(sql);
      expect(r.ok, sql).toBe(false);
      if (!r.ok) expect(r.reason, sql).toMatch(reason);
    }
  });
});
