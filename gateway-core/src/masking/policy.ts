/**
 * The masking part of a role's policy, validated with zod. Parsing is all-or-nothing: an invalid
 * policy throws and is never half-applied.
 */
import { z } from 'zod';
import { DETECTOR_NAMES, type DetectorName, type EnabledDetectors } from './types.js';

export const COLUMN_RULES = ['full', 'partial', 'hash', 'none'] as const;
export type ColumnRule = (typeof COLUMN_RULES)[number];

/**
 * `schema.table.column`; any segment may be `*`. Identifiers are unquoted names here: a dot inside
 * a quoted identifier is not supported (rejected rather than mis-split).
 */
const columnKey = z
  .string()
  .regex(/^(?:\*|[^.\s*]+)\.(?:\*|[^.\s*]+)\.(?:\*|[^.\s*]+)$/, 'expected schema.table.column (segments may be *)');

const detectorsShape = Object.fromEntries(DETECTOR_NAMES.map((d) => [d, z.boolean().optional()])) as Record<
  DetectorName,
  z.ZodOptional<z.ZodBoolean>
>;

export const maskingPolicySchema = z
  .object({
    /** 'all', or an explicit map: a detector not listed is off (the admin wrote exactly what runs). */
    detectors: z.union([z.literal('all'), z.strictObject(detectorsShape)]).default('all'),
    columns: z.record(columnKey, z.enum(COLUMN_RULES)).default({}),
    /** Per-deployment HMAC key for `hash` rules; required when any column uses `hash`. */
    hashKey: z.string().min(16, 'hashKey must be at least 16 characters').optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.hashKey && Object.values(p.columns).includes('hash')) {
      ctx.addIssue({ code: 'custom', path: ['hashKey'], message: 'a hash column rule needs hashKey' });
    }
  });

export type MaskingPolicyInput = z.input<typeof maskingPolicySchema>;
export type MaskingPolicy = z.output<typeof maskingPolicySchema>;

export function enabledFrom(detectors: MaskingPolicy['detectors']): EnabledDetectors {
  const out = {} as Record<DetectorName, boolean>;
  for (const d of DETECTOR_NAMES) out[d] = detectors === 'all' ? true : detectors[d] === true;
  return out;
}

/** Restrictiveness order used when an unqualified column matches several rules. */
const STRENGTH: Readonly<Record<ColumnRule, number>> = { none: 0, partial: 1, hash: 2, full: 3 };

export interface ColumnRef {
  schema?: string;
  table?: string;
  column: string;
}

/**
 * Resolves column rules. Exact `schema.table.column` wins over wildcards (so `none` can exempt one
 * column from a `public.*.email: full`); among wildcards the most specific wins. When the caller
 * cannot name the schema or table, every rule that could apply is considered and the most
 * restrictive one is used: not knowing where a value came from must not unmask it.
 */
export class ColumnRules {
  private readonly rules: Array<{ parts: [string, string, string]; rule: ColumnRule; specificity: number }>;
  private readonly cache = new Map<string, ColumnRule | undefined>();

  constructor(columns: Readonly<Record<string, ColumnRule>>) {
    this.rules = Object.entries(columns).map(([key, rule]) => {
      const parts = key.split('.') as [string, string, string];
      return { parts, rule, specificity: parts.filter((p) => p !== '*').length };
    });
  }

  get size(): number {
    return this.rules.length;
  }

  resolve(ref: ColumnRef): ColumnRule | undefined {
    const key = `${ref.schema ?? '\0'}.${ref.table ?? '\0'}.${ref.column}`;
    if (this.cache.has(key)) return this.cache.get(key);
    let best: { rule: ColumnRule; specificity: number } | undefined;
    let strongest: ColumnRule | undefined;
    const unknownScope = ref.schema === undefined || ref.table === undefined;
    for (const r of this.rules) {
      const [s, t, c] = r.parts;
      if (!seg(s, ref.schema) || !seg(t, ref.table) || !seg(c, ref.column)) continue;
      if (!best || r.specificity > best.specificity) best = r;
      if (!strongest || STRENGTH[r.rule] > STRENGTH[strongest]) strongest = r.rule;
    }
    const out = unknownScope ? strongest : best?.rule;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }
}

/** Postgres folds unquoted names to lower case; compare case-insensitively to match either spelling. */
function seg(pattern: string, value: string | undefined): boolean {
  return pattern === '*' || value === undefined || pattern.toLowerCase() === value.toLowerCase();
}
