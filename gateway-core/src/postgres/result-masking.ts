/**
 * Masking of everything a statement returns: cells (column rules resolved from each result
 * field's tableID/columnID, detectors on every value), error and notice fields, and column types.
 * A masking failure throws MaskingError; callers withhold the result (fail closed).
 */
import type { FieldDef } from 'pg';
import type { MaskedCell, SqlColumn, SqlError } from '../contract/sql-schemas.js';
import type { ColumnRef, Masker } from '../masking/index.js';

/** What a session knows about a relation that appeared in a result: names for column rules. */
interface RelationNames {
  schema: string;
  table: string;
  columns: Map<number, string>;
}

export interface QueryRunner {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[][] }>;
}

/** Common built-in types, so that most results need no pg_type lookup. */
const BUILTIN_TYPES: ReadonlyMap<number, string> = new Map([
  [16, 'boolean'], [17, 'bytea'], [18, 'char'], [19, 'name'], [20, 'bigint'], [21, 'smallint'], [23, 'integer'],
  [25, 'text'], [26, 'oid'], [114, 'json'], [700, 'real'], [701, 'double precision'], [1042, 'character'],
  [1043, 'character varying'], [1082, 'date'], [1083, 'time without time zone'], [1114, 'timestamp without time zone'],
  [1184, 'timestamp with time zone'], [1186, 'interval'], [1700, 'numeric'], [2950, 'uuid'], [3802, 'jsonb'],
  [869, 'inet'], [650, 'cidr'], [1009, 'text[]'], [1007, 'integer[]'], [1016, 'bigint[]'], [2249, 'record'], [705, 'unknown'],
]);

/**
 * Per-session cache of relation and type names. Lookups run on the session's own connection
 * between FETCHes, inside the run's read-only transaction; names rarely change during a session
 * (renames are writes, which need approval), so entries are never refreshed.
 */
export class ResultCatalog {
  private readonly relations = new Map<number, RelationNames | null>();
  private readonly types = new Map<number, string>(BUILTIN_TYPES);

  /** Fetches whatever the fields mention that is not cached yet (at most two small queries). */
  async load(fields: readonly FieldDef[], db: QueryRunner): Promise<void> {
    const rels = [...new Set(fields.map((f) => f.tableID).filter((id) => id !== 0 && !this.relations.has(id)))];
    const types = [...new Set(fields.map((f) => f.dataTypeID).filter((id) => !this.types.has(id)))];
    if (rels.length > 0) {
      for (const id of rels) this.relations.set(id, null);
      const r = await db.query(
        `SELECT c.oid::int8::text, n.nspname, c.relname, a.attnum::int4::text, a.attname
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
          WHERE c.oid = ANY($1::oid[])`,
        [rels],
      );
      for (const [oid, schema, table, attnum, column] of r.rows as string[][]) {
        const id = Number(oid);
        let entry = this.relations.get(id);
        if (!entry) {
          entry = { schema: schema!, table: table!, columns: new Map() };
          this.relations.set(id, entry);
        }
        entry.columns.set(Number(attnum), column!);
      }
    }
    if (types.length > 0) {
      const r = await db.query('SELECT oid::int8::text, pg_catalog.format_type(oid, NULL) FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])', [types]);
      for (const [oid, name] of r.rows as string[][]) this.types.set(Number(oid), name!);
    }
  }

  /**
   * The column a field came from. Without a known table (an expression, or a view's computed
   * column) only the output name is known, and the masker then applies the strictest rule that
   * could match that name: not knowing where a value came from must not unmask it.
   */
  columnRef(field: FieldDef): ColumnRef {
    const rel = field.tableID !== 0 ? this.relations.get(field.tableID) : undefined;
    const column = rel?.columns.get(field.columnID);
    return rel && column !== undefined ? { schema: rel.schema, table: rel.table, column } : { column: field.name };
  }

  column(field: FieldDef): SqlColumn {
    return { name: field.name, type: this.types.get(field.dataTypeID) ?? `oid ${field.dataTypeID}` };
  }
}

/** Masks one page of raw text rows. Throws MaskingError (withhold the whole page) on failure. */
export function maskRows(masker: Masker, refs: readonly ColumnRef[], rows: readonly unknown[][]): MaskedCell[][] {
  const out = new Array<MaskedCell[]>(rows.length);
  const width = refs.length;
  // Plans, not per-column closures: one call site calling one method stays monomorphic, and the
  // masker builds the `{ v, m? }` cell itself (no intermediate result object per cell).
  const plans = refs.map((ref) => masker.cellPlan(ref));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const cells = new Array<MaskedCell>(width);
    for (let c = 0; c < width; c++) cells[c] = masker.maskCellOut(row[c] ?? null, plans[c]!);
    out[r] = cells;
  }
  return out;
}

export function maskText(masker: Masker, text: string): string {
  return masker.maskText(text).text;
}

interface ServerErrorFields {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  position?: unknown;
}

/**
 * An upstream error in the contract's shape, with message, detail and hint masked (a unique
 * violation's DETAIL echoes the duplicate value). `toOffset` maps the server's 1-based character
 * position in the text it received to an offset into the user's submitted text.
 */
export function maskServerError(masker: Masker, err: unknown, toOffset: (serverPosition: number) => number | undefined): SqlError {
  const e = (err ?? {}) as ServerErrorFields;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'The statement failed';
  const out: SqlError = { message: maskText(masker, message) };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) out.sqlstate = e.code;
  if (typeof e.detail === 'string' && e.detail !== '') out.detail = maskText(masker, e.detail);
  if (typeof e.hint === 'string' && e.hint !== '') out.hint = maskText(masker, e.hint);
  const pos = typeof e.position === 'string' ? Number.parseInt(e.position, 10) : NaN;
  if (Number.isInteger(pos) && pos > 0) {
    const offset = toOffset(pos);
    if (offset !== undefined) out.position = offset;
  }
  return out;
}

/** Converts a 0-based code-point index into `text` to a UTF-16 offset. */
export function codePointsToUnits(text: string, points: number): number {
  let units = 0;
  for (let p = 0; p < points && units < text.length; p++) {
    const cp = text.codePointAt(units) ?? 0;
    units += cp > 0xffff ? 2 : 1;
  }
  return units;
}
