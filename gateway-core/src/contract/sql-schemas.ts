/** SQL editor part of the bridge contract. Every value here is already masked by gateway-core. */
import { z } from 'zod';

const Id = z.string().min(1).max(100);

/** One result cell: the masked text (null for SQL NULL) and, when masked, the detector or rule. */
export const MaskedCell = z.object({ v: z.string().nullable(), m: z.string().optional() });
export type MaskedCell = z.infer<typeof MaskedCell>;

/**
 * Validates a page of result rows against `z.array(z.array(MaskedCell))` by hand: zod's generic
 * path copies every cell and showed up as a large share of a 10k-row page's cost. Stricter than
 * the schema, never looser: a cell must be a plain object whose only keys are `v` (string or null)
 * and optionally `m` (string, or undefined as `.optional()` allows); any other key is refused
 * rather than stripped. Rows are copied into fresh arrays (so nothing hung on an array object
 * passes), cells are passed on as they are. Returns null when the page breaks the contract.
 */
export function checkMaskedRows(rows: unknown): MaskedCell[][] | null {
  if (!Array.isArray(rows)) return null;
  const n = rows.length;
  const out = new Array<MaskedCell[]>(n);
  for (let r = 0; r < n; r++) {
    const row: unknown = rows[r];
    if (!Array.isArray(row)) return null;
    const w = row.length;
    const cells = new Array<MaskedCell>(w);
    for (let c = 0; c < w; c++) {
      const cell: unknown = row[c];
      if (!isMaskedCell(cell)) return null;
      cells[c] = cell;
    }
    out[r] = cells;
  }
  return out;
}

function isMaskedCell(cell: unknown): cell is MaskedCell {
  if (typeof cell !== 'object' || cell === null || Object.getPrototypeOf(cell) !== Object.prototype) return false;
  const o = cell as { v?: unknown; m?: unknown };
  const v = o.v;
  if (v !== null && typeof v !== 'string') return false;
  const m = o.m;
  if (m !== undefined && typeof m !== 'string') return false;
  // Enumerable string keys are what a transport would carry: only v and m may be there.
  for (const k in o) {
    if (k !== 'v' && k !== 'm') return false;
  }
  return Object.prototype.hasOwnProperty.call(o, 'v');
}

export const SqlColumn = z.object({ name: z.string(), type: z.string() });
export type SqlColumn = z.infer<typeof SqlColumn>;

export const SqlTextRange = z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() });

/** Why the guard refused: the class, the rule, and where in the editor text. */
export const SqlRefusal = z.object({
  action: z.enum(['deny', 'approve']),
  class: z.enum(['read', 'write', 'dangerous']).nullable(),
  rule: z.string(),
  reason: z.string(),
  location: SqlTextRange.optional(),
});
export type SqlRefusal = z.infer<typeof SqlRefusal>;

export const SqlError = z.object({
  message: z.string(),
  sqlstate: z.string().optional(),
  detail: z.string().optional(),
  hint: z.string().optional(),
  /** Offset into the submitted text, when the server reports one. */
  position: z.number().int().nonnegative().optional(),
});
export type SqlError = z.infer<typeof SqlError>;

const Timing = { durationMs: z.number().nonnegative() };

export const SqlStatementResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('refused'), refusal: SqlRefusal }),
  z.object({
    status: z.literal('rows'),
    queryId: Id,
    columns: z.array(SqlColumn),
    rows: z.array(z.array(MaskedCell)),
    /** More pages can be fetched with sql.fetch. */
    hasMore: z.boolean(),
    rowCount: z.number().int().nonnegative(),
    /** The role's row cap stopped the fetch. */
    capped: z.boolean(),
    rowCap: z.number().int().positive(),
    ...Timing,
  }),
  z.object({ status: z.literal('done'), command: z.string(), rowCount: z.number().int().nonnegative().nullable(), ...Timing }),
  z.object({ status: z.literal('error'), error: SqlError, ...Timing }),
  z.object({ status: z.literal('cancelled'), ...Timing }),
]);
export type SqlStatementResult = z.infer<typeof SqlStatementResult>;

export const SqlRunResult = z.object({
  /** One per statement actually attempted, in order; a refusal or error stops the rest. */
  results: z.array(SqlStatementResult),
  notices: z.array(z.string()),
});
export type SqlRunResult = z.infer<typeof SqlRunResult>;

export const SqlPage = z.object({
  rows: z.array(z.array(MaskedCell)),
  hasMore: z.boolean(),
  rowCount: z.number().int().nonnegative(),
  capped: z.boolean(),
});
export type SqlPage = z.infer<typeof SqlPage>;

export const SchemaColumn = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });
export const SchemaRelation = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'materialized-view', 'foreign-table', 'partitioned-table']),
  rowEstimate: z.number().nullable(),
  columns: z.array(SchemaColumn),
});
export const SchemaInfo = z.object({ name: z.string(), relations: z.array(SchemaRelation) });
export const SqlSchema = z.object({ schemas: z.array(SchemaInfo) });
export type SqlSchema = z.infer<typeof SqlSchema>;

export const SqlHistoryEntry = z.object({
  id: Id,
  connectionId: Id,
  /** The statement text, masked like results. */
  text: z.string(),
  at: z.string(),
  outcome: z.enum(['rows', 'done', 'refused', 'error', 'cancelled']),
  rowCount: z.number().int().nonnegative().nullable(),
});
export type SqlHistoryEntry = z.infer<typeof SqlHistoryEntry>;

export const sqlMethods = {
  'sql.open': { input: z.object({ connectionId: Id }).strict(), output: z.object({ sessionId: Id }) },
  'sql.run': { input: z.object({ sessionId: Id, text: z.string().min(1).max(1_000_000) }).strict(), output: SqlRunResult },
  'sql.fetch': { input: z.object({ queryId: Id, maxRows: z.number().int().min(1).max(10_000).optional() }).strict(), output: SqlPage },
  'sql.cancel': { input: z.object({ sessionId: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'sql.close': { input: z.object({ sessionId: Id }).strict(), output: z.object({ closed: z.boolean() }) },
  'sql.schema': { input: z.object({ connectionId: Id }).strict(), output: SqlSchema },
  'sql.history': { input: z.object({ connectionId: Id.optional(), limit: z.number().int().min(1).max(500).optional() }).strict(), output: z.array(SqlHistoryEntry) },
  'sql.exportCsv': {
    input: z.object({ sessionId: Id, text: z.string().min(1).max(1_000_000) }).strict(),
    output: z.object({ fileName: z.string(), csv: z.string(), rowCount: z.number().int().nonnegative(), capped: z.boolean() }),
  },
} as const;
