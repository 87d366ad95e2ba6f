/**
 * Which source column each output column of a COPY TO STDOUT is, before the COPY runs.
 *
 * The session describes the COPY's query (or a SELECT of the table's columns) upstream; the
 * RowDescription gives each column's table OID and attnum, which the session's ResultCatalog maps
 * to schema.table.column for the role's column rules, exactly as for a DataRow of a SELECT (a
 * computed column is known by its output name only and gets the strictest rule that name could
 * match, as in the editor). `COPY table` without a column list leaves out generated columns, so
 * those are dropped here too. Anything that cannot be resolved refuses the COPY.
 */
import type { FieldDef } from 'pg';
import type { Masker } from '../masking/masker.js';
import type { QueryRunner, ResultCatalog } from '../postgres/result-masking.js';
import { encodeNotice, type FieldDescription } from './backend-messages.js';
import { CopyOutMasker } from './copy-out.js';
import type { CopyRequest } from './copy-plan.js';
import type { CopyDescribeResult } from './response-relay.js';

export interface CopyResolveDeps {
  /** Parse + Describe + Sync of `sql` on the session's own upstream connection. */
  describe(sql: string): Promise<CopyDescribeResult>;
  catalog(fields: readonly FieldDescription[]): Promise<ResultCatalog>;
  /** A catalog query (on the session's catalog connection). */
  query: QueryRunner['query'];
  masker: Masker;
}

export type CopyResolution = { ok: true; masker: CopyOutMasker } | { ok: false; reason: string; error?: Buffer };

/** Fields of the server's error that point into Gatehouse's describe text rather than the client's. */
const POSITION_FIELDS = ['P', 'p', 'q'];

export async function resolveCopyColumns(copy: CopyRequest, deps: CopyResolveDeps): Promise<CopyResolution> {
  const described = await deps.describe(copy.describeSql);
  if (described.error) {
    // The client gets the server's own (masked) error, as the COPY itself would have failed on it.
    const fields = new Map(described.error);
    for (const k of POSITION_FIELDS) fields.delete(k);
    return { ok: false, reason: `the COPY's columns could not be resolved: ${fields.get('M') ?? 'server error'}`, error: encodeNotice('E', fields) };
  }
  let fields = described.fields;
  if (!fields) return { ok: false, reason: 'Gatehouse could not resolve the columns of this COPY (the server described no result), so it was not run' };
  if (copy.skipGenerated) {
    const tables = new Set(fields.map((f) => f.tableID));
    const [table] = tables;
    if (tables.size === 1 && table !== undefined && table !== 0) {
      let generated: Set<number>;
      try {
        const r = await deps.query(
          "SELECT a.attnum::int4::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''",
          [String(table)],
        );
        generated = new Set(r.rows.map((row) => Number(row[0])));
      } catch {
        return { ok: false, reason: 'Gatehouse could not read which columns of the table are generated; list the columns to copy' };
      }
      fields = fields.filter((f) => !generated.has(f.columnID));
    }
    // Otherwise (a view, say) COPY itself refuses; if it did not, the column count check in
    // CopyOutMasker.start would end the session before a row is sent.
  }
  const catalog = await deps.catalog(fields);
  const defs = fields as unknown as FieldDef[];
  return {
    ok: true,
    masker: new CopyOutMasker(copy.format, {
      names: fields.map((f) => f.name),
      plans: defs.map((f) => deps.masker.cellPlan(catalog.columnRef(f))),
      columns: defs.map((f) => catalog.column(f)),
      masker: deps.masker,
    }),
  };
}
