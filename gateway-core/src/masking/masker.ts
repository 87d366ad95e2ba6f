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
import { FULL_MASK, bullets } from './replace.js';

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

/** A column's resolved masking (Masker.cellPlan). */
export interface CellPlan {
  readonly rule: ColumnRule | undefined;
  readonly opts: ScanOptions | undefined;
}

/** A masked cell in the result grid's shape: `m` (rule or detectors) only when masked. */
export interface CellOut {
  v: string | null;
  m?: string;
}

const SSN_OPTS: ScanOptions = Object.freeze({ ssnContext: true });

function asCellResult(o: CellOut): MaskCellResult {
  return o.m === undefined ? { text: o.v, masked: false } : { text: o.v, masked: true, by: o.m };
}

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
  scan(text: string, opts?: ScanOptions): readonly RawHit[] {
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
    return asCellResult(this.maskCellOut(value, this.cellPlan(column)));
  }

  /** A cell masker for one result column, with its rule resolved once (see cellPlan). */
  cellMaskerFor(column?: ColumnRef): (value: unknown) => MaskCellResult {
    const plan = this.cellPlan(column);
    return (value) => asCellResult(this.maskCellOut(value, plan));
  }

  /**
   * A column's rule and scan options, resolved once: a result page masks the same column
   * thousands of times, and resolving per cell showed up in the SQL profile.
   */
  cellPlan(column?: ColumnRef): CellPlan {
    const rule = column && this.rules.size > 0 ? this.rules.resolve(column) : undefined;
    const ssnContext = column !== undefined && SSN_COLUMN.test(column.column);
    return { rule, opts: ssnContext ? SSN_OPTS : undefined };
  }

  /**
   * Masks one cell straight into the result grid's `{ v, m? }` shape. This is the SQL hot path
   * (every cell of every page): one object per cell and no intermediate result; values whose
   * rendering no detector can match skip the scan.
   */
  maskCellOut(value: unknown, plan: CellPlan): CellOut {
    let text: string | null;
    let plain = false;
    try {
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number') {
        text = String(value);
        // An integer of at most 8 digits is one short digit group (and maybe a '-'): every
        // numeric detector needs 9+ digits or separated groups.
        plain = value > -1e8 && value < 1e8 && Number.isInteger(value);
      } else {
        text = renderValue(value);
        // toISOString's digit groups are glued to 'T' and 'Z' (and "Invalid Date" has none),
        // so no detector accepts any part of it (pinned by a test).
        plain = value instanceof Date;
      }
    } catch (e) {
      throw asMaskingError(e, 'rendering the value failed');
    }
    if (text === null) return { v: null };
    switch (plan.rule) {
      case 'full':
        return { v: FULL_MASK, m: 'full' };
      case 'partial':
        return { v: keepLast(text), m: 'partial' };
      case 'hash':
        return { v: this.hashValue(text), m: 'hash' };
      default: {
        // 'none' and "no rule" both run the detectors: a column rule never disables PII detection.
        if (plain) return { v: text };
        const raw = this.scan(text, plan.opts);
        if (raw.length === 0) return { v: text };
        try {
          return { v: applyRaw(text, raw), m: detectorList(raw) };
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

/**
 * Distinct detector names in order of first hit, comma-joined. The list is keyed by that order
 * (each name's index + 1, base 16) and cached: joining an array per masked cell showed up in
 * the per-cell profile, and a result has only a few distinct combinations.
 */
function detectorList(raw: readonly RawHit[]): string {
  if (raw.length === 1) return raw[0]!.detector;
  let seen = 0;
  let key = 0;
  for (const h of raw) {
    const bit = DETECTOR_BIT[h.detector];
    if ((seen & bit) !== 0) continue;
    seen |= bit;
    key = key * 16 + DETECTOR_INDEX[h.detector] + 1;
  }
  let list = DETECTOR_LISTS.get(key);
  if (list === undefined) {
    const names: DetectorName[] = [];
    for (const h of raw) if (!names.includes(h.detector)) names.push(h.detector);
    list = names.join(',');
    if (DETECTOR_LISTS.size < 4096) DETECTOR_LISTS.set(key, list);
  }
  return list;
}
const DETECTOR_INDEX = Object.fromEntries(DETECTOR_NAMES.map((d, k) => [d, k])) as Record<DetectorName, number>;
const DETECTOR_BIT = Object.fromEntries(DETECTOR_NAMES.map((d, k) => [d, 1 << k])) as Record<DetectorName, number>;
const DETECTOR_LISTS = new Map<number, string>();

/**
 * `partial`: keep the last 4 characters of values of 8+ characters; shorter values keep len-4
 * (so ≤ 4 chars keep none): the rule never reveals a short value whole or mostly.
 */
export function keepLast(text: string): string {
  const n = text.length;
  let surrogates = false;
  for (let k = 0; k < n && !surrogates; k++) surrogates = (text.charCodeAt(k) & 0xf800) === 0xd800;
  if (!surrogates) {
    // Code units are code points here: slice instead of splitting into an array of chars.
    const keep = n >= 8 ? 4 : Math.max(0, n - 4);
    return bullets(n - keep) + text.slice(n - keep);
  }
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
