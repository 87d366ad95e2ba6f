import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETECTOR_NAMES, createMasker, type DetectorName } from '../../src/masking/index.js';

interface Entry {
  label: DetectorName | null;
  text: string;
  value?: string;
  note?: string;
}

const corpus = JSON.parse(readFileSync(new URL('./corpus/labelled.json', import.meta.url), 'utf8')) as Entry[];

describe('labelled corpus', () => {
  it('has at least 320 entries, positives for every detector and hard negatives', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(320);
    for (const d of DETECTOR_NAMES) expect(corpus.filter((e) => e.label === d).length, d).toBeGreaterThanOrEqual(8);
    expect(corpus.filter((e) => e.label === null).length).toBeGreaterThanOrEqual(100);
  });

  it('precision and recall ≥ 0.98 overall and per detector', () => {
    const masker = createMasker({ detectors: 'all' });
    const stats = Object.fromEntries(DETECTOR_NAMES.map((d) => [d, { tp: 0, fp: 0, fn: 0 }])) as Record<
      DetectorName,
      { tp: number; fp: number; fn: number }
    >;
    const misses: string[] = [];
    for (const e of corpus) {
      const r = masker.maskText(e.text);
      const found = new Set(r.hits.map((h) => h.detector));
      if (e.label) {
        // A true positive must be found by the right detector AND leave no copy of the value.
        if (found.has(e.label) && !r.text.includes(e.value ?? e.text)) stats[e.label].tp++;
        else {
          stats[e.label].fn++;
          misses.push(`FN ${e.label}: ${e.text}`);
        }
      }
      for (const d of found) {
        if (d !== e.label) {
          stats[d].fp++;
          misses.push(`FP ${d}: ${e.text}`);
        }
      }
    }
    const rows = DETECTOR_NAMES.map((d) => {
      const s = stats[d];
      return {
        detector: d,
        tp: s.tp,
        fp: s.fp,
        fn: s.fn,
        precision: +(s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1).toFixed(3),
        recall: +(s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1).toFixed(3),
      };
    });
    const tot = rows.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
    console.table(rows);
    if (misses.length) console.log(misses.join('\n'));
    const precision = tot.tp / (tot.tp + tot.fp);
    const recall = tot.tp / (tot.tp + tot.fn);
    console.log(`overall precision ${precision.toFixed(3)} recall ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(precision).toBeGreaterThanOrEqual(0.98);
    for (const r of rows) {
      expect(r.recall, `${r.detector} recall`).toBeGreaterThanOrEqual(0.95);
      expect(r.precision, `${r.detector} precision`).toBeGreaterThanOrEqual(0.9);
    }
  });
});
