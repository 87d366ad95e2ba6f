import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { BULLET, createMasker, createStreamMasker } from '../../src/masking/index.js';

/**
 * The shortcuts that let the engine skip work (the candidate search before the walk, cells whose
 * rendering cannot match, escape-free byte chunks) must never change an output. These pin the
 * cases each shortcut reasons about.
 */
const masker = createMasker({ detectors: 'all' });

describe('candidate search before the walk', () => {
  it('finds values whose first char is not itself a candidate (word-shaped, back to the word start)', () => {
    const cases: Array<[string, string]> = [
      ['addr fe80::1 up', 'ipv6'],
      ['addr dead:beef::1 up', 'ipv6'],
      ['id AKIAABCDEFGHIJKLMNOP here', 'aws-access-key'],
      ['iban DE89370400440532013000 ok', 'iban'],
      ['mail jane.doe@example.com ok', 'email'],
      ['url postgres://admin:s3cret@db/app', 'connection-string-password'],
      ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln done', 'jwt'],
      ['cfg password=hunter', 'connection-string-password'],
    ];
    for (const [text, detector] of cases) {
      expect(masker.maskText(text).hits.map((h) => h.detector), text).toEqual([detector]);
      // The same value after plain words: offsets shift, nothing else changes.
      const shifted = masker.maskText(`plain words first ${text}`);
      expect(shifted.hits.map((h) => [h.detector, h.start - 18]), text).toEqual(masker.maskText(text).hits.map((h) => [h.detector, h.start]));
    }
  });

  it('text without any candidate is returned as it is', () => {
    for (const text of ['Shakira Schiller', 'Fort Jared', 'the quick brown fox; jumps over (the) lazy dog!', 'é ü — ☃']) {
      expect(masker.maskText(text)).toEqual({ text, hits: [] });
    }
  });
});

describe('cells that skip the detectors', () => {
  it('no detector matches any ISO date rendering', () => {
    const dates = [0, 8.64e15, -8.64e15, Date.UTC(2024, 0, 5, 12, 34, 56, 789), Date.UTC(-1, 5, 1), Date.UTC(275760, 8, 12)];
    for (let k = 0; k < 500; k++) dates.push(Math.round((k / 500 - 0.5) * 1.7e16));
    for (const t of dates) {
      const iso = new Date(t).toISOString();
      expect(masker.scan(iso, { ssnContext: true }), iso).toEqual([]);
      expect(masker.maskCell(new Date(t))).toEqual({ text: iso, masked: false });
    }
    expect(masker.maskCell(new Date(NaN))).toEqual({ text: 'Invalid Date', masked: false });
  });

  it('integers of up to 8 digits match nothing; longer numbers are still scanned', () => {
    for (const n of [0, 7, -7, 99_999_999, -99_999_999, 12_345_678, 41_111_111]) {
      expect(masker.scan(String(n), { ssnContext: true }), String(n)).toEqual([]);
      expect(masker.maskCell(n, { column: 'ssn' })).toEqual({ text: String(n), masked: false });
    }
    expect(masker.maskCell(123_456_789, { column: 'ssn' })).toMatchObject({ masked: true, by: 'ssn' });
    expect(masker.maskCell(4_111_111_111_111_111, { column: 'pan' })).toMatchObject({ masked: true, by: 'card' });
  });

  it('partial keeps the last 4 code points, with or without surrogate pairs', () => {
    const m = createMasker({ detectors: 'all', columns: { 'public.c.phone': 'partial' } });
    const col = { schema: 'public', table: 'c', column: 'phone' };
    expect(m.maskCell('(650) 724-5252', col).text).toBe(`${BULLET.repeat(10)}5252`);
    expect(m.maskCell('ab\u{1F600}cdefgh', col).text).toBe(`${BULLET.repeat(5)}efgh`);
    expect(m.maskCell('abcdefg\u{1F600}', col).text).toBe(`${BULLET.repeat(4)}efg\u{1F600}`);
  });
});

describe('stream: escape-free byte chunks', () => {
  const run = (chunks: Array<string | Uint8Array>): string => {
    const sm = createStreamMasker(masker, { flushMs: 5 });
    let out = '';
    for (const c of chunks) out += sm.write(c);
    return out + sm.end();
  };

  it('a C1 CSI split between its two UTF-8 bytes is still an escape, at every split point', () => {
    // U+009B (C1 CSI) is C2 9B in UTF-8; inside a card it must not hide the card.
    const text = 'pan 4111 1111 \u009b31m1111 1111\u001b[0m done, mail jane@example.com\n';
    const bytes = Buffer.from(text);
    const whole = run([text]);
    expect(whole).toContain('\u009b31m');
    expect(whole).not.toContain('4111 1111');
    for (let i = 0; i <= bytes.length; i++) {
      expect(run([bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).toBe(whole);
      expect(run([new Uint8Array(bytes.subarray(0, i)), new Uint8Array(bytes.subarray(i))]), `split at ${i}`).toBe(whole);
    }
  });

  it('an escape arriving after many plain chunks is still split out', () => {
    const plain = Buffer.from('plain log line 200 OK\n'.repeat(50));
    const out = run([plain, plain, Buffer.from('card 4111 1111 \x1b[31m1111 1111\x1b[0m\n')]);
    expect(out).toContain('\x1b[31m');
    expect(out).not.toContain('1111 1111');
  });
});
