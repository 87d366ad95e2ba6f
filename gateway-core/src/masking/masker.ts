/**
 * The Masker: policy-driven masking of free text (`maskText`) and of result cells (`maskCell`).
 * Column rules apply first; detectors run on everything a rule does not replace. Every public
 * method fails closed: any internal failure surfaces as a MaskingError carrying no input text.
 */
import { createHmac } from 'node:crypto';
import { ColumnRules, enabledFrom, maskingPolicySchema, type ColumnRef, type ColumnRule, type MaskingPolicy } from './policy.js';
import { renderValue } from './render.js';
import { BULLET, DETECTOR_NAMES, type DetectorName, type EnabledDetectors, type RawHit } from './types.js';
import { scanText, type ScanOptions } from './scanner.js';
import { FULL_MASK } from './replace.js';

/** Masking failed; the caller must drop the value. The message never contains input text. */
export class MaskingError extends Error {
  readonly code = 'MASKING_FAILED';
  constructor(message: string, options?: { causeName?: string }) {
    super(options?.causeName ? `${message} (${options.causeName})` : message);
    this.name = 'MaskingError';
  }
}

/** The policy was rejected whole; `issues` name the path and reason of each problem. */
export class MaskingPolicyError extends MaskingError {
  constructor(readonly issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`invalid masking policy: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'MaskingPolicyError';
  }
}

/** Offsets: `start`/`end` in the input text, `outStart`/`outEnd` in the masked output. */
export interface MaskHit {
  detector: DetectorName;
  start: number;
  end: number;
  outStart: number;
  outEnd: number;
}

export interface MaskTextResult {
  text: string;
  hits: MaskHit[];
}

/** `by`: the column rule (`full`, `partial`, `hash`) or the detectors that fired, comma-joined. */
export interface MaskCellResult {
  text: string | null;
  masked: boolean;
  by?: string;
}

export type { ColumnRef, ColumnRule };

const SSN_COLUMN = /ssn|social|tax_?id|(?:^|_)tin(?:$|_)/i;

export class Masker {
  /** Enabled detector names, in their stable order. */
  readonly detectors: readonly DetectorName[];
  private readonly enabled: EnabledDetectors;
  private readonly rules: ColumnRules;
  private readonly hashKey: string | undefined;

  private constructor(policy: MaskingPolicy) {
    this.enabled = Object.freeze(enabledFrom(policy.detectors));
    this.detectors = DETECTOR_NAMES.filter((d) => this.enabled[d]);
    this.rules = new ColumnRules(policy.columns);
    this.hashKey = policy.hashKey;
  }

  /** Validates `policy` (throws MaskingPolicyError on any problem) and builds a Masker. */
  static fromPolicy(policy: unknown): Masker {
    const parsed = maskingPolicySchema.safeParse(policy);
    if (!parsed.success) {
      throw new MaskingPolicyError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    return new Masker(parsed.data);
  }

  /** Raw detector hits with replacements (scanner offsets). Used by the stream masker. */
  scan(text: string, opts?: ScanOptions): RawHit[] {
    try {
      if (typeof text !== 'string') throw new TypeError('text is not a string');
      return scanText(text, this.enabled, opts);
    } catch (e) {
      throw asMaskingError(e, 'detector scan failed');
    }
  }

  maskText(text: string, opts?: ScanOptions): MaskTextResult {
    const raw = this.scan(text, opts);
    if (raw.length === 0) return { text, hits: [] };
    try {
      return applyHits(text, raw);
    } catch (e) {
      throw asMaskingError(e, 'building masked text failed');
    }
  }

  maskCell(value: unknown, column?: ColumnRef): MaskCellResult {
    return this.maskResolved(value, this.ruleFor(column), column !== undefined && SSN_COLUMN.test(column.column));
  }

  /**
   * A cell masker for one result column, with its rule resolved once: a result page masks the
   * same column thousands of times, and resolving per cell showed up in the SQL profile.
   */
  cellMaskerFor(column?: ColumnRef): (value: unknown) => MaskCellResult {
    const rule = this.ruleFor(column);
    const ssnContext = column !== undefined && SSN_COLUMN.test(column.column);
    return (value) => this.maskResolved(value, rule, ssnContext);
  }

  private ruleFor(column: ColumnRef | undefined): ColumnRule | undefined {
    return column && this.rules.size > 0 ? this.rules.resolve(column) : undefined;
  }

  private maskResolved(value: unknown, rule: ColumnRule | undefined, ssnContext: boolean): MaskCellResult {
    let text: string | null;
    try {
      text = renderValue(value);
    } catch (e) {
      throw asMaskingError(e, 'rendering the value failed');
    }
    if (text === null) return { text: null, masked: false };
    switch (rule) {
      case 'full':
        return { text: FULL_MASK, masked: true, by: 'full' };
      case 'partial':
        return { text: keepLast(text), masked: true, by: 'partial' };
      case 'hash':
        return { text: this.hashValue(text), masked: true, by: 'hash' };
      default: {
        // 'none' and "no rule" both run the detectors: a column rule never disables PII detection.
        const raw = this.scan(text, ssnContext ? { ssnContext: true } : undefined);
        if (raw.length === 0) return { text, masked: false };
        try {
          return { text: applyRaw(text, raw), masked: true, by: detectorList(raw) };
        } catch (e) {
          throw asMaskingError(e, 'building masked text failed');
        }
      }
    }
  }


  /** `hash:` + 16 hex chars of HMAC-SHA256(hashKey, text): stable per key, so joins line up. */
  hashValue(text: string): string {
    if (!this.hashKey) throw new MaskingError('hash rule without hashKey');
    try {
      return `hash:${createHmac('sha256', this.hashKey).update(text, 'utf8').digest('hex').slice(0, 16)}`;
    } catch (e) {
      throw asMaskingError(e, 'hashing failed');
    }
  }
}

export function createMasker(policy: unknown): Masker {
  return Masker.fromPolicy(policy);
}

/** Builds the output from sorted, non-overlapping hits, recording output offsets. */
export function applyHits(text: string, raw: readonly RawHit[]): MaskTextResult {
  let out = '';
  let pos = 0;
  const hits: MaskHit[] = [];
  for (const h of raw) {
    if (h.start < pos || h.end < h.start) throw new Error('overlapping hits');
    out += text.slice(pos, h.start);
    const outStart = out.length;
    out += h.replacement;
    hits.push({ detector: h.detector, start: h.start, end: h.end, outStart, outEnd: out.length });
    pos = h.end;
  }
  out += text.slice(pos);
  return { text: out, hits };
}

/** applyHits without the hit list (maskCell needs only the text). */
function applyRaw(text: string, raw: readonly RawHit[]): string {
  let out = '';
  let pos = 0;
  for (const h of raw) {
    if (h.start < pos || h.end < h.start) throw new Error('overlapping hits');
    out += text.slice(pos, h.start) + h.replacement;
    pos = h.end;
  }
  return out + text.slice(pos);
}

/** Distinct detector names in order of first hit, comma-joined (a cell has few hits: no Set). */
function detectorList(raw: readonly RawHit[]): string {
  const seen: DetectorName[] = [];
  for (const h of raw) if (!seen.includes(h.detector)) seen.push(h.detector);
  return seen.join(',');
}

/**
 * `partial`: keep the last 4 characters of values of 8+ characters; shorter values keep len-4
 * (so ≤ 4 chars keep none): the rule never reveals a short value whole or mostly.
 */
export function keepLast(text: string): string {
  const chars = Array.from(text); // code points: never split a surrogate pair
  const len = chars.length;
  const keep = len >= 8 ? 4 : Math.max(0, len - 4);
  return BULLET.repeat(len - keep) + chars.slice(len - keep).join('');
}

function asMaskingError(e: unknown, message: string): MaskingError {
  if (e instanceof MaskingError) return e;
  // Only the error's class name is kept: messages (JSON.parse, RangeError…) may quote the input.
  return new MaskingError(message, { causeName: e instanceof Error ? e.name : typeof e });
}
