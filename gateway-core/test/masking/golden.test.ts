import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMasker, type MaskingPolicyInput } from '../../src/masking/index.js';

/**
 * Pins the engine to recorded behaviour, hit for hit. golden.json was recorded (by
 * bench/masking/gen-golden.mjs) from the per-character charCodeAt scanner that preceded the
 * typed-array one: a speed change must not move a single hit. Inputs are fuzz strings built from
 * value fragments, separators and anchors, which exercise detector boundaries the corpus does not.
 */
interface Golden {
  selections: Array<MaskingPolicyInput['detectors']>;
  digest: string;
  samples: Array<{ text: string; masked: string; hits: Array<[string, number, number, number, number]> }>;
}

const golden = JSON.parse(readFileSync(new URL('./corpus/golden.json', import.meta.url), 'utf8')) as Golden;

describe('golden outputs', () => {
  const maskers = golden.selections.map((detectors) => createMasker({ detectors }));
  const all = maskers[0]!;

  it('every sample masks to the recorded text and hits', () => {
    for (const s of golden.samples) {
      const r = all.maskText(s.text);
      expect(r.text, JSON.stringify(s.text)).toBe(s.masked);
      expect(r.hits.map((h) => [h.detector, h.start, h.end, h.outStart, h.outEnd]), JSON.stringify(s.text)).toEqual(s.hits);
    }
  });

  it('every detector selection, the SSN hint and maskCell match the recorded digest', () => {
    const digest = createHash('sha256');
    for (const { text } of golden.samples) {
      for (const m of maskers) digest.update(JSON.stringify(m.maskText(text)));
      digest.update(JSON.stringify(all.maskText(text, { ssnContext: true })));
      digest.update(JSON.stringify(all.maskCell(text)));
    }
    expect(digest.digest('hex')).toBe(golden.digest);
  });

  it('a short text after a long one sees none of the long one (the code-unit buffer is reused)', () => {
    const long = `${'4111111111111111, '.repeat(5000)}jane@example.com`;
    expect(all.maskText(long).hits.length).toBe(5001);
    for (const s of ['4111 1111 1111 111', 'jane@example.c', '1', '', 'AKIAIOSFODNN7EXAMPL']) expect(all.maskText(s).hits).toEqual([]);
  });

  it('keeps UTF-16 offsets exact around astral chars and lone surrogates', () => {
    const text = '\u{1F600}\ud800 4111111111111111 \udc00é jane@example.com';
    const r = all.maskText(text);
    expect(r.hits.map((h) => text.slice(h.start, h.end))).toEqual(['4111111111111111', 'jane@example.com']);
    expect(r.text.startsWith('\u{1F600}\ud800 ')).toBe(true);
  });

  it('masks a text larger than the kept buffer', () => {
    const big = `${'x'.repeat(1_100_000)} 123-45-6789`;
    expect(all.maskText(big).hits.map((h) => h.detector)).toEqual(['ssn']);
  });
});
